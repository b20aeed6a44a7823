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

"""Passwords never show: not in logs, Guru Meditation reports or errors.

A collector runs at debug level with a RabbitMQ user and a database URL
whose passwords are unique strings; it processes a stream, prints its Guru
Meditation report from the master and a worker, loses its database for a
while and recovers. A second collector is given a wrong RabbitMQ password
and logs its failures. The management commands fail on unreachable
databases. bootdoctor-api runs at debug level with a database password
and its Keystone service user's password, serves real tokens, loses its
database and writes its Guru Meditation report when its trigger file is
touched; another is given a wrong service password. No output may hold a
password; the reports show the URLs and options with ``***`` instead.
"""

import copy
import os
import signal
import subprocess
import sys
import time
import types
import urllib.error
import urllib.request
import uuid

import pytest
import sqlalchemy as sa

from bootdoctor.api import guru
from bootdoctor.api import report as api_report
from bootdoctor import service
from bootdoctor import simulator
from bootdoctor.tests.functional.api import test_server
from bootdoctor.tests.functional.collector import conftest
from bootdoctor.tests.functional.collector import process
from bootdoctor.tests.functional.collector import rabbit
from bootdoctor.tests.functional.collector import test_delivery as delivery
from bootdoctor.tests.functional.reliability import test_api_abuse
from bootdoctor.tests.unit.api import data


@pytest.fixture
def rabbit_user():
    """A RabbitMQ user of this test's own, with a unique password."""
    rabbit.require()
    user = 'bdsecret%s' % uuid.uuid4().hex[:8]
    password = 'Rabbit-Pw-%s' % uuid.uuid4().hex
    try:
        for args in (['add_user', user, password],
                     ['set_permissions', '-p', '/', user, '.*', '.*', '.*']):
            subprocess.run(['rabbitmqctl'] + args, check=True,
                           capture_output=True, timeout=60)
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip('cannot add a RabbitMQ user with rabbitmqctl: %s' % exc)
    try:
        yield user, password
    finally:
        subprocess.run(['rabbitmqctl', 'delete_user', user],
                       capture_output=True, timeout=60, check=False)


def _with_password(url, password):
    return sa.engine.make_url(url).set(password=password).render_as_string(
        hide_password=False)


def _configure(collector, transport_url):
    """Point the collector at ``transport_url`` and log at debug level."""
    with open(collector.config) as f:
        text = f.read()
    for old, new in (('transport_url = %s' % rabbit.URL,
                      'transport_url = %s' % transport_url),
                     ('debug = False', 'debug = True')):
        assert old in text
        text = text.replace(old, new)
    with open(collector.config, 'w') as f:
        f.write(text)


def test_no_password_in_the_collectors_output(
        tmp_path, names, postgresql_url, rabbit_user):
    user, rabbit_password = rabbit_user
    db_password = 'Db-Pw-%s' % uuid.uuid4().hex
    # PostgreSQL trusts 127.0.0.1 here: the password is sent, not checked.
    database = _with_password(postgresql_url, db_password)
    transport = 'rabbit://%s:%s@127.0.0.1:5672/' % (user, rabbit_password)
    collector = process.CollectorProcess(str(tmp_path), names, database,
                                         options={'collector': {
                                             'workers': 2}})
    _configure(collector, transport)
    switch = delivery.PostgreSQLSwitch(postgresql_url)
    publisher = conftest.publisher(names)
    try:
        collector.start()
        boots = simulator.plan(4, 'mix', seed=21)
        sent = publisher.publish(e for b in boots for e in b.emissions)
        conftest.wait_for_notifications(postgresql_url, sent)
        for pid in [collector.worker_pids(2)[0], collector.pid]:
            since = len(collector.output())
            collector.signal(signal.SIGUSR2, pid)
            collector.wait_for_output('Messages per exchange', since=since)
        # The database goes away and comes back while messages arrive.
        switch.off()
        since = len(collector.output())
        more = simulator.plan(2, 'success', seed=22)
        sent += publisher.publish(e for b in more for e in b.emissions)
        collector.wait_for_output('Database unavailable', since=since)
        switch.on()
        conftest.wait_for_notifications(postgresql_url, sent)
    finally:
        publisher.close()
        switch.close()
        code = collector.stop()
    output = collector.output()
    assert code == 0
    # The secrets were there to leak: in the configuration file.
    with open(collector.config) as f:
        config = f.read()
    assert rabbit_password in config and db_password in config
    # Debug logging, two reports and a database outage later: none shows.
    assert ' DEBUG ' in output
    assert output.count('Guru Meditation') >= 2
    assert 'Database unavailable' in output
    assert rabbit_password not in output
    assert db_password not in output
    # The reports name the URLs with the passwords masked.
    assert 'Transport: rabbit://%s:***@127.0.0.1:5672/' % user in output
    assert 'Database: %s' % sa.engine.make_url(database).render_as_string(
        hide_password=True) in output
    assert ':***@' in output.split('Database: ', 1)[1].split('\n', 1)[0]
    # And the configuration sections the options, secret ones masked.
    assert '\n  transport_url = ***\n' in output
    assert '\n  connection = ***\n' in output


