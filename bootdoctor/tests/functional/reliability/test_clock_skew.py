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

"""Clock skew between services must not change what bootdoctor concludes.

Each service stamps its notifications with its own clock. One boot of
every simulator scenario (Nova, Neutron, Cinder and Glance messages made
from real recordings) and the recorded Nova streams are replayed with one
service's messages dated minutes earlier or later; every boot must keep
its status, phase, fault, root cause and attempts.
"""

import datetime
import json

import pytest

from bootdoctor.tests.functional.reliability import streams

SHIFTS = (-10, -3, 3, 10)
# publisher_id prefixes: legacy <service>.<host>, versioned <binary>:<host>.
SERVICES = {
    'neutron': ('network.', 'neutron'),
    'cinder': ('volume.', 'cinder'),
    'glance': ('image.', 'glance'),
    'scheduler': ('scheduler.', 'nova-scheduler:'),
    'controller': ('scheduler.', 'nova-scheduler:', 'conductor.',
                   'nova-conductor:', 'compute_task.', 'api.', 'nova-api:'),
    'compute': ('compute.', 'nova-compute:'),
}


def verdict(record):
    """What the clock must not change."""
    return {
        'status': record['status'],
        'phase': record['phase'],
        'fault': record['fault'],
        'root_cause': record['root_cause'],
        'attempts': [(a['host'], a['outcome']) for a in record['attempts']],
    }


def shifted(messages, minutes, service):
    delta = datetime.timedelta(minutes=minutes)
    return [streams.retimed(m, delta)
            if m['publisher_id'].startswith(SERVICES[service]) else m
            for m in messages]


def replay(tmp_path, name, messages):
    path = streams.write(tmp_path / ('%s.jsonl' % name),
                         [json.dumps(m).encode() for m in messages])
    feed, records = streams.run([path])
    assert not feed.rejected
    return {uuid: verdict(r) for uuid, r in records.items()}


@pytest.fixture(scope='module')
def simulated():
    boots, messages = streams.simulated()
    return boots, messages


@pytest.fixture(scope='module')
def simulated_baseline(simulated, tmp_path_factory):
    boots, messages = simulated
    path = streams.write(tmp_path_factory.mktemp('sim') / 'sim.jsonl',
                         [json.dumps(m).encode() for m in messages])
    feed, records = streams.run([path])
    assert not feed.rejected
    return records


def test_the_simulated_boots_reach_their_scenarios_verdicts(
        simulated, simulated_baseline):
    boots, messages = simulated
    publishers = {m['publisher_id'] for m in messages}
    for prefixes in SERVICES.values():
        assert any(p.startswith(prefixes) for p in publishers), prefixes
    for boot in boots:
        record = simulated_baseline[boot.instance_uuid]
        expected = boot.expected
        assert record['status'] == expected['status'], boot.scenario.name
        if 'phase' in expected:
            assert record['phase'] == expected['phase'], boot.scenario.name
        if 'fault' in expected:
            assert record['fault']['exception'] == expected['fault']
        if 'root_cause' in expected:
            assert record['root_cause']['exception'] == \
                expected['root_cause']
        if not record['attempts']:
            # No compute picked the build up: no image was fetched for it,
            # whatever other boots of the same image did.
            assert not [s for s in record['steps']
                        if s['phase'] == 'spawning' and
                        s['state'] == 'observed'], boot.scenario.name


@pytest.mark.parametrize('service', sorted(SERVICES))
def test_skewed_service_clocks_change_no_verdict(
        tmp_path, simulated, simulated_baseline, service):
    _, messages = simulated
    expected = {uuid: verdict(r) for uuid, r in simulated_baseline.items()}
    for minutes in SHIFTS:
        got = replay(tmp_path, '%s%+d' % (service, minutes),
                     shifted(messages, minutes, service))
        changed = {uuid: (expected[uuid], got[uuid]) for uuid in expected
                   if got[uuid] != expected[uuid]}
        assert not changed, (service, minutes, changed)


@pytest.mark.parametrize('service', ['scheduler', 'controller', 'compute'])
def test_skewed_clocks_in_the_recorded_streams(tmp_path, service):
    for path in streams.STREAMS:
        messages = streams.messages(path)
        expected = replay(tmp_path, 'clean', messages)
        for minutes in SHIFTS:
            got = replay(tmp_path, 'skewed', shifted(messages, minutes,
                                                     service))
            assert got == expected, (path, service, minutes)
