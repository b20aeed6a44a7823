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

"""The reading of Nova's API answers that the e2e tests rely on.

The inputs are shaped as Nova 34.0.0's API returned them in the e2e runs
(admin view, latest microversion).
"""

import nova_truth

NO_VALID_HOST_DETAILS = (
    'Traceback (most recent call last):\n'
    '  File "/opt/stack/nova/nova/conductor/manager.py", line 1683, in '
    'schedule_and_build_instances\n'
    '    host_lists = self._schedule_instances(context, request_specs[0],\n'
    '  File "/opt/stack/nova/nova/scheduler/manager.py", line 283, in '
    'select_destinations\n'
    '    raise exception.NoValidHost(reason="")\n'
    'nova.exception.NoValidHost: No valid host was found. \n')


def _server(found=True, status='ACTIVE', events=()):
    return {
        'found': found,
        'status': status if found else None,
        'instance_actions': [{
            'action': 'create',
            'request_id': 'req-1',
            'events': [{'event': name, 'host': host}
                       for name, host in events],
        }],
    }


def test_status_of_a_gone_server_is_deleted():
    assert nova_truth.expected_status(_server(found=False)) == 'deleted'
    assert nova_truth.expected_status(_server(status='ERROR')) == 'error'
    assert nova_truth.expected_status(_server(status='ACTIVE')) == 'active'


def test_attempts_follow_the_compute_build_events():
    server = _server(events=[
        ('compute__do_build_and_run_instance', 'compute2'),
        ('compute__do_build_and_run_instance', 'compute1'),
    ])
    assert nova_truth.attempt_hosts(server) == ['compute2', 'compute1']
    assert nova_truth.expected_outcomes(server) == ['failed', 'success']


def test_conductor_events_are_not_attempts():
    server = _server(status='ERROR', events=[
        ('conductor_schedule_and_build_instances', 'controller')])
    assert nova_truth.attempt_hosts(server) == []
    assert nova_truth.expected_outcomes(server) == []


def test_every_attempt_of_a_failed_boot_failed():
    server = _server(status='ERROR', events=[
        ('compute__do_build_and_run_instance', 'compute2'),
        ('compute__do_build_and_run_instance', 'compute1'),
    ])
    assert nova_truth.expected_outcomes(server) == ['failed', 'failed']


def test_a_deleted_boot_ends_with_an_aborted_attempt():
    server = _server(found=False, events=[
        ('compute__do_build_and_run_instance', 'compute1')])
    assert nova_truth.expected_outcomes(server) == ['aborted']


def test_fault_exception_is_read_from_the_traceback():
    fault = {'message': 'No valid host was found. ',
             'details': NO_VALID_HOST_DETAILS, 'code': 500}
    assert nova_truth.fault_exception(fault) == 'NoValidHost'


def test_fault_without_a_traceback_has_no_exception():
    assert nova_truth.fault_exception(None) is None
    assert nova_truth.fault_exception(
        {'message': 'x', 'details': 'just text', 'code': 500}) is None
