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

import pytest
import yaml

from bootdoctor.tests.unit.client import fakes

STATS = fakes.BOOT_URL + '/v1/stats'
STEPS = fakes.BOOT_URL + '/v1/steps'


def _phases(count):
    return {'scheduling': {'count': count, 'p50': 1.2, 'p95': 3.4,
                           'p99': 4.0},
            'networking': {'count': count - 1, 'p50': 2.0, 'p95': 5.0,
                           'p99': 9.5}}


# The shape of bootdoctor.db.stats.stats().
BODY = {
    'since': '2024-05-01T00:00:00+00:00', 'until': '2024-05-02T00:00:00+00:00',
    'project_id': fakes.PROJECT_ID,
    'total': 12,
    'by_status': {'building': 0, 'active': 9, 'error': 2, 'stuck': 1,
                  'deleted': 0},
    'failures': {
        'total': 3,
        'by_step': [{'step': 12, 'count': 2}, {'step': 'unknown',
                                               'count': 1}],
        'by_component': [{'component': 'neutron-openvswitch-agent',
                          'count': 2}, {'component': 'unknown', 'count': 1}],
        'by_host': [{'host': 'compute-2', 'count': 3}]},
    'phases': _phases(12),
}
HOST_BODY = dict(BODY, group_by='host', groups=[
    {'host': 'compute-1', 'total': 7,
     'by_status': {'building': 0, 'active': 7, 'error': 0, 'stuck': 0,
                   'deleted': 0}, 'phases': _phases(7)},
    {'host': None, 'total': 5,
     'by_status': {'building': 0, 'active': 2, 'error': 2, 'stuck': 1,
                   'deleted': 0}, 'phases': {}}])


def _fields(out):
    fields, name = {}, None
    for line in out.splitlines()[3:-1]:
        cells = [c.strip() for c in line.split('|')[1:3]]
        name = cells[0] or name
        fields.setdefault(name, []).append(cells[1])
    return fields


def test_stats_table(osc, api):
    api.get(STATS, json=BODY)
    result = osc('boot', 'stats')
    assert result.code == 0, result.err
    assert api.last_request.qs == {}
    fields = _fields(result.out)
    assert fields['total'] == ['12']
    assert fields['by_status'] == ['active 9, error 2, stuck 1']
    assert fields['failures'] == [
        'total: 3', 'by step: 12 (2), unknown (1)',
        'by component: neutron-openvswitch-agent (2), unknown (1)',
        'by host: compute-2 (3)']
    assert fields['phases'] == [
        'scheduling: 12 boots, p50 1.2 s, p95 3.4 s, p99 4.0 s',
        'networking: 11 boots, p50 2.0 s, p95 5.0 s, p99 9.5 s']
    assert 'groups' not in fields


@pytest.mark.parametrize('fmt, load', [('json', json.loads),
                                       ('yaml', yaml.safe_load)])
def test_stats_data(osc, api, fmt, load):
    api.get(STATS, json=BODY)
    result = osc('boot', 'stats', '-f', fmt)
    assert load(result.out) == BODY


def test_stats_window_and_scope(osc, api):
    api.get(STATS, json=BODY)
    result = osc('boot', 'stats', '--since', '2024-05-01', '--until',
                 '2024-05-02T00:00:00Z', '--all-projects')
    assert result.code == 0, result.err
    assert api.last_request.qs == {
        'since': ['2024-05-01t00:00:00z'], 'until': ['2024-05-02t00:00:00z'],
        'all_projects': ['true']}


def test_stats_relative_since(osc, api):
    api.get(STATS, json=BODY)
    assert osc('boot', 'stats', '--since', '6h').code == 0
    since = api.last_request.qs['since'][0]
    assert since.endswith('z') and len(since) == 20


def test_stats_group_by_host_asks_the_api(osc, api):
    api.get(STATS, json=HOST_BODY)
    result = osc('boot', 'stats', '--group-by', 'host')
    assert api.last_request.qs == {'group_by': ['host']}
    fields = _fields(result.out)
    assert fields['group_by'] == ['host']
    assert fields['groups'] == [
        'compute-1: 7 boots (active 7)',
        'scheduling: 7 boots, p50 1.2 s, p95 3.4 s, p99 4.0 s',
        'networking: 6 boots, p50 2.0 s, p95 5.0 s, p99 9.5 s',
        'no host: 5 boots (active 2, error 2, stuck 1)']
    result = osc('boot', 'stats', '--group-by', 'host', '-f', 'json')
    assert json.loads(result.out)['groups'] == HOST_BODY['groups']


def test_stats_group_by_phase_uses_the_catalogue(osc, api):
    api.get(STATS, json=BODY)
    api.get(STEPS, json={'steps': fakes.CATALOGUE})
    result = osc('boot', 'stats', '--group-by', 'phase', '-f', 'json')
    assert result.code == 0, result.err
    stats_request = [r for r in api.request_history
                     if r.url.startswith(STATS)][0]
    assert stats_request.qs == {}
    data = json.loads(result.out)
    assert data['group_by'] == 'phase'
    assert data['groups'] == [
        {'phase': 'scheduling', 'count': 12, 'p50': 1.2, 'p95': 3.4,
         'p99': 4.0, 'failures': 0},
        {'phase': 'networking', 'count': 11, 'p50': 2.0, 'p95': 5.0,
         'p99': 9.5, 'failures': 2},
        {'phase': 'block_device_mapping', 'count': 0, 'p50': None,
         'p95': None, 'p99': None, 'failures': 0},
        {'phase': 'spawning', 'count': 0, 'p50': None, 'p95': None,
         'p99': None, 'failures': 0},
        {'phase': 'unknown', 'count': 0, 'p50': None, 'p95': None,
         'p99': None, 'failures': 1}]
    result = osc('boot', 'stats', '--group-by', 'phase')
    assert ('networking: 11 boots, p50 2.0 s, p95 5.0 s, p99 9.5 s, '
            '2 failures') in result.out
    assert 'spawning: 0 boots, p50 -, p95 -, p99 -, 0 failures' in result.out


def test_stats_group_by_component(osc, api):
    api.get(STATS, json=BODY)
    result = osc('boot', 'stats', '--group-by', 'component')
    assert api.last_request.qs == {}
    assert _fields(result.out)['groups'] == [
        'neutron-openvswitch-agent: 2 failures', 'unknown: 1 failures']


def test_stats_bad_group(osc, api):
    result = osc('boot', 'stats', '--group-by', 'colour')
    assert result.code == 2
    assert "invalid choice: 'colour'" in result.err


def test_stats_bad_window_from_the_api(osc, api):
    api.get(STATS, status_code=400, json={'error': {
        'code': 400, 'title': 'Bad Request', 'parameter': 'until',
        'message': 'until: the window must end after it starts',
        'request_id': 'req-1'}})
    result = osc('boot', 'stats', '--since', '2024-05-02', '--until',
                 '2024-05-01')
    assert result.code == 1
    assert result.err.strip() == (
        'Bad request (HTTP 400): until: the window must end after it starts')


def test_stats_server_error(osc, api):
    api.get(STATS, status_code=500, json={'error': {
        'code': 500, 'message': 'Internal Server Error'}},
        headers={'x-openstack-request-id': 'req-abc'})
    result = osc('boot', 'stats')
    assert result.code == 1
    assert result.err.strip() == (
        'The boot-diagnostics API at %s failed (HTTP 500): Internal Server '
        'Error (request req-abc)' % fakes.BOOT_URL)
