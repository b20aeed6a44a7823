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

"""bootdoctor-api as a process: real HTTP, real Keystone, the real client."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from bootdoctor.api import guru
from bootdoctor.api import report
from bootdoctor.client import exceptions as client_exc
from bootdoctor.client.v1 import client as boot_client
from bootdoctor.db import api as db_api
from bootdoctor.tests.functional.api import conftest


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError('%s within %d s' % (what, timeout))


def answers(url):
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except (OSError, urllib.error.URLError):
        return False


@pytest.fixture(scope='module')
def server(keystone_creds, dataset, tmp_path_factory):
    tmp = tmp_path_factory.mktemp('api-server')
    port = free_port()
    config = conftest.write_config(tmp / 'bootdoctor.conf', keystone_creds,
                                   dataset, tmp / 'state', port=port)
    log_path = tmp / 'api.log'
    with open(log_path, 'w') as log:
        process = subprocess.Popen(
            [sys.executable, '-m', 'bootdoctor.cmd.api', '--config-file',
             str(config)], stdout=log, stderr=subprocess.STDOUT)
    url = 'http://127.0.0.1:%d' % port
    try:
        wait_for(lambda: answers(url + '/') or process.poll() is not None,
                 60, 'bootdoctor-api answers')
        if process.poll() is not None:
            pytest.fail('bootdoctor-api exited: %s' % log_path.read_text())
        yield {'url': url, 'process': process, 'log': log_path,
               'state': tmp / 'state'}
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_no_token_is_401_over_http(server):
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(server['url'] + '/v1/boots', timeout=10)
    assert info.value.code == 401
    assert info.value.headers['X-OpenStack-Request-ID'].startswith('req-')


def test_the_client_reads_own_project(server, identity, dataset,
                                      keystone_creds):
    client = boot_client.Client(session=identity.session('a-member'),
                                endpoint_override=server['url'])
    boots = list(client.list_boots(page_size=5))
    mine = dataset.of_project(keystone_creds['projects']['project-a'])
    assert sorted(b['instance_uuid'] for b in boots) == sorted(
        r['instance_uuid'] for r in mine)
    record = client.get_boot(mine[0]['instance_uuid'])
    assert record['instance_uuid'] == mine[0]['instance_uuid']
    assert len(client.list_steps()) == 29
    other = dataset.of_project(keystone_creds['projects']['project-b'])[0]
    with pytest.raises(client_exc.NotFound):
        client.get_boot(other['instance_uuid'])
    with pytest.raises(client_exc.Forbidden):
        list(client.list_boots(all_projects=True))


def test_the_client_as_admin_reads_every_project(server, identity,
                                                 dataset):
    client = boot_client.Client(session=identity.session('admin'),
                                endpoint_override=server['url'])
    boots = list(client.list_boots(all_projects=True, page_size=7))
    assert sorted(b['instance_uuid'] for b in boots) == sorted(
        dataset.records)
    stats = client.get_stats(all_projects=True,
                             since='2020-01-01T00:00:00Z')
    assert stats['total'] == len(dataset.records)


def test_guru_meditation_by_file(server, dataset):
    trigger = server['state'] / guru.TRIGGER_NAME
    assert trigger.is_file()
    # One answer of each class this test can be sure of: 200 and 401.
    urllib.request.urlopen(server['url'] + '/healthcheck', timeout=10)
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(server['url'] + '/v1/boots', timeout=10)
    since = len(server['log'].read_text())
    time.sleep(1.1)
    os.utime(trigger)
    wait_for(lambda: 'Database: ' in server['log'].read_text()[since:], 20,
             'a Guru Meditation report after touching %s' % trigger)
    time.sleep(1)  # the rest of the report
    text = server['log'].read_text()[since:]
    assert 'Guru Meditation' in text
    assert server['process'].poll() is None
    section = text.split(' %s ' % report.TITLE, 1)[1]
    lines = section.splitlines()
    assert 'Process %d' % server['process'].pid in lines
    assert 'Auth strategy: keystone' in lines
    assert ('Policy file: none (policy.yaml not found): the defaults in '
            'code apply') in lines
    assert 'Page limits: default_limit 100, max_limit 1000' in lines
    assert 'Metrics (GET /metrics): enabled' in lines
    assert 'Database: %s' % dataset.url in lines
    assert '  answers: yes' in lines
    assert '  schema revision: %s (current)' % db_api.Connection.head() in (
        lines)
    counts = dict(item.split(' ') for item in lines[
        lines.index(next(line for line in lines if line.startswith(
            'Responses of this process since '))) + 1].strip().split(', '))
    assert int(counts['2xx']) >= 1 and int(counts['4xx']) >= 1, counts
    assert counts['5xx'] == counts['unanswered'] == '0', counts


def test_log_lines_carry_request_ids(server, identity):
    request = urllib.request.Request(
        server['url'] + '/v1/boots?limit=0',
        headers=identity.headers('a-reader'))
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=10)
    request_id = info.value.headers['X-OpenStack-Request-ID']
    wait_for(lambda: request_id in server['log'].read_text(), 10,
             'the request id in the log')
    lines = [line for line in server['log'].read_text().splitlines()
             if request_id in line]
    assert any('GET /v1/boots?limit=0 400' in line for line in lines)
