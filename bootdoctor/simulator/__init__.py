# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""A notification simulator built from real Nova, Neutron and Cinder data.

:func:`plan` makes boots (each a scenario, an identity and the messages
the services would send); :func:`interleave` mixes the messages of
concurrent boots as a busy cloud does; :class:`Publisher` sends them
through oslo.messaging Notifiers.

Example::

    boots = simulator.plan(20, 'mix', seed=1)
    publisher = simulator.Publisher('rabbit://guest:guest@127.0.0.1:5672/')
    publisher.publish(e for _, e in simulator.interleave(boots))
"""

import dataclasses
import datetime
import random
import string
import uuid

from bootdoctor.simulator import publisher
from bootdoctor.simulator import scenarios as _scenarios
from bootdoctor.simulator import templates

Publisher = publisher.Publisher
SCENARIOS = _scenarios.SCENARIOS
get_scenario = _scenarios.get

MIX = 'mix'
DEFAULT_COMPUTES = tuple('compute%d' % n for n in range(1, 9))
DEFAULT_CONTROLLER = 'controller'


@dataclasses.dataclass
class Boot:
    """One simulated boot: what happens, to whom, and the messages."""
    scenario: _scenarios.Scenario
    identity: templates.Identity
    computes: tuple
    emissions: list

    @property
    def instance_uuid(self):
        return self.identity.instance_uuid

    @property
    def expected(self):
        return self.scenario.expected


def scenario_names(spec):
    """The scenario names for ``spec``: one name, a list, or ``mix``."""
    if isinstance(spec, str):
        spec = [spec]
    names = []
    for item in spec:
        if item == MIX:
            names.extend(_scenarios.SCENARIOS)
        else:
            names.append(_scenarios.get(item).name)
    return names


def plan(boots=1, scenario=MIX, *, seed=None, start=None,
         computes=DEFAULT_COMPUTES, controller=DEFAULT_CONTROLLER,
         projects=3):
    """Make ``boots`` boots; ``mix`` takes every scenario in turn.

    :param seed: makes the identities and hosts reproducible.
    :param start: when the boots start (payload times); default now.
    """
    # Seeded on purpose: a simulated run must be reproducible.
    rng = random.Random(seed)  # nosec B311  # test data, not secrets
    names = scenario_names(scenario)
    start = start or datetime.datetime.now(datetime.timezone.utc)
    owners = [(_hex(rng), _hex(rng)) for _ in range(max(1, projects))]
    result = []
    for number in range(boots):
        chosen = _scenarios.get(names[number % len(names)])
        project, user = owners[number % len(owners)]
        identity = templates.Identity(
            instance_uuid=templates.random_uuid(rng),
            request_id='req-' + templates.random_uuid(rng),
            project_id=project, user_id=user,
            name='sim-%s-%d' % (chosen.name.replace('_', '-'), number),
            reservation_id='r-' + ''.join(
                rng.choice(string.ascii_lowercase + string.digits)
                for _ in range(8)),
            instance_name='instance-%08x' % (number + 1),
            controller=controller, start=start,
            storage_host='storage%d' % (number % 2 + 1),
            rng=random.Random(  # nosec B311  # test data, not secrets
                rng.getrandbits(64)))
        hosts = tuple(rng.sample(list(computes), chosen.computes))
        result.append(Boot(chosen, identity, hosts,
                           chosen.build(identity, hosts)))
    return result


def _hex(rng):
    return '%032x' % rng.getrandbits(128)


def interleave(boots, concurrency=8, seed=None):
    """Yield ``(boot, emission)``: up to ``concurrency`` boots at a time.

    The messages of each boot keep their order; the next message comes
    from a random boot in flight, as concurrent boots mix on the bus.
    """
    rng = random.Random(seed)  # nosec B311  # an order, not a secret
    waiting = list(boots)
    waiting.reverse()
    active = []
    while waiting or active:
        while waiting and len(active) < max(1, concurrency):
            boot = waiting.pop()
            active.append([boot, 0])
        slot = rng.randrange(len(active))
        boot, position = active[slot]
        if position < len(boot.emissions):
            yield boot, boot.emissions[position]
            active[slot][1] += 1
        if active[slot][1] >= len(boot.emissions):
            active.pop(slot)


def listener_views(boots, concurrency=8, seed=None, start=None,
                   spacing=datetime.timedelta(milliseconds=100)):
    """Yield the listener view of every message, as :func:`interleave` sends.

    Message n (from 0) is dated ``start + n * spacing``; with a ``seed``
    the message ids are reproducible too, so a seeded run with a fixed
    ``start`` gives the same stream every time.
    """
    start = start or datetime.datetime.now(datetime.timezone.utc)
    ids = random.Random(  # nosec B311  # test data, not secrets
        'message-ids-%s' % seed) if seed is not None else None
    for number, (_, emission) in enumerate(
            interleave(boots, concurrency, seed=seed)):
        yield listener_view(
            emission,
            message_id=templates.random_uuid(ids) if ids else None,
            timestamp=start + number * spacing)


def listener_view(emission, *, message_id=None, timestamp=None):
    """The dict an oslo.messaging notification endpoint receives.

    ``{ctxt, publisher_id, event_type, payload, metadata: {message_id,
    timestamp}}`` plus ``priority`` (the endpoint method's name, upper
    case), with the ``message_id`` and ``timestamp`` a Notifier would make.
    For tests and file output; the Publisher sends through oslo.messaging.
    """
    stamp = timestamp or datetime.datetime.now(datetime.timezone.utc)
    return {
        'ctxt': dict(emission.ctxt),
        'publisher_id': emission.publisher_id,
        'event_type': emission.event_type,
        'payload': emission.payload,
        'metadata': {
            'message_id': message_id or str(uuid.uuid4()),
            'timestamp': str(stamp.replace(tzinfo=None)),
        },
        'priority': emission.priority,
    }
