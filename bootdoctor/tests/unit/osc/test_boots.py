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


import csv
import io
import json

import pytest
import requests
import yaml

from bootdoctor.tests.unit.client import fakes

BOOTS = fakes.BOOT_URL + '/v1/boots'
SERVERS = fakes.COMPUTE_URL + '/servers'


def _boot(api, record=fakes.ERROR_RECORD, **kwargs):
    api.get(BOOTS + '/' + record['instance_uuid'], json=record, **kwargs)


# boot list ---------------------------------------------------------------

def _listed(record):
    """A record as GET /v1/boots gives it: without steps and diagnosis."""
    return {k: v for k, v in record.items()
            if k not in ('steps', 'diagnosis')}


@pytest.fixture
def two_pages(api):
    """Two pages, linked the way bootdoctor-api links them."""
    def respond(request, context):
        if request.qs.get('marker') == [fakes.UUID]:
            return {'boots': [_listed(fakes.ACTIVE_RECORD)], 'links': []}
        return {'boots': [_listed(fakes.ERROR_RECORD)], 'links': [
            {'rel': 'next',
             'href': BOOTS + '?limit=1&marker=' + fakes.UUID}]}
    api.get(BOOTS, json=respond)
    return api


def test_list_table_follows_pages(osc, two_pages):
    result = osc('boot', 'list')
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[1].split('|')[1:-1] == [
        ' Instance UUID                        ', ' Status ', ' Phase      ',
        ' Step ', ' Host      ', ' Failed Component          ',
        ' Updated At           ']
    assert fakes.UUID in lines[3] and 'neutron-openvswitch-agent' in lines[3]
    assert fakes.UUID2 in lines[4] and ' active ' in lines[4]
    assert len(two_pages.request_history) == 4  # discovery, token, 2 pages


def test_list_json(osc, two_pages):
    result = osc('boot', 'list', '-f', 'json')
    data = json.loads(result.out)
    assert [row['Instance UUID'] for row in data] == [fakes.UUID, fakes.UUID2]
    assert data[0]['Failed Component'] == 'neutron-openvswitch-agent'
    assert data[0]['Step'] == 12
    assert data[1]['Phase'] is None


def test_list_long_yaml_keeps_data(osc, two_pages):
    result = osc('boot', 'list', '--long', '-f', 'yaml')
    data = yaml.safe_load(result.out)
    assert data[0]['Root Cause'] == fakes.ERROR_RECORD['root_cause']
    assert data[0]['Attempts'] == fakes.ERROR_RECORD['attempts']
    assert data[0]['Duration'] == 16.0
    assert data[0]['Request ID'] == fakes.REQUEST_ID
    assert '&id' not in result.out


def test_list_long_table_is_readable(osc, two_pages):
    result = osc('boot', 'list', '--long')
    row = result.out.splitlines()[3]
    assert '| 2 ' in row  # attempts, counted
    assert '16.0 s' in row
    assert 'PortBindingFailed: Binding failed' in row


def test_list_value(osc, two_pages):
    result = osc('boot', 'list', '-f', 'value', '-c', 'Instance UUID',
                 '-c', 'Status')
    assert result.out.splitlines() == ['%s error' % fakes.UUID,
                                       '%s active' % fakes.UUID2]


def test_list_csv(osc, two_pages):
    result = osc('boot', 'list', '-f', 'csv')
    rows = list(csv.reader(io.StringIO(result.out)))
    assert rows[0][:3] == ['Instance UUID', 'Status', 'Phase']
    assert rows[1][:2] == [fakes.UUID, 'error']
    assert rows[1][5] == 'neutron-openvswitch-agent'


def test_list_filters_become_query_parameters(osc, api):
    api.get(BOOTS, json={'boots': []})
    result = osc('boot', 'list', '--status', 'error', '--phase', 'spawning',
                 '--host', 'compute-2', '--failed-component', 'nova-compute',
                 '--since', '2024-05-01T10:00:00+02:00', '--until',
                 '2024-05-02', '--request-id', fakes.REQUEST_ID,
                 '--project', fakes.PROJECT_ID, '--sort', 'updated_at:desc',
                 '--all-projects', '--limit', '5')
    assert result.code == 0, result.err
    assert api.last_request.qs == {
        'status': ['error'], 'phase': ['spawning'], 'host': ['compute-2'],
        'failed_component': ['nova-compute'],
        'since': ['2024-05-01t08:00:00z'], 'until': ['2024-05-02t00:00:00z'],
        'request_id': [fakes.REQUEST_ID.lower()],
        'project_id': [fakes.PROJECT_ID], 'sort': ['updated_at:desc'],
        'all_projects': ['true'], 'limit': ['5']}


