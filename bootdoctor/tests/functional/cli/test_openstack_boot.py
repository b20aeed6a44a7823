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


"""The real ``openstack boot`` against Keystone and bootdoctor-api."""

import json
import re

from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session
import pytest
import yaml

from bootdoctor.tests.functional.cli.conftest import _free_port


def _last_line(result):
    lines = result.err.strip().splitlines()
    assert lines, result
    return lines[-1]


def test_list_shows_only_the_own_project(openstack, boots):
    result = openstack('a-member', 'boot', 'list', '-f', 'json')
    assert result.code == 0, result.err
    listed = {row['Instance UUID']: row for row in json.loads(result.out)}
    assert set(listed) == {boots.a_active, boots.a_error}
    assert listed[boots.a_error]['Status'] == 'error'
    assert listed[boots.a_active]['Status'] == 'active'


def test_list_filters(openstack, boots):
    result = openstack('a-reader', 'boot', 'list', '--status', 'error',
                       '--since', '1h', '-f', 'value', '-c', 'Instance UUID')
    assert result.code == 0, result.err
    assert result.out.split() == [boots.a_error]


def _boot_list_requests(result):
    """The GET /v1/boots query strings the client sent (--debug)."""
    return re.findall(r'REQ: curl .* GET "?http://127\.0\.0\.1:\d+'
                      r'/v1/boots\??([^" ]*)', result.err)


def test_list_follows_pages(openstack, boots):
    # The API answers one boot per page and refuses pages of more than 2
    # (conftest): the client's page size of 1000 is refused, then it
    # follows the API's own next links to the end.
    result = openstack('admin', '--debug', 'boot', 'list', '--all-projects',
                       '--long', '-f', 'json')
    assert result.code == 0, result.err[-3000:]
    listed = [row['Instance UUID'] for row in json.loads(result.out)]
    assert sorted(listed) == sorted(
        [boots.a_active, boots.a_error, boots.b_active])
    queries = _boot_list_requests(result)
    assert len(queries) == 4, queries
    assert 'limit=1000' in queries[0]
    assert 'limit' not in queries[1] and 'marker' not in queries[1]
    assert all('limit=1' in q and 'marker=' in q for q in queries[2:])
    # --limit caps the total: one boot, one page.
    result = openstack('a-member', '--debug', 'boot', 'list', '--limit',
                       '1', '-f', 'value', '-c', 'Instance UUID')
    assert result.code == 0, result.err[-3000:]
    assert len(result.out.split()) == 1
    assert len(_boot_list_requests(result)) == 1


def test_show(openstack, boots):
    result = openstack('a-member', 'boot', 'show', boots.a_error, '-f',
                       'json')
    assert result.code == 0, result.err
    record = json.loads(result.out)
    assert record['instance_uuid'] == boots.a_error
    assert record['status'] == 'error'
    assert len(record['steps']) == 29
    assert record['root_cause']['component']
    # Tracebacks are for admins only.
    assert not (record.get('fault') or {}).get('traceback')
    table = openstack('a-member', 'boot', 'show', boots.a_error)
    assert table.code == 0, table.err
    assert '| status ' in table.out and ' error ' in table.out


def test_diagnose_report_and_data(openstack, boots):
    result = openstack('a-member', 'boot', 'diagnose', boots.a_error)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == 'Boot of server %s' % boots.a_error
    headings = [line for line, under in zip(lines, lines[1:])
                if under and set(under) == {'-'}]
    assert [h.split(' (')[0] for h in headings] == [
        'Summary', 'Root cause', 'Steps', 'Phases', 'Attempts',
        'Logs to read', 'Next commands']
    assert max(len(line) for line in lines) <= 80
    assert 'grep -F ' in result.out
    data = openstack('a-member', 'boot', 'diagnose', boots.a_error, '-f',
                     'yaml')
    record = yaml.safe_load(data.out)
    assert record['instance_uuid'] == boots.a_error
    assert record['diagnosis']['logs']
    shown = openstack('a-member', 'boot', 'show', boots.a_error, '-f',
                      'json')
    assert json.loads(shown.out) == record