def test_no_password_when_the_broker_refuses_the_login(
        tmp_path, names, sqlite_url):
    rabbit.require()
    password = 'Wrong-Pw-%s' % uuid.uuid4().hex
    collector = process.CollectorProcess(str(tmp_path), names, sqlite_url)
    _configure(collector, 'rabbit://guest:%s@127.0.0.1:5672/' % password)
    try:
        collector.start(wait=False)
        collector.wait_for_output('ACCESS_REFUSED', timeout=60)
        # The workers die and are restarted; a report asked for while one
        # is a zombie fails in oslo.reports (psutil.ZombieProcess): ask
        # again.
        for attempt in range(5):
            since = len(collector.output())
            collector.signal(signal.SIGUSR2)
            try:
                collector.wait_for_output('Transport: ', since=since,
                                          timeout=10)
                break
            except AssertionError:
                if attempt == 4:
                    raise
    finally:
        collector.stop()
    output = collector.output()
    assert password not in output
    assert 'Transport: rabbit://guest:***@127.0.0.1:5672/' in output


def _command(tmp_path, database, command, *args):
    """bootdoctor-<command> with [database] connection = ``database``."""
    config = tmp_path / 'bootdoctor.conf'
    config.write_text('[DEFAULT]\ndebug = True\n[database]\n'
                      'connection = %s\n' % database)
    return subprocess.run(
        [sys.executable, '-c', 'import sys; from bootdoctor.cmd import '
         '%s; sys.exit(%s.main())' % (command, command),
         '--config-file', str(config)] + list(args),
        capture_output=True, text=True, timeout=120, check=False,
        env=dict(os.environ, PYTHONWARNINGS='ignore'))


@pytest.mark.parametrize('url', [
    'postgresql+psycopg2://postgres:%s@127.0.0.1:1/bootdoctor',
    'mysql+pymysql://root:%s@127.0.0.1:3306/bootdoctor_nowhere',
    'postgresql+psycopg2://nobody:%s@127.0.0.1:5432/bootdoctor_nowhere',
], ids=['refused', 'access denied', 'no such database'])
def test_no_password_in_command_errors(tmp_path, url):
    password = 'Cli-Pw-%s' % uuid.uuid4().hex
    database = url % password
    runs = [_command(tmp_path, database, 'manage', 'db', 'sync'),
            _command(tmp_path, database, 'manage', 'db', 'version'),
            _command(tmp_path, database, 'manage', 'boot', 'list'),
            _command(tmp_path, 'sqlite://', 'manage', 'replay', '--db',
                     database),
            _command(tmp_path, database, 'status', 'upgrade', 'check')]
    for run in runs:
        output = run.stdout + run.stderr
        assert run.returncode != 0, output
        assert password not in output, output
        assert 'Traceback' not in output, output


