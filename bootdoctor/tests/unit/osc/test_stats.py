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

from bootdoctor.tests.unit.client import fakes

STATS = fakes.BOOT_URL + '/v1/stats'
BODY = {
    'since': '2024-05-01T00:00:00Z', 'until': '2024-05-02T00:00:00Z',
    'total': 12,
    'by_status': {'active': 9, 'error': 2, 'stuck': 1},
    'failures_by_component': {'neutron-openvswitch-agent': 2},
    'phase_durations': {'scheduling': {'p50': 1.2, 'p95': 3.4, 'p99': 4.0,
                                       'count': 12}},
    'groups': [{'host': 'compute-1', 'total': 7},
               {'host': 'compute-2', 'total': 5}],
}


def test_stats_table(osc, api):
    api.get(STATS, json=BODY)
    result = osc('boot', 'stats')
    assert result.code == 0, result.err
    assert api.last_request.qs == {}
    out = result.out
    assert '| total ' in out and ' 12 ' in out
    assert 'active: 9' in out
    assert 'scheduling: p50=1.2, p95=3.4, p99=4, count=12' in out
    assert '- host=compute-1, total=7' in out


def test_stats_options_and_json(osc, api):
    api.get(STATS, json=BODY)
    result = osc('boot', 'stats', '--since', '2024-05-01', '--until',
                 '2024-05-02T00:00:00Z', '--group-by', 'host',
                 '--all-projects', '-f', 'json')
    assert result.code == 0, result.err
    assert json.loads(result.out) == BODY
    assert api.last_request.qs == {
        'since': ['2024-05-01t00:00:00z'], 'until': ['2024-05-02t00:00:00z'],
        'group_by': ['host'], 'all_projects': ['true']}


def test_stats_relative_since(osc, api):
    api.get(STATS, json=BODY)
    assert osc('boot', 'stats', '--since', '6h').code == 0
    since = api.last_request.qs['since'][0]
    assert since.endswith('z') and len(since) == 20


def test_stats_bad_group(osc, api):
    result = osc('boot', 'stats', '--group-by', 'colour')
    assert result.code == 2
    assert "invalid choice: 'colour'" in result.err


def test_stats_server_error(osc, api):
    api.get(STATS, status_code=500, json={'error': {
        'code': 500, 'message': 'Internal Server Error'}},
        headers={'x-openstack-request-id': 'req-abc'})
    result = osc('boot', 'stats')
    assert result.code == 1
    assert result.err.strip() == (
        'The boot-diagnostics API at %s failed (HTTP 500): Internal Server '
        'Error (request req-abc)' % fakes.BOOT_URL)
