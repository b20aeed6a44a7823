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


"""Test data: a Keystone token with a catalogue, boot records, steps.

The boot record follows the shape of ``BootRecord.to_dict()``: a boot
rescheduled once after a port binding failure on compute-1 and failed
for good on compute-2.
"""

import copy

from keystoneauth1 import fixture

AUTH_URL = 'http://keystone.example:5000/v3'
BOOT_URL = 'http://boot.example:8795'
BOOT_INTERNAL_URL = 'http://boot-internal.example:8795'
BOOT_OTHER_REGION_URL = 'http://boot-two.example:8795'
COMPUTE_URL = 'http://nova.example:8774/v2.1'
TOKEN_ID = 'gAAAAABtoken'
PROJECT_ID = '5a1c3d0ef0a84e2b9c1b6f0f4ea6c0aa'
USER_ID = 'c4f2c1bd4a0e4ee8b6b0f1f38f3f2d11'
UUID = '2e4f6a8c-1b3d-4f5a-8c7e-9d0b1a2c3e4f'
UUID2 = '7a9c1e3f-5b7d-4e2a-9c4e-6f8a0b2c4d6e'
REQUEST_ID = 'req-0b6f1f2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b'

PHASES = ('scheduling', 'networking', 'block_device_mapping', 'spawning')
TITLES = (
    'API receives the boot request', 'API validates and quotas',
    'API creates the instance record', 'Conductor builds the request',
    'Scheduler filters hosts', 'Scheduler weighs hosts',
    'Placement claims resources', 'Conductor casts to compute',
    'Compute claims the node', 'Compute allocates the network',
    'Neutron creates the port', 'Neutron binds the port',
    'DHCP prepares the address', 'Port becomes active',
    'Compute maps block devices', 'Cinder reserves the volume',
    'Cinder attaches the volume', 'Image download starts',
    'Image download completes', 'Compute builds the guest XML',
    'Libvirt defines the domain', 'VIF plugged event received',
    'Libvirt starts the domain', 'Guest power state running',
    'Compute reports the build', 'Task state cleared',
    'Instance becomes ACTIVE', 'Notification instance.create.end',
    'Boot complete',
)


def phase_of(number):
    if number <= 9:
        return 'scheduling'
    if number <= 14:
        return 'networking'
    if number <= 19:
        return 'block_device_mapping'
    return 'spawning'


def steps(reached=29, failed=None, at='2024-05-01T12:00:%02dZ'):
    result = []
    for number in range(1, 30):
        state = 'observed' if number <= reached else 'pending'
        if number == failed:
            state = 'failed'
        elif number in (6, 7) and number <= reached:
            state = 'inferred'
        result.append({
            'number': number, 'title': TITLES[number - 1],
            'phase': phase_of(number), 'components': ['nova-compute'],
            'state': state,
            'at': at % number if state != 'pending' else None,
            'evidence': ['compute.instance.update'] if state == 'observed'
            else []})
    return result


FAULT = {
    'exception': 'PortBindingFailed',
    'message': 'Binding failed for port 3c1d, please check neutron logs '
               'for more information.',
    'code': 500,
    'traceback': 'Traceback (most recent call last):\n  File "x.py"',
}

ERROR_RECORD = {
    'instance_uuid': UUID,
    'request_id': REQUEST_ID,
    'project_id': PROJECT_ID,
    'user_id': USER_ID,
    'status': 'error',
    'phase': 'networking',
    'step': 12,
    'host': 'compute-2',
    'node': 'compute-2.example.org',
    'attempts': [
        {'host': 'compute-1', 'node': 'compute-1.example.org',
         'started_at': '2024-05-01T12:00:09Z',
         'ended_at': '2024-05-01T12:00:12Z', 'outcome': 'aborted',
         'fault': {'exception': 'RescheduledException',
                   'message': 'Build of instance was re-scheduled: '
                              'Binding failed for port 3c1d',
                   'code': 500, 'traceback': None}},
        {'host': 'compute-2', 'node': 'compute-2.example.org',
         'started_at': '2024-05-01T12:00:14Z',
         'ended_at': '2024-05-01T12:00:17Z', 'outcome': 'failed',
         'fault': FAULT},
    ],
    'fault': FAULT,
    'root_cause': {
        'exception': 'PortBindingFailed',
        'message': FAULT['message'],
        'step': 12, 'component': 'neutron-openvswitch-agent',
        'host': 'compute-2'},
    'steps': steps(reached=12, failed=12),
    'phases': {
        'scheduling': {'started_at': '2024-05-01T12:00:01Z',
                       'ended_at': '2024-05-01T12:00:09Z',
                       'duration_s': 8.0},
        'networking': {'started_at': '2024-05-01T12:00:10Z',
                       'ended_at': None, 'duration_s': None},
        'block_device_mapping': {'started_at': None, 'ended_at': None,
                                 'duration_s': None},
        'spawning': {'started_at': None, 'ended_at': None,
                     'duration_s': None},
    },
    'created_at': '2024-05-01T12:00:01Z',
    'updated_at': '2024-05-01T12:00:17Z',
    'finished_at': '2024-05-01T12:00:17Z',
    'duration_s': 16.0,
    'diagnosis': {
        'summary': 'Port binding failed on compute-2 after a reschedule '
                   'from compute-1: the Open vSwitch agent on compute-2 '
                   'is down or misconfigured.',
        'logs': [
            {'host': 'compute-2',
             'path': '/var/log/neutron/neutron-openvswitch-agent.log',
             'grep': REQUEST_ID},
            {'host': 'controller', 'path': '/var/log/neutron/server.log',
             'grep': 'binding_failed'},
        ],
        'actions': [
            'openstack network agent list --host compute-2',
            'openstack port show 3c1d',
            'openstack server event list %s' % UUID,
        ],
        'notes': [],
    },
}

