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

"""The simulated boots: real shapes, new identities, the right outcome."""

import collections
import datetime
import json
import re

import pytest

from bootdoctor import notification
from bootdoctor import simulator
from bootdoctor.simulator import faults
from bootdoctor.simulator import templates
from bootdoctor import tracker

NAMES = sorted(simulator.SCENARIOS)
START = datetime.datetime(2030, 5, 17, 12, 0, tzinfo=datetime.timezone.utc)
DEADLINES = {'scheduling': 300, 'networking': 300,
             'block_device_mapping': 600, 'spawning': 600}


def _boot(name, seed=7):
    return simulator.plan(1, name, seed=seed, start=START,
                          computes=('cmp-a', 'cmp-b', 'cmp-c'))[0]


def _recorded_identities():
    """Identifiers of the recorded boots that must never leak through."""
    found = set()
    for name in ('a_boot_success', 'c_no_valid_host',
                 'e2_spawn_fail_single_host'):
        messages = templates.recorded(name)
        found.add(templates._instance_of(messages))
        found.add(messages[0]['ctxt']['request_id'])
        found.add(templates._display_name_of(messages))
    return found


@pytest.mark.parametrize('name', NAMES)
def test_no_recorded_identity_leaks(name):
    boot = _boot(name)
    text = json.dumps([e.__dict__ for e in boot.emissions])
    for ident in _recorded_identities():
        assert ident not in text
    assert not re.search(r'(?<![\w-])compute1(?!\w)', text)
    assert templates.RECORDED_PROJECT not in text
    assert '"fake"' not in text
    assert 'devstack' not in text


@pytest.mark.parametrize('name', NAMES)
def test_nova_messages_belong_to_the_boot(name):
    boot = _boot(name)
    nova = [e for e in boot.emissions if e.service == 'nova']
    assert nova
    for emission in nova:
        assert emission.ctxt['request_id'] == boot.identity.request_id
        assert emission.ctxt['project_id'] == boot.identity.project_id
        data = emission.payload.get('nova_object.data', emission.payload)
        for key in ('uuid', 'instance_uuid', 'instance_id'):
            if data.get(key) is not None:
                assert data[key] == boot.instance_uuid
        host = emission.publisher_id.replace(':', '.').split('.', 1)[1]
        assert host in boot.computes + ('controller',)