def test_events_and_steps(openstack, boots):
    result = openstack('a-member', 'boot', 'event', 'list', boots.a_error,
                       '-f', 'json')
    assert result.code == 0, result.err
    events = json.loads(result.out)
    assert events and any(e['Fault'] for e in events)
    result = openstack('a-reader', 'boot', 'step', 'list', '-f', 'value',
                       '-c', 'Number')
    assert result.out.split() == [str(n) for n in range(1, 30)]
    result = openstack('a-reader', 'boot', 'step', 'show', '24', '-f',
                       'json')
    assert json.loads(result.out)['number'] == 24


def test_stats(openstack, boots):
    result = openstack('a-member', 'boot', 'stats', '-f', 'json')
    assert result.code == 0, result.err
    stats = json.loads(result.out)
    assert stats['total'] == 2
    assert stats['by_status']['active'] == 1
    assert stats['by_status']['error'] == 1
    assert stats['failures']['total'] == 1
    grouped = openstack('a-member', 'boot', 'stats', '--group-by', 'phase',
                        '-f', 'json')
    assert grouped.code == 0, grouped.err
    phases = json.loads(grouped.out)['groups']
    assert sum(group['failures'] for group in phases) == 1


def test_watch_finished_boots(openstack, boots):
    result = openstack('a-member', 'boot', 'watch', boots.a_active,
                       '--interval', '0.2', '--timeout', '30')
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[-1].startswith('Server %s is ACTIVE' % boots.a_active)
    # Every reached step once, in order, before the final line.
    numbers = [int(line.split()[1].split('/')[0]) for line in lines[:-1]]
    assert numbers and numbers == sorted(set(numbers))
    assert all(line.split()[1].endswith('/29') for line in lines[:-1])
    result = openstack('a-member', 'boot', 'watch', boots.a_error,
                       '--interval', '0.2', '--timeout', '30')
    assert result.code == 1
    assert 'openstack boot diagnose %s' % boots.a_error in result.out


def test_another_projects_boot_is_404(openstack, boots):
    result = openstack('a-member', 'boot', 'show', boots.b_active)
    assert result.code == 1
    assert result.out == ''
    assert _last_line(result).startswith(
        'No boot record for server %s (HTTP 404): bootdoctor has no record '
        'of it, or it belongs to another project' % boots.b_active)
    # The admin reads it.
    result = openstack('admin', 'boot', 'show', boots.b_active,
                       '--all-projects', '-f', 'value', '-c', 'status')
    assert result.code == 0, result.err
    assert result.out == 'active\n'


def test_all_projects_needs_admin(openstack, boots):
    result = openstack('a-member', 'boot', 'list', '--all-projects')
    assert result.code == 1
    assert _last_line(result).startswith(
        'Not allowed to read boot records (HTTP 403)')
    assert 'needs the admin role' in _last_line(result)


def test_wrong_password(openstack, boots):
    result = openstack('a-member', 'boot', 'list', password='not-it')
    assert result.code == 1
    assert 'HTTP 401' in _last_line(result)


def test_connection_refused_names_the_url(openstack, boots):
    url = 'http://127.0.0.1:%d' % _free_port()
    result = openstack('a-member', 'boot', 'list', OS_BOOT_ENDPOINT=url)
    assert result.code == 1
    assert _last_line(result) == (
        'Cannot connect to the boot-diagnostics API at %s (connection '
        'refused): is bootdoctor-api running, and is the endpoint right?'
        % url)


def _compute_endpoint(keystone):
    user = keystone['users']['a-member']
    auth = v3.Password(
        auth_url=keystone['auth_url'], username=user['username'],
        password=user['password'], project_name=user['project_name'],
        user_domain_id=keystone['user_domain_id'],
        project_domain_id=keystone['project_domain_id'])
    try:
        return ks_session.Session(auth=auth).get_endpoint(
            service_type='compute', interface='public')
    except ks_exceptions.EndpointNotFound:
        return None


def test_server_names_need_compute(openstack, boots, keystone):
    endpoint = _compute_endpoint(keystone)
    if endpoint:
        pytest.skip('this Keystone has a compute endpoint (%s): name '
                    'lookups against compute are covered by the unit tests'
                    % endpoint)
    result = openstack('a-member', 'boot', 'show', 'web-1')
    assert result.code == 1
    assert _last_line(result) == (
        'No compute endpoint in the service catalogue to look up server '
        'names: give the server UUID instead')
