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

"""Legacy (unversioned) Nova notifications from production and DevStack.

stacktach-notigen templates come from a production Icehouse cloud; their
placeholders are filled as notigen fills them (samples.notigen).
"""

import collections

import pytest

from bootdoctor import notification
from bootdoctor.tests.unit.notification import samples

TEMPLATES = (23, 24, 25, 65)


def parse_all(messages):
    result = []
    for message in messages:
        result.extend(notification.parse(message).observations)
    return result


@pytest.mark.parametrize('number', TEMPLATES)
def test_template_messages_parse(number):
    messages, values = samples.notigen(number)
    obs = parse_all(messages)
    assert len(obs) == len(messages)
    assert {o.instance_uuid for o in obs} == {values['UUID_1']}
    assert {o.request_id for o in obs} == {'req-' + values['UUID_0']}
    assert {o.project_id for o in obs} == {values['tenant_id']}
    assert {o.format for o in obs} == {'legacy'}
    # notigen does not keep which service sent what.
    assert {(o.publisher_service, o.publisher_host) for o in obs} == {
        (None, None)}
    for o in obs:
        if o.kind.startswith('instance.'):
            assert o.host == 'host-1'
            assert o.details['image_id'] == values['UUID_2']


@pytest.mark.parametrize('number', TEMPLATES)
def test_template_element_zero_is_not_a_notification(number):
    name = 'compute.instance.create.start_%d.json' % number
    items = list(notification.read_messages(
        samples.path('legacy', 'stacktach-notigen', name)))
    line, first = items[0]
    assert line == 2
    assert isinstance(first, notification.ParseError)
    assert first.reason.startswith('not a notification: template metadata')
    assert all(isinstance(item, dict) for _line, item in items[1:])


@pytest.mark.parametrize('number', TEMPLATES)
def test_raw_template_placeholders_are_rejected(number):
    messages, _values = samples.notigen(number, uuids=False)
    for message in messages:
        with pytest.raises(notification.ParseError) as exc:
            notification.parse(message)
        assert 'not a UUID' in exc.value.reason
        assert '[[[[UUID_' in exc.value.reason
    untouched, _values = samples.notigen(number, uuids=False,
                                         datetimes=False)
    with pytest.raises(notification.ParseError) as exc:
        notification.parse(untouched[0])
    assert exc.value.reason == "timestamp: not a date and time (%r)" % (
        untouched[0]['timestamp'])
    assert untouched[0]['timestamp'].startswith('[[[[DT_')
    assert exc.value.message_id == untouched[0]['message_id']


def test_icehouse_scheduler_names_map_to_select_destinations():
    messages, values = samples.notigen(24)
    obs = parse_all(messages)
    scheduler = [(o.event_type, o.kind) for o in obs
                 if o.event_type.startswith('scheduler.')]
    assert scheduler == [
        ('scheduler.run_instance.start',
         'scheduler.select_destinations.start'),
        ('scheduler.run_instance.scheduled',
         'scheduler.select_destinations.end'),
        ('scheduler.run_instance.end', 'scheduler.select_destinations.end')]
    scheduled = obs[2]
    assert scheduled.details['selected_host'] == 'host-1'
    assert scheduled.host is None
    start = obs[1]
    assert start.details['flavor'] == 'Instance_1'
    assert start.details['image_id'] == values['UUID_2']
    assert start.details['boot_from_volume'] is False


def test_successful_boot_task_states():
    obs = parse_all(samples.notigen(24)[0])
    updates = [(o.old_task_state, o.task_state) for o in obs
               if o.kind == 'instance.update']
    assert updates[:7] == [
        (None, 'scheduling'), ('scheduling', None), (None, None),
        (None, 'networking'), ('networking', 'block_device_mapping'),
        (None, 'block_device_mapping'),
        ('block_device_mapping', 'spawning')]
    assert updates[-1] == ('spawning', None)
    # Progress updates repeat spawning -> spawning.
    assert updates.count((None, 'spawning')) == 11
    last = obs[-1]
    assert (last.kind, last.state, last.task_state) == (
        'instance.create.end', 'active', None)


