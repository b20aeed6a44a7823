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

"""Nova's versioned notification samples (doc/notification_samples)."""

import datetime

import pytest

from bootdoctor import notification
from bootdoctor.tests.unit.notification import samples

WHEN = datetime.datetime(2026, 11, 25, 8, 0, tzinfo=datetime.timezone.utc)
SERVER = '178b0921-8f85-4257-88b6-2e743b5a975c'
SPEC_INSTANCE = 'd5e6a7b7-80e5-4166-85a3-cd6115201082'
IMAGE = '155d900f-4e14-4e4c-a73d-069cbf4541e6'
PROJECT = '6f70656e737461636b20342065766572'


def observe(name_or_message):
    message = name_or_message
    if isinstance(message, str):
        message = samples.nova_sample(message)
    parsed = notification.parse(message, default_timestamp=WHEN)
    (obs,) = parsed.observations
    return obs


def test_refs_resolve_as_in_nova():
    sample = samples.nova_sample('instance-create-error.json')
    data = sample['payload']['nova_object.data']
    # From InstancePayload, three references down, then overridden.
    assert data['uuid'] == SERVER
    assert data['host'] is None
    assert data['flavor']['nova_object.data']['name'] == 'test_flavor'
    assert data['fault']['nova_object.data']['exception'] == \
        'FlavorDiskTooSmall'
    assert sample['payload']['nova_object.name'] == 'InstanceCreatePayload'


@pytest.mark.parametrize('name', samples.NOVA_SAMPLES)
def test_every_sample_parses(name):
    obs = observe(name)
    assert obs.format == 'versioned'
    assert obs.source == 'nova'
    assert obs.kind == samples.load('nova-samples', name)['event_type']
    assert obs.timestamp == WHEN
    assert obs.message_id.startswith('sha1-')
    assert obs.project_id == PROJECT
    assert obs.user_id == 'fake'


@pytest.mark.parametrize('name', samples.NOVA_SAMPLES)
def test_samples_need_a_default_timestamp(name):
    with pytest.raises(notification.ParseError) as exc:
        notification.parse(samples.nova_sample(name))
    assert exc.value.reason.startswith('timestamp: missing')


def test_create_start():
    obs = observe('instance-create-start.json')
    assert (obs.instance_uuid, obs.host, obs.node, obs.state,
            obs.task_state) == (SERVER, None, None, 'building', None)
    assert obs.request_id == 'req-5b6c791d-5709-4f36-8fbe-c3e02869e35d'
    assert (obs.publisher_service, obs.publisher_host) == (
        'nova-compute', 'compute')
    assert obs.fault is None
    assert dict(obs.details) == {
        'image_id': IMAGE, 'display_name': 'some-server',
        'reservation_id': 'r-npxv0e40', 'flavor': 'test_flavor',
        'block_devices': 0, 'boot_from_volume': False}


def test_create_end_has_the_host():
    obs = observe('instance-create-end.json')
    assert (obs.kind, obs.host, obs.node, obs.state, obs.priority) == (
        'instance.create.end', 'compute', 'fake-mini', 'active', 'INFO')


def test_create_error_fault():
    obs = observe('instance-create-error.json')
    assert obs.priority == 'ERROR'
    assert obs.host is None
    assert obs.fault.exception == 'FlavorDiskTooSmall'
    assert obs.fault.message == \
        "The created instance's disk would be too small."
    assert obs.fault.function == '_build_resources'
    assert obs.fault.module == \
        'nova.tests.functional.notification_sample_tests.test_instance'
    assert obs.fault.traceback.startswith('Traceback')
    assert obs.fault.code is None


def test_update_state_transition():
    obs = observe('instance-update.json')
    assert (obs.old_state, obs.state, obs.old_task_state, obs.task_state) \
        == ('building', 'active', None, 'scheduling')
    assert (obs.host, obs.node) == ('compute', 'fake-mini')
    assert obs.publisher_host == 'fake-mini'


def test_delete_before_scheduling():
    start = observe('instance-delete-start_not_scheduled.json')
    end = observe('instance-delete-end_not_scheduled.json')
    assert (start.kind, start.state, start.task_state, start.host) == (
        'instance.delete.start', 'error', 'deleting', None)
    assert (end.kind, end.state, end.host) == (
        'instance.delete.end', 'deleted', None)
    assert start.publisher_service == end.publisher_service == 'nova-api'


