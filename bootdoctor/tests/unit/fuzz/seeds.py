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

"""Real notifications to start fuzzing from, and ways to spoil them.

Every seed is a notification bootdoctor parses: the recorded Nova 34
streams, Nova's versioned samples, ceilometer's Neutron, Cinder and Glance
fixtures, Keystone's documented CADF events and the simulator's Neutron
Cinder and Glance messages made from those recordings.
"""

import copy
import datetime
import os

from hypothesis import strategies as st

from bootdoctor import notification
from bootdoctor import simulator
from bootdoctor.tests.unit.notification import samples

UTC = datetime.timezone.utc
DEFAULT_TIMESTAMP = datetime.datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def _seeds():
    found = []
    for name in ('a_boot_success', 'c_no_valid_host',
                 'e2_spawn_fail_single_host'):
        found.extend(samples.jsonl('recorded', name + '.jsonl'))
    found.extend(samples.nova_sample(n) for n in samples.NOVA_SAMPLES)
    for name in sorted(os.listdir(samples.path('other', 'ceilometer'))):
        found.append(samples.ceilometer('other', 'ceilometer', name))
    for name in sorted(os.listdir(samples.path('other', 'keystone'))):
        found.append(samples.load('other', 'keystone', name))
    boots = simulator.plan(
        3, ['success', 'volume_backed', 'port_binding_failure'], seed=1,
        start=DEFAULT_TIMESTAMP)
    for number, (_, emission) in enumerate(simulator.interleave(boots, 1)):
        if emission.service != 'nova':
            found.append(simulator.listener_view(
                emission, message_id='sim-%d' % number,
                timestamp=DEFAULT_TIMESTAMP))
    return [m for m in found if _parses(m)]


def _parses(message):
    try:
        notification.parse(message, default_timestamp=DEFAULT_TIMESTAMP)
    except notification.ParseError:
        return False
    return True


SEEDS = _seeds()

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(),
    st.integers(min_value=-2 ** 70, max_value=2 ** 70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from([
        '', ' ', '07eae9ba-0682-4b41-a7c4-76ec68eed449',
        '07EAE9BA-0682-4B41-A7C4-76EC68EED449', 'i-123', 'None', 'null',
        '2026-11-25 08:42:21.665574', '2026-11-25T08:42:21Z',
        '2099-01-01T00:00:00+00:00', '0001-01-01T00:00:00-23:59',
        '9999-12-31T23:59:59+14:00', 'building', 'active', 'error',
        'deleted', 'scheduling', 'networking', 'spawning', 'deleting',
        'compute:nova', 'binding_failed', 'ERROR', 'info', 'x' * 300,
        "{'kwargs': {'reason': 'x'}, 'class': 'NoValidHost'}",
        "{'kwargs': {'code': 'x'}}", "{'class': '1; rm'}", '{' * 50,
        '\udcff', '\x00', 'compute.instance.create.error',
        'instance.create.error', 'nova_object.data',
    ]))
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=10), st.sampled_from(
            ['nova_object.data', 'nova_object.name', 'uuid', 'instance_id',
             'instance_uuid', 'kwargs', 'class', 'message', 'host',
             'device_owner', 'device_id', 'port', 'ports', 'fault',
             'state_update', 'block_devices'])), inner, max_size=4)),
    max_leaves=12)


def _parent(tree, path):
    for key in path[:-1]:
        tree = tree[key]
    return tree


@st.composite
def mutated(draw, max_mutations=3):
    """A seed with up to ``max_mutations`` changes.

    A value replaced, dropped, emptied or wrapped in a list, or a key
    added.
    """
    message = copy.deepcopy(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, max_mutations))):
        path = draw(st.sampled_from(list(samples.paths(message))))
        operation = draw(st.sampled_from(
            ['replace', 'drop', 'add', 'wrap', 'empty']))
        if not path:
            if operation == 'replace':
                message = draw(json_values)
            continue
        parent = _parent(message, path)
        key = path[-1]
        if operation == 'replace':
            parent[key] = draw(json_values)
        elif operation == 'drop':
            if isinstance(parent, dict):
                del parent[key]
            else:
                parent.pop(key)
        elif operation == 'add' and isinstance(parent[key], dict):
            parent[key][draw(st.text(max_size=12))] = draw(json_values)
        elif operation == 'wrap':
            parent[key] = [parent[key]]
        elif operation == 'empty':
            parent[key] = type(parent[key])() if isinstance(
                parent[key], (dict, list, str)) else None
        if not isinstance(message, dict):
            break
    return message