def test_delete_during_spawn():
    obs = parse_all(samples.notigen(23)[0])
    deleting = [o for o in obs if o.task_state == 'deleting']
    assert len(deleting) == 2
    assert obs[-1].kind == 'instance.create.end'
    assert obs[-1].state == 'building'


def test_three_reschedules_then_no_valid_host():
    messages, values = samples.notigen(65)
    obs = parse_all(messages)
    kinds = collections.Counter(o.kind for o in obs)
    assert kinds['instance.create.start'] == 3
    assert kinds['instance.create.error'] == 6
    assert kinds['scheduler.select_destinations.start'] == 4
    original = [o for o in obs if o.event_type ==
                'compute.instance.instance.create.error']
    rescheduled = [o for o in obs
                   if o.event_type == 'compute.instance.create.error']
    assert len(original) == len(rescheduled) == 3
    for o in original:
        # A XenServer error: the class is not in the message.
        assert (o.fault.exception, o.fault.message, o.fault.code) == (
            None, 'VDI too big for requested resize up.', 500)
        assert o.priority == 'ERROR'
    for o in rescheduled:
        assert o.fault.exception == 'RescheduledException'
        assert o.fault.message == (
            'Build of instance %s was re-scheduled: VDI too big for '
            'requested resize up.' % values['UUID_1'])
    back = [o for o in obs if o.kind == 'instance.update' and
            o.old_task_state == 'spawning' and o.task_state == 'scheduling']
    assert len(back) == 3
    error_update = obs[-2]
    assert (error_update.old_state, error_update.state) == (
        'building', 'error')
    final = obs[-1]
    assert final.event_type == 'scheduler.run_instance'
    assert final.kind == 'compute_task.build_instances.error'
    assert final.state == 'error'
    assert final.fault.exception == 'NoValidHost'
    assert final.fault.message == (
        'Exceeded max scheduling attempts 3 for instance %s'
        % values['UUID_1'])
    assert final.fault.code == 500


def test_ceilometer_create_end():
    (obs,) = notification.parse(samples.load(
        'legacy', 'ceilometer', 'INSTANCE_CREATE_END.json')).observations
    assert obs.kind == 'instance.create.end'
    assert obs.instance_uuid == '9f9d01b9-4a58-4271-9e27-398b21ab20d1'
    assert (obs.host, obs.state, obs.task_state) == (
        'compute-host-name', 'active', None)
    assert obs.request_id == 'req-d68b36e0-9233-467f-9afb-d81435d64d66'
    assert (obs.publisher_service, obs.publisher_host) == (
        'nova-compute', 'vagrant-precise')
    # image_ref is the word "UUID" in this fixture: no image id.
    assert 'image_id' not in obs.details
    assert obs.details['flavor'] == 'm1.tiny'


def test_ceilometer_scheduled_has_a_fake_instance_id():
    message = samples.load('legacy', 'ceilometer', 'INSTANCE_SCHEDULED.json')
    with pytest.raises(notification.ParseError) as exc:
        notification.parse(message)
    assert exc.value.reason == \
        "payload.instance_id: not a UUID ('fake-uuid1-1')"
    assert exc.value.message_id == 'd6c1ae63-a26b-47c7-8397-8794216e09dd'


def test_searchlight_failed_schedule_updates():
    events = samples.load('legacy', 'searchlight', 'servers.json')
    during = notification.parse(
        events['instance-update-error-during-schedule'])
    (obs,) = during.observations
    assert (obs.old_state, obs.state, obs.old_task_state, obs.task_state) \
        == ('building', 'error', 'scheduling', None)
    assert obs.message_id == '079faabc-002e-44f8-9182-1ae7ae238d18'
    assert obs.timestamp.isoformat() == '2016-08-31T23:32:12.587987+00:00'
    # Stored without the priority the endpoint method carried.
    assert obs.priority == 'INFO'
    assert obs.project_id == 'b1fbc598025841899f63333269abe1d2'
    assert obs.request_id is None
    # As upstream captured it: a nova message published as network.*.
    assert obs.publisher_service == 'neutron'
    (final,) = notification.parse(
        events['instance-update-error-final']).observations
    assert (final.old_state, final.state) == ('error', 'error')