def test_list_repeated_filters_are_joined(osc, api):
    api.get(BOOTS, json={'boots': []})
    result = osc('boot', 'list', '--status', 'error', '--status', 'stuck',
                 '--host', 'compute-1', '--host', 'compute-2')
    assert result.code == 0, result.err
    assert api.last_request.qs == {'status': ['error,stuck'],
                                   'host': ['compute-1,compute-2'],
                                   'limit': ['1000']}


def test_list_without_filters_sends_none(osc, api):
    api.get(BOOTS, json={'boots': []})
    assert osc('boot', 'list').code == 0
    # No filter; pages as large as the API allows by default.
    assert api.last_request.qs == {'limit': ['1000']}


def test_list_limit_stops_following_pages(osc, two_pages):
    result = osc('boot', 'list', '--limit', '1', '-f', 'value', '-c',
                 'Instance UUID')
    assert result.out.splitlines() == [fakes.UUID]
    assert len(two_pages.request_history) == 3


def test_list_large_limit_is_asked_in_pages(osc, api):
    def respond(request, context):
        start = int(request.qs.get('marker', ['0'])[0])
        size = int(request.qs['limit'][0])
        boots = [dict(_listed(fakes.ACTIVE_RECORD),
                      instance_uuid='%08d-0000-4000-8000-000000000000' % n)
                 for n in range(start, start + size)]
        return {'boots': boots, 'links': [{'rel': 'next', 'href': BOOTS +
                '?limit=%d&marker=%d' % (size, start + size)}]}
    api.get(BOOTS, json=respond)
    result = osc('boot', 'list', '--limit', '2500', '-f', 'value', '-c',
                 'Instance UUID')
    assert result.code == 0, result.err
    assert len(result.out.splitlines()) == 2500
    pages = [r.qs['limit'] for r in api.request_history
             if r.url.startswith(BOOTS)]
    assert pages == [['1000'], ['1000'], ['500']]


def test_list_under_a_lower_api_maximum_lists_every_boot(osc, api):
    uuids = fakes.mock_boot_pages(api, 30, default_limit=10, max_limit=20)
    result = osc('boot', 'list', '-f', 'value', '-c', 'Instance UUID')
    assert result.code == 0, result.err
    assert result.out.splitlines() == uuids
    pages = [r.qs.get('limit') for r in api.request_history
             if r.url.startswith(BOOTS)]
    assert pages == [['1000'], None, ['10'], ['10']]


@pytest.mark.parametrize('argv, message', [
    (['--status', 'broken'], "invalid choice: 'broken'"),
    (['--phase', 'booting'], "invalid choice: 'booting'"),
    (['--limit', '0'], "'0' is not a positive integer"),
    (['--since', 'yesterday'], "'yesterday' is not an ISO 8601 time"),
])
def test_list_rejects_bad_options(osc, api, argv, message):
    result = osc('boot', 'list', *argv)
    assert result.code == 2
    assert message in result.err


def test_list_all_projects_forbidden(osc, api):
    api.get(BOOTS, status_code=403, json={'error': {
        'code': 403, 'message': 'Policy does not allow this request'}})
    result = osc('boot', 'list', '--all-projects')
    assert result.code == 1
    assert result.out == ''
    assert result.err.strip() == (
        'Not allowed to read boot records (HTTP 403): Policy does not allow '
        'this request; reading every project (--all-projects) needs the '
        'admin role')


def test_list_token_rejected(osc, api):
    api.get(BOOTS, status_code=401, json={'error': {
        'code': 401, 'message': 'The request you have made requires '
                                'authentication.'}})
    result = osc('boot', 'list')
    assert result.code == 1
    assert result.err.strip().startswith(
        'The boot-diagnostics API rejected the token (HTTP 401): check the '
        'credentials')
    assert len(result.err.strip().splitlines()) == 1


def test_list_connection_refused(osc, api):
    api.get(BOOTS, exc=requests.exceptions.ConnectionError(
        '[Errno 111] Connection refused'))
    result = osc('boot', 'list')
    assert result.code == 1
    assert result.err.strip() == (
        'Cannot connect to the boot-diagnostics API at %s (connection '
        'refused): is bootdoctor-api running, and is the endpoint right?'
        % fakes.BOOT_URL)


