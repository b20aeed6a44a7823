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


import pytest
import requests

from bootdoctor.client import exceptions
from bootdoctor.client import servers
from bootdoctor.tests.unit.client import fakes
from bootdoctor.tests.unit.client import test_http

SERVERS_URL = fakes.COMPUTE_URL + '/servers'


@pytest.fixture
def keystone(requests_mock):
    fakes.mock_keystone(requests_mock)
    return requests_mock


def resolver(**kwargs):
    return servers.ServerResolver(test_http.make_session(), **kwargs)


@pytest.mark.parametrize('value, expected', [
    (fakes.UUID, True),
    (fakes.UUID.upper(), True),
    (fakes.UUID.replace('-', ''), True),
    ('web-1', False),
    ('2e4f6a8c-1b3d-4f5a-8c7e', False),
    ('{%s}' % fakes.UUID, False),
    ('', False),
])
def test_is_uuid(value, expected):
    assert servers.is_uuid(value) is expected


def test_a_uuid_needs_no_lookup(keystone):
    assert resolver().resolve(fakes.UUID.upper()) == fakes.UUID
    assert not [r for r in keystone.request_history
                if r.url.startswith(fakes.COMPUTE_URL)]


def test_a_name_is_looked_up_anchored_and_escaped(keystone):
    keystone.get(SERVERS_URL, json={'servers': [
        {'id': fakes.UUID, 'name': 'web.1 (db)'}]})
    assert resolver().resolve('web.1 (db)') == fakes.UUID
    request = keystone.last_request
    assert request.headers['X-Auth-Token'] == fakes.TOKEN_ID
    assert request.qs['name'] == [r'^web\.1\ \(db\)$']
    assert 'all_tenants' not in request.qs


def test_all_projects_looks_everywhere(keystone):
    keystone.get(SERVERS_URL, json={'servers': [
        {'id': fakes.UUID, 'name': 'web-1'}]})
    assert resolver().resolve('web-1', all_projects=True) == fakes.UUID
    assert keystone.last_request.qs['all_tenants'] == ['1']


def test_only_exact_names_count(keystone):
    # A backend that treats the pattern loosely must not pick web-10.
    keystone.get(SERVERS_URL, json={'servers': [
        {'id': fakes.UUID2, 'name': 'web-10'},
        {'id': fakes.UUID, 'name': 'web-1'}]})
    assert resolver().resolve('web-1') == fakes.UUID


def test_no_such_name(keystone):
    keystone.get(SERVERS_URL, json={'servers': []})
    with pytest.raises(exceptions.ServerNotFound) as info:
        resolver().resolve('web-1')
    assert str(info.value) == (
        'No server named "web-1" in this project: give its UUID, or check '
        'the name with "openstack server list" (or --all-projects)')


def test_several_servers_with_the_name(keystone):
    keystone.get(SERVERS_URL, json={'servers': [
        {'id': fakes.UUID2, 'name': 'web-1'},
        {'id': fakes.UUID, 'name': 'web-1'}]})
    with pytest.raises(exceptions.AmbiguousServer) as info:
        resolver().resolve('web-1')
    assert str(info.value) == (
        '2 servers are named "web-1" (%s, %s): give the UUID instead'
        % (fakes.UUID, fakes.UUID2))


def test_compute_forbids_all_tenants(keystone):
    keystone.get(SERVERS_URL, status_code=403, json={'forbidden': {
        'code': 403, 'message': 'Policy doesn\'t allow '
                                'os_compute_api:servers:index:'
                                'get_all_tenants'}})
    with pytest.raises(exceptions.Forbidden) as info:
        resolver().resolve('web-1', all_projects=True)
    assert 'get_all_tenants' in str(info.value)


def test_compute_unreachable(keystone):
    keystone.get(SERVERS_URL, exc=requests.exceptions.ConnectionError(
        'Connection refused'))
    with pytest.raises(exceptions.ConnectionFailed) as info:
        resolver().resolve('web-1')
    assert 'compute API' in str(info.value)


def test_no_compute_endpoint(requests_mock):
    fakes.mock_keystone(requests_mock, catalogue=False)
    with pytest.raises(exceptions.EndpointNotFound) as info:
        resolver().resolve('web-1')
    assert 'give the server UUID instead' in str(info.value)


def test_compute_error(keystone):
    keystone.get(SERVERS_URL, status_code=500, json={'computeFault': {
        'code': 500, 'message': 'Unexpected API Error.'}})
    with pytest.raises(exceptions.ClientError) as info:
        resolver().resolve('web-1')
    assert str(info.value) == ('The compute API failed to list servers '
                               '(HTTP 500): Unexpected API Error.')


def test_compute_answers_nonsense(keystone):
    keystone.get(SERVERS_URL, json={'server': {}})
    with pytest.raises(exceptions.InvalidResponse):
        resolver().resolve('web-1')