ACTIVE_RECORD = {
    'instance_uuid': UUID2,
    'request_id': 'req-11111111-2222-4333-8444-555555555555',
    'project_id': PROJECT_ID,
    'user_id': USER_ID,
    'status': 'active',
    'phase': None,
    'step': 29,
    'host': 'compute-1',
    'node': 'compute-1.example.org',
    'attempts': [
        {'host': 'compute-1', 'node': 'compute-1.example.org',
         'started_at': '2024-05-01T12:00:09Z',
         'ended_at': '2024-05-01T12:00:29Z', 'outcome': 'success',
         'fault': None}],
    'fault': None,
    'root_cause': None,
    'steps': steps(),
    'phases': {name: {'started_at': '2024-05-01T12:00:01Z',
                      'ended_at': '2024-05-01T12:00:05Z', 'duration_s': 4.0}
               for name in PHASES},
    'created_at': '2024-05-01T12:00:01Z',
    'updated_at': '2024-05-01T12:00:29Z',
    'finished_at': '2024-05-01T12:00:29Z',
    'duration_s': 28.0,
    'diagnosis': {'summary': 'The server booted in 28 s.', 'logs': [],
                  'actions': [], 'notes': []},
}


def record(base=ERROR_RECORD, **changes):
    result = copy.deepcopy(base)
    result.update(changes)
    return result


CATALOGUE = [
    {'number': n, 'title': TITLES[n - 1], 'phase': phase_of(n),
     'components': ['nova-compute'], 'channel': 'rpc.cast',
     'description': 'What happens at step %d.' % n, 'modern': None,
     'evidence': [{'kind': 'compute.instance.update'}],
     'skipped_when': [], 'failures': [
         {'summary': 'The port cannot be bound',
          'exceptions': ['PortBindingFailed'],
          'component': 'neutron-openvswitch-agent',
          'actions': ['openstack network agent list']}] if n == 12 else [],
     'tools': ['openstack port show'], 'actions': []}
    for n in range(1, 30)
]


def token(catalogue=True):
    """A Keystone v3 token body with boot-diagnostics and compute."""
    body = fixture.V3Token(project_id=PROJECT_ID, project_name='demo',
                           user_id=USER_ID, user_name='alice')
    if catalogue:
        service = body.add_service('boot-diagnostics', name='bootdoctor')
        service.add_standard_endpoints(public=BOOT_URL,
                                       internal=BOOT_INTERNAL_URL,
                                       region='RegionOne')
        service.add_endpoint('public', BOOT_OTHER_REGION_URL,
                             region='RegionTwo')
        compute = body.add_service('compute', name='nova')
        compute.add_standard_endpoints(public=COMPUTE_URL,
                                       region='RegionOne')
    return body


def mock_keystone(requests_mock, catalogue=True):
    requests_mock.get(AUTH_URL, json=fixture.V3Discovery(AUTH_URL))
    requests_mock.post(AUTH_URL + '/auth/tokens', json=token(catalogue),
                       headers={'X-Subject-Token': TOKEN_ID},
                       status_code=201)


def mock_boot_pages(requests_mock, count, *, default_limit=100,
                    max_limit=1000, url=BOOT_URL):
    """GET /v1/boots over ``count`` boots, paged as bootdoctor-api does.

    A limit above ``max_limit`` is a 400 naming the parameter; no limit
    means ``default_limit``; next links carry the page's limit and the
    marker of its last boot. Returns the list of instance UUIDs.
    """
    uuids = ['%08d-0000-4000-8000-000000000000' % n for n in range(count)]

    def respond(request, context):
        limit = int(request.qs.get('limit', [default_limit])[0])
        if not 1 <= limit <= max_limit:
            context.status_code = 400
            return {'error': {
                'code': 400, 'title': 'Bad Request', 'parameter': 'limit',
                'message': 'limit: must be between 1 and %d, not %d'
                           % (max_limit, limit)}}
        marker = request.qs.get('marker', [None])[0]
        start = uuids.index(marker) + 1 if marker else 0
        page = uuids[start:start + limit]
        body = {'boots': [record(ACTIVE_RECORD, instance_uuid=u)
                          for u in page], 'links': []}
        if start + limit < count:
            body['links'].append({'rel': 'next', 'href': '%s/v1/boots?'
                                  'limit=%d&marker=%s'
                                  % (url, limit, page[-1])})
        return body
    requests_mock.get(url + '/v1/boots', json=respond)
    return uuids