def _request(url, token=None):
    """(status, body) of a GET, error statuses included."""
    request = urllib.request.Request(
        url, headers={'X-Auth-Token': token} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def _api(tmp_path, keystone_creds, database, service_password=None):
    """A bootdoctor-api at debug level on ``database``; (process, url, log).

    With ``service_password`` its [keystone_authtoken] password is that.
    """
    creds = copy.deepcopy(keystone_creds)
    if service_password is not None:
        creds['users']['bootdoctor']['password'] = service_password
    process, port, log_path = test_api_abuse._server(
        creds, types.SimpleNamespace(url=database), tmp_path, 60)
    return process, 'http://127.0.0.1:%d' % port, log_path


def _report(tmp_path, log_path):
    """Touch the Guru Meditation trigger; the report's text."""
    trigger = tmp_path / 'state' / guru.TRIGGER_NAME
    since = len(log_path.read_text())
    time.sleep(1.1)  # a new modification time, at one-second resolution
    os.utime(trigger)
    test_server.wait_for(
        lambda: service.CONFIG_SECTION in log_path.read_text()[since:], 30,
        'a Guru Meditation report')
    time.sleep(1)  # the rest of the report
    return log_path.read_text()[since:]


def _option(report, group, name):
    """An option's value as the report's bootdoctor configuration shows."""
    ours = report.split(service.CONFIG_SECTION, 1)[1]
    lines = ours.split('\n%s: \n' % group, 1)[1].splitlines()
    for line in lines:
        if not line.startswith('  '):
            break
        if line.startswith('  %s = ' % name):
            return line.split(' = ', 1)[1]
    raise AssertionError('no %s.%s in the report' % (group, name))


def test_no_password_in_the_apis_output(tmp_path, keystone_creds, identity,
                                        postgresql_url):
    projects = keystone_creds['projects']
    dataset = data.build(postgresql_url, projects['project-a'],
                         projects['project-b'])
    db_password = 'Db-Pw-%s' % uuid.uuid4().hex
    # PostgreSQL trusts 127.0.0.1 here: the password is sent, not checked.
    database = _with_password(postgresql_url, db_password)
    service_password = keystone_creds['users']['bootdoctor']['password']
    switch = delivery.PostgreSQLSwitch(postgresql_url)
    process, url, log_path = _api(tmp_path, keystone_creds, database)
    token = identity.token('a-member')
    mine = dataset.of_project(projects['project-a'])[0]['instance_uuid']
    answers = []
    try:
        for path in ('/v1/boots', '/v1/boots/%s' % mine,
                     '/v1/boots/%s/events' % mine, '/v1/stats'):
            answers.append(_request(url + path, token))
        answers.append(_request(url + '/v1/boots', 'not-a-token'))
        # The database goes away under the API and comes back.
        switch.off()
        for path in ('/v1/boots', '/v1/boots/%s' % mine, '/v1/stats'):
            answers.append(_request(url + path, token))
        answers.append(_request(url + '/v1/status',
                                identity.token('admin')))
        switch.on()
        test_server.wait_for(
            lambda: _request(url + '/v1/boots', token)[0] == 200, 30,
            'the API reads again')
        report = _report(tmp_path, log_path)
    finally:
        switch.close()
        test_api_abuse._stop(process)
    output = log_path.read_text()
    statuses = [status for status, _ in answers]
    print('bootdoctor-api: answers %s; %d log lines' % (
        statuses, len(output.splitlines())))
    assert statuses[:5] == [200, 200, 200, 200, 401]
    assert 503 in statuses[5:8]
    # The secrets were there to leak: in the configuration file.
    config = (tmp_path / 'bootdoctor.conf').read_text()
    assert db_password in config and service_password in config
    # Debug logging, Keystone requests, an outage and a report later.
    assert ' DEBUG ' in output and 'REQ: curl' in output
    assert 'Guru Meditation' in report
    for text in [output] + [body for _, body in answers]:
        assert db_password not in text
        assert service_password not in text
    # The report names the secret options with their values masked, and
    # the API's section the database URL.
    assert _option(report, 'database', 'connection') == '***'
    section = report.split(' %s ' % api_report.TITLE, 1)[1]
    assert 'Database: %s\n  answers: yes\n' % sa.engine.make_url(
        database).render_as_string(hide_password=True) in section
    assert ':***@' in section.split('Database: ', 1)[1].split('\n', 1)[0]
    assert 'Auth strategy: keystone\n' in section
    # The outage's 503s were counted.
    counts = dict(item.split(' ') for item in section.split(
        'Responses of this process since ', 1)[1].splitlines()[1].strip()
        .split(', '))
    assert int(counts['5xx']) >= statuses.count(503) >= 1, counts
    assert _option(report, 'keystone_authtoken', 'password') == '***'
    assert _option(report, 'keystone_authtoken', 'username') == (
        keystone_creds['users']['bootdoctor']['username'])


def test_no_password_when_keystone_refuses_the_service_user(
        tmp_path, keystone_creds, identity, sqlite_url):
    password = 'Ks-Pw-%s' % uuid.uuid4().hex
    process, url, log_path = _api(tmp_path, keystone_creds, sqlite_url,
                                  service_password=password)
    try:
        answers = [_request(url + '/v1/boots', identity.token('a-member'))
                   for _ in range(3)]
        report = _report(tmp_path, log_path)
    finally:
        test_api_abuse._stop(process)
    output = log_path.read_text()
    statuses = [status for status, _ in answers]
    print('bootdoctor-api with a wrong service password: answers %s' % (
        statuses,))
    # auth_token cannot validate tokens without its own.
    assert all(status in (401, 503) for status in statuses), answers
    assert 'REQ: curl' in output
    assert password in (tmp_path / 'bootdoctor.conf').read_text()
    for text in [output] + [body for _, body in answers]:
        assert password not in text
    assert _option(report, 'keystone_authtoken', 'password') == '***'