def test_list_bad_request_names_the_parameter(osc, api):
    api.get(BOOTS, status_code=400, json={'error': {
        'code': 400, 'parameter': 'sort',
        'message': 'unknown sort key "colour"'}})
    result = osc('boot', 'list', '--sort', 'colour')
    assert result.code == 1
    assert result.err.strip() == (
        'Bad request (HTTP 400): sort: unknown sort key "colour"')


# Endpoint selection through OpenStackClient's options --------------------

@pytest.mark.parametrize('argv, url', [
    ([], fakes.BOOT_URL),
    (['--os-interface', 'internal'], fakes.BOOT_INTERNAL_URL),
    (['--os-region-name', 'RegionTwo'], fakes.BOOT_OTHER_REGION_URL),
    (['--os-boot-endpoint', 'http://override.example:1234'],
     'http://override.example:1234'),
])
def test_endpoint_options(osc, api, argv, url):
    api.get(url + '/v1/boots', json={'boots': []})
    result = osc(*argv, 'boot', 'list')
    assert result.code == 0, result.err
    assert api.last_request.url == url + '/v1/boots?limit=1000'


def test_endpoint_from_the_environment(osc, api, monkeypatch):
    monkeypatch.setenv('OS_BOOT_ENDPOINT', 'http://env.example:8795/v1')
    api.get('http://env.example:8795/v1/boots', json={'boots': []})
    assert osc('boot', 'list').code == 0
    assert api.last_request.url == \
        'http://env.example:8795/v1/boots?limit=1000'


def test_api_version_option(osc, api):
    api.get(BOOTS, json={'boots': []})
    assert osc('--os-boot-api-version', '1', 'boot', 'list').code == 0
    result = osc('--os-boot-api-version', '7', 'boot', 'list')
    assert result.code != 0
    assert 'boot API version 7 is not in supported versions: 1' in result.err


# boot show ---------------------------------------------------------------

def test_show_by_uuid_table(osc, api):
    _boot(api)
    result = osc('boot', 'show', fakes.UUID)
    assert result.code == 0, result.err
    fields = {}
    for line in result.out.splitlines()[3:-1]:
        name, value = [p.strip() for p in line.split('|')[1:3]]
        if name:
            fields[name] = value
    assert fields['instance_uuid'] == fakes.UUID
    assert fields['step'] == '12/29 Neutron binds the port'
    assert fields['duration_s'] == '16.0 s'
    assert fields['root_cause'] == (
        'PortBindingFailed: Binding failed for port 3c1d, please check '
        'neutron logs for more information. [step 12 '
        'neutron-openvswitch-agent on compute-2]')
    assert fields['attempts'].startswith('1. compute-1 aborted: ')
    assert 'Traceback' not in result.out
    # No compute lookup for a UUID.
    assert not [r for r in api.request_history
                if r.url.startswith(fakes.COMPUTE_URL)]


@pytest.mark.parametrize('fmt, load', [('json', json.loads),
                                       ('yaml', yaml.safe_load)])
def test_show_data_is_the_record(osc, api, fmt, load):
    _boot(api)
    result = osc('boot', 'show', fakes.UUID, '-f', fmt)
    assert load(result.out) == fakes.ERROR_RECORD


def test_show_value_and_shell(osc, api):
    _boot(api)
    result = osc('boot', 'show', fakes.UUID, '-f', 'value', '-c', 'status',
                 '-c', 'host')
    assert result.out.splitlines() == ['error', 'compute-2']
    result = osc('boot', 'show', fakes.UUID, '-f', 'shell', '-c', 'status')
    assert result.out == 'status="error"\n'


def test_show_by_name(osc, api):
    api.get(SERVERS, json={'servers': [{'id': fakes.UUID, 'name': 'web-1'}]})
    _boot(api)
    result = osc('boot', 'show', 'web-1', '-f', 'value', '-c',
                 'instance_uuid')
    assert result.out.strip() == fakes.UUID
    lookup = [r for r in api.request_history
              if r.url.startswith(SERVERS)][0]
    assert lookup.qs == {'name': ['^web\\-1$']}
    assert lookup.headers['X-Auth-Token'] == fakes.TOKEN_ID


