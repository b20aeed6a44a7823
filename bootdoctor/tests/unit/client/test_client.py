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

from bootdoctor.client import exceptions
from bootdoctor.client.v1 import client as v1
from bootdoctor.tests.unit.client import fakes
from bootdoctor.tests.unit.client import test_http

BOOTS = fakes.BOOT_URL + '/v1/boots'


@pytest.fixture
def keystone(requests_mock):
    fakes.mock_keystone(requests_mock)
    return requests_mock


def client(**kwargs):
    return v1.Client(test_http.make_session(), **kwargs)


def test_list_boots_sends_filters_and_drops_none(keystone):
    keystone.get(BOOTS, json={'boots': [fakes.ERROR_RECORD], 'next': None})
    records = list(client().list_boots(
        status='error', host='compute-2', phase=None, all_projects=True,
        failed_component='nova-compute', since='2024-05-01T00:00:00Z'))
    assert records == [fakes.ERROR_RECORD]
    assert keystone.last_request.qs == {
        'status': ['error'], 'host': ['compute-2'], 'all_projects': ['true'],
        'failed_component': ['nova-compute'],
        'since': ['2024-05-01t00:00:00z'], 'limit': ['1000']}


def test_list_boots_all_projects_forbidden(keystone):
    keystone.get(BOOTS, status_code=403, json={'error': {
        'message': 'Policy does not allow bootdoctor:boot:list_all'}})
    with pytest.raises(exceptions.Forbidden) as info:
        list(client().list_boots(all_projects=True))
    assert str(info.value) == (
        'Not allowed to read boot records (HTTP 403): Policy does not allow '
        'bootdoctor:boot:list_all; reading every project (--all-projects) '
        'needs the admin role')


def _boot_pages(keystone):
    return [r.qs.get('limit') for r in keystone.request_history
            if r.url.startswith(BOOTS)]


def test_list_boots_asks_for_the_largest_page(keystone):
    # 2,500 boots under the default [api] max_limit: 3 requests, not the
    # 25 of the API's default page of 100.
    uuids = fakes.mock_boot_pages(keystone, 2500)
    records = list(client().list_boots())
    assert [r['instance_uuid'] for r in records] == uuids
    assert _boot_pages(keystone) == [['1000']] * 3


def test_list_boots_falls_back_to_the_api_page_size(keystone):
    # An API whose operator lowered [api] max_limit refuses 1000: the
    # page is asked again without a limit, then its next links are kept.
    uuids = fakes.mock_boot_pages(keystone, 45, default_limit=20,
                                  max_limit=50)
    records = list(client().list_boots())
    assert [r['instance_uuid'] for r in records] == uuids
    assert _boot_pages(keystone) == [['1000'], None, ['20'], ['20']]


def test_list_boots_limit_above_the_api_maximum(keystone):
    uuids = fakes.mock_boot_pages(keystone, 100, default_limit=10,
                                  max_limit=10)
    records = list(client().list_boots(limit=25))
    assert [r['instance_uuid'] for r in records] == uuids[:25]
    assert _boot_pages(keystone) == [['25'], None, ['10'], ['10']]


def test_list_boots_other_bad_requests_are_not_retried(keystone):
    keystone.get(BOOTS, status_code=400, json={'error': {
        'code': 400, 'parameter': 'status',
        'message': "status: 'broken' is not one of building, active"}})
    with pytest.raises(exceptions.BadRequest) as info:
        list(client().list_boots(status='broken'))
    assert info.value.parameter == 'status'
    assert _boot_pages(keystone) == [['1000']]


def test_list_boots_limit_refused_twice_is_an_error(keystone):
    # The fallback is tried once: an API refusing even its own page size
    # is reported, not looped on.
    keystone.get(BOOTS, status_code=400, json={'error': {
        'code': 400, 'parameter': 'limit', 'message': 'limit: no'}})
    with pytest.raises(exceptions.BadRequest) as info:
        list(client().list_boots())
    assert str(info.value) == 'Bad request (HTTP 400): limit: no'
    assert _boot_pages(keystone) == [['1000'], None]


def test_get_boot(keystone):
    keystone.get(BOOTS + '/' + fakes.UUID, json=fakes.ERROR_RECORD)
    assert client().get_boot(fakes.UUID) == fakes.ERROR_RECORD
    assert keystone.last_request.qs == {}


def test_get_boot_all_projects(keystone):
    keystone.get(BOOTS + '/' + fakes.UUID, json=fakes.ERROR_RECORD)
    client().get_boot(fakes.UUID, all_projects=True)
    assert keystone.last_request.qs == {'all_projects': ['true']}


def test_get_boot_not_found_names_the_server(keystone):
    keystone.get(BOOTS + '/' + fakes.UUID, status_code=404,
                 json={'error': {'message': 'not found'}})
    with pytest.raises(exceptions.NotFound) as info:
        client().get_boot(fakes.UUID, label='web-1')
    assert str(info.value) == (
        'No boot record for server web-1 (%s) (HTTP 404): bootdoctor has no '
        'record of it, or it belongs to another project' % fakes.UUID)


def test_list_events(keystone):
    events = [{'message_id': 'm1', 'event_type': 'compute.instance.update'}]
    keystone.get(BOOTS + '/' + fakes.UUID + '/events',
                 json={'events': events})
    assert client().list_events(fakes.UUID) == events


def test_list_events_without_a_list(keystone):
    keystone.get(BOOTS + '/' + fakes.UUID + '/events', json={'x': 1})
    with pytest.raises(exceptions.InvalidResponse):
        client().list_events(fakes.UUID)


def test_steps(keystone):
    keystone.get(fakes.BOOT_URL + '/v1/steps',
                 json={'steps': fakes.CATALOGUE})
    assert len(client().list_steps()) == 29
    assert client().get_step(12)['title'] == 'Neutron binds the port'
    with pytest.raises(exceptions.NotFound) as info:
        client().get_step(30)
    assert str(info.value) == ('No step 30 in the catalogue: steps are '
                               'numbered 1 to 29')


def test_stats(keystone):
    keystone.get(fakes.BOOT_URL + '/v1/stats', json={'by_status': {}})
    assert client().get_stats(since='2024-05-01T00:00:00Z', group_by='host',
                              until=None) == {'by_status': {}}
    assert keystone.last_request.qs == {
        'since': ['2024-05-01t00:00:00z'], 'group_by': ['host']}


def test_resolve_server_uses_compute(keystone):
    keystone.get(fakes.COMPUTE_URL + '/servers', json={'servers': [
        {'id': fakes.UUID, 'name': 'web-1'}]})
    assert client().resolve_server('web-1') == fakes.UUID


def test_compute_endpoint_override(keystone):
    keystone.get('http://nova-override:8774/servers', json={'servers': [
        {'id': fakes.UUID, 'name': 'web-1'}]})
    c = client(compute_endpoint_override='http://nova-override:8774')
    assert c.resolve_server('web-1') == fakes.UUID
