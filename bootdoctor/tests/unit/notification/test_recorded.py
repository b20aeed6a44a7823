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

"""Streams recorded from a real Nova 34 boot, parsed message by message."""

import datetime

import pytest

from bootdoctor import notification
from bootdoctor.tests.unit.notification import samples

STREAMS = ('a_boot_success', 'c_no_valid_host', 'e2_spawn_fail_single_host')


def parse_stream(name):
    items = list(notification.read_messages(
        samples.path('recorded', name + '.jsonl')))
    assert all(isinstance(item, dict) for _line, item in items)
    return [notification.parse(item) for _line, item in items]


def observations(name):
    result = []
    for parsed in parse_stream(name):
        assert len(parsed.observations) == 1
        result.append(parsed.observations[0])
    return result


def expected(name):
    return samples.load('recorded', name + '.expected.json')['servers'][0]


@pytest.mark.parametrize('name', STREAMS)
def test_every_message_names_the_server_nova_reported(name):
    server = expected(name)
    obs = observations(name)
    assert {o.instance_uuid for o in obs} == {server['id']}
    request_ids = {a['request_id'] for a in server['instance_actions']}
    assert {o.request_id for o in obs} == request_ids
    assert {o.project_id for o in obs} == {server['server']['tenant_id']}
    assert {o.user_id for o in obs} == {server['server']['user_id']}


@pytest.mark.parametrize('name', STREAMS)
def test_twins_share_a_kind_and_keep_their_own_ids(name):
    rows = samples.jsonl('recorded', name + '.jsonl')
    obs = observations(name)
    for row, o in zip(rows, obs):
        assert o.message_id == row['message_id']
        assert o.format == row['format']
        assert o.timestamp == datetime.datetime.strptime(
            row['timestamp'], '%Y-%m-%d %H:%M:%S.%f').replace(
                tzinfo=datetime.timezone.utc)
    legacy = [o.kind for o in obs if o.format == 'legacy']
    versioned = [o.kind for o in obs if o.format == 'versioned']
    assert legacy == versioned


def test_successful_boot_task_states_and_host():
    obs = [o for o in observations('a_boot_success')
           if o.format == 'versioned']
    assert [o.kind for o in obs] == [
        'scheduler.select_destinations.start',
        'scheduler.select_destinations.end',
        'instance.update', 'instance.update', 'instance.create.start',
        'instance.update', 'instance.update', 'instance.update',
        'instance.update', 'instance.update', 'instance.create.end']
    updates = [(o.publisher_service, o.publisher_host, o.host,
                o.old_task_state, o.task_state, o.state)
               for o in obs if o.kind == 'instance.update']
    assert updates == [
        ('nova-conductor', 'controller', None, 'scheduling', 'scheduling',
         'building'),
        ('nova-compute', 'compute1', None, 'scheduling', None, 'building'),
        ('nova-compute', 'compute1', 'compute1', None, None, 'building'),
        ('nova-compute', 'compute1', 'compute1', 'networking', 'networking',
         'building'),
        ('nova-compute', 'compute1', 'compute1', 'networking',
         'block_device_mapping', 'building'),
        ('nova-compute', 'compute1', 'compute1', 'block_device_mapping',
         'spawning', 'building'),
        ('nova-compute', 'compute1', 'compute1', 'spawning', None,
         'active'),
    ]
    end = obs[-1]
    assert (end.host, end.node, end.state, end.fault) == (
        'compute1', 'compute1', 'active', None)
    assert end.details['image_id'] == '155d900f-4e14-4e4c-a73d-069cbf4541e6'
    assert end.details['boot_from_volume'] is False
    assert end.details['flavor'] == 'm1.tiny'
    assert end.details['display_name'] == 'rec-a'


def test_legacy_twin_has_the_same_transitions():
    obs = observations('a_boot_success')
    legacy = [(o.old_task_state, o.task_state, o.host, o.state)
              for o in obs if o.format == 'legacy']
    versioned = [(o.old_task_state, o.task_state, o.host, o.state)
                 for o in obs if o.format == 'versioned']
    assert legacy == versioned
    scheduler = [o for o in obs if o.kind.startswith('scheduler.')]
    assert {(o.publisher_service, o.publisher_host) for o in scheduler} == {
        ('nova-scheduler', 'controller')}


def test_no_valid_host_fault_in_both_formats():
    obs = observations('c_no_valid_host')
    assert [o.kind for o in obs] == [
        'instance.update', 'instance.update',
        'compute_task.build_instances.error',
        'compute_task.build_instances.error']
    update = obs[1]
    assert (update.old_state, update.state, update.old_task_state,
            update.task_state) == ('building', 'error', 'scheduling', None)
    # An update saved by the conductor is published as nova-compute.
    assert update.publisher_id == 'nova-compute:controller'
    legacy, versioned = obs[2], obs[3]
    assert legacy.publisher_service == versioned.publisher_service == \
        'nova-conductor'
    assert legacy.priority == versioned.priority == 'ERROR'
    message = expected('c_no_valid_host')['fault']['message']
    assert (legacy.fault.exception, legacy.fault.message,
            legacy.fault.code) == ('NoValidHost', message, 500)
    assert (versioned.fault.exception, versioned.fault.message) == (
        'NoValidHost', message)
    assert versioned.fault.module == 'nova.scheduler.manager'
    assert versioned.fault.function == 'select_destinations'
    assert 'raise exception.NoValidHost' in versioned.fault.traceback
    assert legacy.state == versioned.state == 'error'


def test_spawn_failure_reschedule_then_max_retries():
    obs = observations('e2_spawn_fail_single_host')
    errors = [o for o in obs if o.kind == 'instance.create.error']
    assert len(errors) == 2
    for o in errors:
        assert o.fault.exception == 'ComputeResourcesUnavailable'
        assert o.fault.message == ('Insufficient compute resources: spawn '
                                   'failed on compute1.')
        # The host is cleared before create.error is sent.
        assert o.host is None
        assert o.task_state == 'spawning'
        assert o.publisher_host == 'compute1'
    assert [o.fault.code for o in errors] == [400, None]
    back = [o for o in obs if o.kind == 'instance.update' and
            o.task_state == 'scheduling' and o.old_task_state == 'spawning']
    assert len(back) == 2
    final = [o for o in obs if o.kind == 'compute_task.build_instances.error']
    message = expected('e2_spawn_fail_single_host')['fault']['message']
    assert [(o.format, o.fault.exception, o.fault.message) for o in final] \
        == [('legacy', 'MaxRetriesExceeded', message),
            ('versioned', 'MaxRetriesExceeded', message)]
    shutdown = [o.kind for o in obs if o.kind.startswith('instance.shutdown')]
    assert shutdown == ['instance.shutdown.start'] * 2 + \
        ['instance.shutdown.end'] * 2


@pytest.mark.parametrize('name', STREAMS)
def test_the_kept_message_parses_to_the_same_observations(name):
    for parsed in parse_stream(name):
        again = notification.parse(parsed.message)
        assert again.message == parsed.message
        assert [o.to_dict() for o in again.observations] == \
            [o.to_dict() for o in parsed.observations]


def test_kept_message_masks_the_auth_token():
    row = samples.jsonl('recorded', 'a_boot_success.jsonl')[0]
    row['ctxt']['auth_token'] = 'gAAAAABsecret'
    parsed = notification.parse(row)
    assert parsed.message['ctxt']['auth_token'] == '***'
    assert 'gAAAAABsecret' not in repr(parsed.message)
    assert parsed.message['ctxt']['request_id'] == row['ctxt']['request_id']