def test_show_by_name_all_projects(osc, api):
    api.get(SERVERS, json={'servers': [{'id': fakes.UUID, 'name': 'web-1'}]})
    _boot(api)
    assert osc('boot', 'show', 'web-1', '--all-projects').code == 0
    lookup = [r for r in api.request_history
              if r.url.startswith(SERVERS)][0]
    assert lookup.qs['all_tenants'] == ['1']
    assert api.last_request.qs == {'all_projects': ['true']}


def test_show_unknown_name(osc, api):
    api.get(SERVERS, json={'servers': []})
    result = osc('boot', 'show', 'web-1')
    assert result.code == 1
    assert result.err.strip() == (
        'No server named "web-1" in this project: give its UUID, or check '
        'the name with "openstack server list" (or --all-projects)')


def test_show_ambiguous_name(osc, api):
    api.get(SERVERS, json={'servers': [{'id': fakes.UUID, 'name': 'web-1'},
                                       {'id': fakes.UUID2, 'name': 'web-1'}]})
    result = osc('boot', 'show', 'web-1')
    assert result.code == 1
    assert result.err.strip().startswith('2 servers are named "web-1"')


def test_show_404_names_the_server(osc, api):
    api.get(SERVERS, json={'servers': [{'id': fakes.UUID, 'name': 'web-1'}]})
    _boot(api, status_code=404)
    result = osc('boot', 'show', 'web-1')
    assert result.code == 1
    assert result.err.strip() == (
        'No boot record for server web-1 (%s) (HTTP 404): bootdoctor has no '
        'record of it, or it belongs to another project' % fakes.UUID)


# boot diagnose -----------------------------------------------------------

def test_diagnose_prints_the_report(osc, api):
    _boot(api)
    result = osc('boot', 'diagnose', fakes.UUID)
    assert result.code == 0, result.err
    out = result.out
    assert out.startswith('Boot of server %s\n' % fakes.UUID)
    for heading in ('Summary', 'Root cause', 'Steps', 'Phases', 'Attempts',
                    'Logs to read', 'Next commands'):
        assert '\n%s' % heading in out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert 'X 12 failed   2024-05-01 12:00:12 Neutron binds the port' in out
    assert 'component neutron-openvswitch-agent, host' in out
    assert 'grep -F %s \\\n' % fakes.REQUEST_ID in out
    assert '  openstack network agent list --host compute-2\n' in out


def test_diagnose_by_name_labels_the_report(osc, api):
    api.get(SERVERS, json={'servers': [{'id': fakes.UUID, 'name': 'web-1'}]})
    _boot(api)
    result = osc('boot', 'diagnose', 'web-1')
    assert result.out.startswith('Boot of server web-1 (%s)\n' % fakes.UUID)


@pytest.mark.parametrize('fmt, load', [('json', json.loads),
                                       ('yaml', yaml.safe_load)])
def test_diagnose_data_is_the_record(osc, api, fmt, load):
    _boot(api)
    result = osc('boot', 'diagnose', fakes.UUID, '-f', fmt)
    data = load(result.out)
    assert data == fakes.ERROR_RECORD
    assert data['diagnosis']['logs'][0]['grep'] == fakes.REQUEST_ID


def test_diagnose_table_and_value(osc, api):
    _boot(api)
    result = osc('boot', 'diagnose', fakes.UUID, '-f', 'table')
    assert '| root_cause ' in result.out
    result = osc('boot', 'diagnose', fakes.UUID, '-f', 'value', '-c',
                 'status')
    assert result.out == 'error\n'


def test_diagnose_report_honours_columns(osc, api):
    _boot(api)
    result = osc('boot', 'diagnose', fakes.UUID, '-c', 'instance_uuid', '-c',
                 'status', '-c', 'diagnosis')
    assert 'Status:   error' in result.out
    assert 'Logs to read' in result.out
    assert 'Attempts' not in result.out


def test_diagnose_healthy_boot(osc, api):
    _boot(api, fakes.ACTIVE_RECORD)
    result = osc('boot', 'diagnose', fakes.UUID2)
    assert 'Status:   active' in result.out
    assert 'Root cause' not in result.out
    assert 'The server booted in 28 s.' in result.out


def test_diagnose_404(osc, api):
    _boot(api, status_code=404)
    result = osc('boot', 'diagnose', fakes.UUID)
    assert result.code == 1
    assert result.err.strip().startswith(
        'No boot record for server %s (HTTP 404)' % fakes.UUID)