@pytest.mark.parametrize('phase', ['start', 'end'])
def test_select_destinations_request_spec(phase):
    obs = observe('scheduler-select_destinations-%s.json' % phase)
    assert obs.kind == 'scheduler.select_destinations.%s' % phase
    assert obs.instance_uuid == SPEC_INSTANCE
    assert obs.publisher_service == 'nova-scheduler'
    assert obs.host is None
    assert dict(obs.details) == {'flavor': 'test_flavor', 'image_id': IMAGE,
                                 'num_instances': 1}


def test_build_instances_error_reason():
    obs = observe('compute_task-build_instances-error.json')
    assert obs.kind == 'compute_task.build_instances.error'
    assert obs.instance_uuid == SPEC_INSTANCE
    assert obs.state == 'error'
    assert obs.publisher_service == 'nova-conductor'
    assert obs.fault.exception == 'NoValidHost'
    assert obs.fault.message == ('No valid host was found. There are not '
                                 'enough hosts available.')
    assert (obs.fault.module, obs.fault.function) == (
        'nova.conductor.manager', '_schedule_instances')


def _boot_from_volume(image_uuid, block_devices):
    sample = samples.nova_sample('instance-create-end.json')
    data = sample['payload']['nova_object.data']
    data['image_uuid'] = image_uuid
    data['block_devices'] = block_devices
    return observe(sample)


def test_boot_from_volume_needs_no_image_and_a_root_volume():
    root = samples.resolve_refs(
        {'$ref': 'common_payloads/BlockDevicePayload.json#',
         'nova_object.data': {'boot_index': 0, 'device_name': '/dev/vda'}},
        samples.path('nova-samples'))
    obs = _boot_from_volume('', [root])
    assert obs.details['boot_from_volume'] is True
    assert obs.details['block_devices'] == 1
    assert 'image_id' not in obs.details
    data_disk = samples.resolve_refs(
        {'$ref': 'common_payloads/BlockDevicePayload.json#'},
        samples.path('nova-samples'))
    assert _boot_from_volume('', [data_disk]).details[
        'boot_from_volume'] is False
    # block_devices null: Nova did not load them, so it is not known.
    unknown = _boot_from_volume('', None)
    assert 'boot_from_volume' not in unknown.details
    assert 'block_devices' not in unknown.details
    assert _boot_from_volume(IMAGE, [root]).details[
        'boot_from_volume'] is False


def test_context_wins_over_the_payload():
    sample = samples.nova_sample('instance-create-start.json')
    sample['ctxt'] = {'request_id': 'req-from-context',
                      'global_request_id': 'req-global',
                      'project_id': 'p-ctx', 'user_id': 'u-ctx'}
    obs = observe(sample)
    assert (obs.request_id, obs.global_request_id, obs.project_id,
            obs.user_id) == ('req-from-context', 'req-global', 'p-ctx',
                             'u-ctx')


def test_volume_attach_names_the_volume():
    sample = samples.nova_sample('instance-create-end.json')
    sample['event_type'] = 'instance.volume_attach.end'
    sample['payload']['nova_object.data']['volume_id'] = \
        'a07f71dc-8151-4e7d-a0cc-cd24a3f11113'
    obs = observe(sample)
    assert obs.kind == 'instance.volume_attach.end'
    assert obs.details['volume_id'] == 'a07f71dc-8151-4e7d-a0cc-cd24a3f11113'


def test_versioned_payload_under_a_legacy_name_is_refused():
    sample = samples.nova_sample('instance-create-end.json')
    sample['event_type'] = 'compute.instance.create.end'
    with pytest.raises(notification.ParseError) as exc:
        observe(sample)
    assert 'versioned Nova object under the legacy event type' in \
        exc.value.reason


def test_legacy_payload_under_a_versioned_name_is_refused():
    row = samples.jsonl('recorded', 'a_boot_success.jsonl')[4]
    row['event_type'] = 'instance.update'
    with pytest.raises(notification.ParseError) as exc:
        notification.parse(row)
    assert exc.value.reason == ('payload: expected a versioned Nova object '
                                '(nova_object.data) for instance.update')
    assert exc.value.message_id == row['message_id']