@pytest.mark.parametrize('name', NAMES)
def test_nova_sends_legacy_then_versioned_twin(name):
    nova = [e for e in _boot(name).emissions if e.service == 'nova']
    formats = [e.format for e in nova]
    assert formats == ['legacy', 'versioned'] * (len(nova) // 2)
    for legacy, versioned in zip(nova[::2], nova[1::2]):
        assert versioned.event_type in (
            legacy.event_type.replace('compute.', '', 1),
            legacy.event_type + '.error')
        assert legacy.priority == versioned.priority


@pytest.mark.parametrize('name', NAMES)
def test_times_move_to_the_boot_start(name):
    boot = _boot(name)
    text = json.dumps([e.__dict__ for e in boot.emissions])
    for match in templates._TIME.finditer(text):
        stamp = datetime.datetime.fromisoformat(
            match.group(1) + 'T' + match.group(3)).replace(
            tzinfo=datetime.timezone.utc)
        # Either moved next to the boot, or far in the past (an image
        # created in 2011 stays so).
        assert (abs(stamp - START) < datetime.timedelta(hours=1) or
                stamp.year <= 2026), match.group(0)


@pytest.mark.parametrize('name', NAMES)
def test_every_message_parses(name):
    for number, emission in enumerate(_boot(name).emissions):
        view = simulator.listener_view(emission)
        parsed = notification.parse_listener(
            view['ctxt'], view['publisher_id'], view['event_type'],
            view['payload'], view['metadata'], view['priority'])
        assert parsed.observations, (number, emission.event_type)


def _record(boot):
    observations = []
    for number, emission in enumerate(boot.emissions):
        view = simulator.listener_view(
            emission, timestamp=START + datetime.timedelta(seconds=number))
        observations.extend(notification.parse_listener(
            view['ctxt'], view['publisher_id'], view['event_type'],
            view['payload'], view['metadata'],
            view['priority']).observations)
    own = [o for o in observations if o.instance_uuid == boot.instance_uuid]
    related = [o for o in observations if o.instance_uuid is None]
    now = START + datetime.timedelta(hours=2)
    return tracker.build_record(own, now=now, deadlines=DEADLINES,
                                related=related).to_dict()


@pytest.mark.parametrize('name', NAMES)
def test_scenario_ends_as_expected(name):
    boot = _boot(name)
    record = _record(boot)
    root = record['root_cause'] or {}
    got = {
        'status': record['status'],
        'phase': record['phase'],
        'attempts': len(record['attempts']),
        'fault': (record['fault'] or {}).get('exception'),
        'root_cause': root.get('exception'),
        'component': root.get('component'),
    }
    assert {k: got[k] for k in boot.expected} == boot.expected


def test_stalls_withhold_the_end():
    for name in NAMES:
        scenario = simulator.SCENARIOS[name]
        types = {e.event_type for e in _boot(name).emissions}
        ends = {'compute.instance.create.end', 'compute.instance.create.error',
                'compute_task.build_instances', 'instance.delete.end'}
        assert bool(types & ends) is not scenario.stalls, name


def test_port_binding_failure_names_the_failed_port():
    boot = _boot('port_binding_failure')
    port = [e for e in boot.emissions if e.event_type == 'port.update.end']
    assert port[0].payload['port']['binding:vif_type'] == 'binding_failed'
    assert port[0].payload['port']['device_id'] == boot.instance_uuid
    error = [e for e in boot.emissions
             if e.event_type == 'instance.create.error'][0]
    fault = error.payload['nova_object.data']['fault']['nova_object.data']
    assert fault['exception'] == 'PortBindingFailed'
    assert port[0].payload['port']['id'] in fault['exception_message']


def test_volume_boot_names_its_volume_everywhere():
    boot = _boot('volume_backed')
    cinder = [e for e in boot.emissions if e.service == 'cinder']
    assert [e.event_type for e in cinder] == [
        'volume.create.end', 'volume.attach.start', 'volume.attach.end']
    volumes = {e.payload['volume_id'] for e in cinder}
    assert len(volumes) == 1
    attached = cinder[-1].payload['volume_attachment'][0]
    assert attached['instance_uuid'] == boot.instance_uuid
    devices = [e.payload['nova_object.data']['block_devices']
               for e in boot.emissions if e.format == 'versioned' and
               'block_devices' in e.payload.get('nova_object.data', {})]
    assert devices and all(d[0]['nova_object.data']['volume_id'] in volumes
                           for d in devices)


def test_deletion_during_build_is_the_delete_sequence():
    types = [e.event_type for e in _boot('deleted_during_build').emissions
             if e.format == 'versioned']
    tail = types[types.index('instance.create.error'):]
    assert tail == ['instance.create.error', 'instance.delete.start',
                    'instance.shutdown.start', 'instance.shutdown.end',
                    'instance.delete.end']


def test_build_abort_uses_nova_sample_fault():
    sample = faults.sample_fault()
    assert faults.FLAVOR_DISK_TOO_SMALL.exception == sample['exception']
    assert faults.FLAVOR_DISK_TOO_SMALL.msg_fmt == sample[
        'exception_message']


def test_plan_is_reproducible_with_a_seed():
    first = simulator.plan(5, 'mix', seed=3, start=START)
    second = simulator.plan(5, 'mix', seed=3, start=START)
    assert [b.emissions for b in first] == [b.emissions for b in second]
    other = simulator.plan(5, 'mix', seed=4, start=START)
    assert [b.instance_uuid for b in first] != [
        b.instance_uuid for b in other]


def test_mix_takes_every_scenario_in_turn():
    boots = simulator.plan(len(NAMES) + 2, 'mix', seed=1, start=START)
    names = [b.scenario.name for b in boots]
    assert sorted(set(names)) == NAMES
    assert names[len(NAMES):] == names[:2]
    assert len({b.instance_uuid for b in boots}) == len(boots)


def test_unknown_scenario_is_refused():
    with pytest.raises(KeyError, match='unknown scenario'):
        simulator.plan(1, 'no_such_thing')
    assert simulator.scenario_names(['no-valid-host']) == ['no_valid_host']


def test_interleave_keeps_each_boot_in_order():
    boots = simulator.plan(6, 'mix', seed=2, start=START)
    seen = collections.defaultdict(list)
    order = []
    for boot, emission in simulator.interleave(boots, concurrency=3, seed=1):
        seen[boot.instance_uuid].append(emission)
        order.append(boot.instance_uuid)
    for boot in boots:
        assert seen[boot.instance_uuid] == boot.emissions
    # Messages of concurrent boots really mix.
    switches = sum(1 for a, b in zip(order, order[1:]) if a != b)
    assert switches > len(boots)
