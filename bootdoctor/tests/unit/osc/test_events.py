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


import json

import yaml

from bootdoctor.tests.unit.client import fakes

EVENTS = fakes.BOOT_URL + '/v1/boots/%s/events' % fakes.UUID


def _event(n, event_type, state=None, task_state=None, fault=None):
    return {
        'message_id': 'msg-%d' % n, 'kind': 'instance.update',
        'event_type': event_type, 'source': 'nova', 'format': 'versioned',
        'priority': 'INFO' if not fault else 'ERROR',
        'publisher_id': 'nova-compute:compute-2',
        'publisher_service': 'nova-compute', 'publisher_host': 'compute-2',
        'timestamp': '2024-05-01T12:00:%02d+00:00' % n,
        'instance_uuid': fakes.UUID, 'request_id': fakes.REQUEST_ID,
        'global_request_id': None, 'project_id': fakes.PROJECT_ID,
        'user_id': fakes.USER_ID, 'host': 'compute-2',
        'node': 'compute-2.example.org', 'state': state,
        'old_state': 'building', 'task_state': task_state,
        'old_task_state': None, 'fault': fault, 'details': {}}


EVENT_LIST = [
    _event(17, 'instance.create.error', 'error', None, fakes.FAULT),
    _event(10, 'instance.update', 'building', 'networking'),
]


def test_event_list_sorted_by_time(osc, api):
    api.get(EVENTS, json={'events': EVENT_LIST})
    result = osc('boot', 'event', 'list', fakes.UUID)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert [c.strip() for c in lines[1].split('|')[1:-1]] == [
        'Timestamp', 'Event Type', 'Kind', 'Publisher', 'State',
        'Task State', 'Fault']
    assert 'instance.update' in lines[3] and 'networking' in lines[3]
    assert 'instance.create.error' in lines[4]
    assert 'PortBindingFailed: Binding failed' in lines[4]


def test_event_list_long_json(osc, api):
    api.get(EVENTS, json={'events': EVENT_LIST})
    result = osc('boot', 'event', 'list', fakes.UUID, '--long', '-f', 'json')
    data = json.loads(result.out)
    assert [row['Message ID'] for row in data] == ['msg-10', 'msg-17']
    assert data[1]['Fault'] == fakes.FAULT
    assert data[1]['Old State'] == 'building'


def test_event_list_by_name(osc, api):
    api.get(fakes.COMPUTE_URL + '/servers', json={'servers': [
        {'id': fakes.UUID, 'name': 'web-1'}]})
    api.get(EVENTS, json={'events': []})
    result = osc('boot', 'event', 'list', 'web-1', '-f', 'csv')
    assert result.code == 0, result.err
    assert result.out.startswith('"Timestamp","Event Type"')


def test_event_list_404(osc, api):
    api.get(EVENTS, status_code=404, json={})
    result = osc('boot', 'event', 'list', fakes.UUID)
    assert result.code == 1
    assert result.err.strip().startswith(
        'No boot record for server %s (HTTP 404)' % fakes.UUID)


def test_event_list_yaml_value_csv(osc, api):
    api.get(EVENTS, json={'events': EVENT_LIST})
    result = osc('boot', 'event', 'list', fakes.UUID, '-f', 'yaml')
    assert [row['Event Type'] for row in yaml.safe_load(result.out)] == [
        'instance.update', 'instance.create.error']
    result = osc('boot', 'event', 'list', fakes.UUID, '-f', 'value', '-c',
                 'Event Type', '-c', 'Task State')
    assert result.out.splitlines() == ['instance.update networking',
                                       'instance.create.error None']
    result = osc('boot', 'event', 'list', fakes.UUID, '-f', 'csv', '-c',
                 'Event Type', '-c', 'State')
    assert result.out.splitlines() == [
        '"Event Type","State"', '"instance.update","building"',
        '"instance.create.error","error"']
