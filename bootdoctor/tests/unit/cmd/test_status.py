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


"""bootdoctor-status upgrade check (bootdoctor.upgradecheck and the
command), on a real SQLite database fed with the boot streams Nova itself
emitted (tests/data/samples/recorded)."""

import datetime
import json
import pathlib

from oslo_config import cfg
import pytest

from bootdoctor.cmd import status
from bootdoctor import conf as bd_conf
from bootdoctor.db import api as db_api
from bootdoctor import notification
from bootdoctor import tracker
from bootdoctor import upgradecheck

Code = upgradecheck.Code
SAMPLES = (pathlib.Path(__file__).resolve().parents[2] / 'data' / 'samples'
           / 'recorded')
NOW = datetime.datetime(2030, 1, 1, 12, 0, tzinfo=datetime.timezone.utc)


def _stream(name, keep=lambda message: True):
    parsed = []
    for _, message in notification.read_messages(str(SAMPLES / name)):
        assert not isinstance(message, notification.ParseError), message
        if keep(message):
            parsed.append(notification.parse(message))
    return parsed


def _store(conn, parsed):
    observations = conn.add_observations(parsed)
    assert observations
    records = tracker.build_records(observations)
    conn.save_records([record.to_dict() for record in records])
    return {o.instance_uuid for o in observations if o.instance_uuid}


def _is_update(message):
    return message['event_type'] in ('instance.update',
                                     'compute.instance.update')


@pytest.fixture
def conf():
    conf = cfg.ConfigOpts()
    bd_conf.register_opts(conf)
    conf([], project='bootdoctor', default_config_files=[])
    return conf


@pytest.fixture
def conn(tmp_path):
    conn = db_api.Connection('sqlite:///%s' % (tmp_path / 'bd.sqlite'))
    yield conn
    conn.close()


@pytest.fixture
def synced(conn):
    conn.upgrade()
    return conn


def _checks(conf, conn):
    return upgradecheck.Checks(conf, connection=conn, now=NOW)


# Schema

def test_empty_database_fails_and_says_db_sync(conf, conn):
    result = _checks(conf, conn)._check_schema()
    assert result.code == Code.FAILURE
    assert 'bootdoctor-manage db sync' in result.details


def test_current_schema_passes(conf, synced):
    result = _checks(conf, synced)._check_schema()
    assert result.code == Code.SUCCESS
    assert synced.head() in result.details


def test_schema_behind_the_code_fails(conf, synced, monkeypatch):
    monkeypatch.setattr(db_api.Connection, 'head',
                        staticmethod(lambda: 'ffffffffffff'))
    result = _checks(conf, synced)._check_schema()
    assert result.code == Code.FAILURE
    assert 'ffffffffffff' in result.details
    assert synced.version() in result.details


def test_unreachable_database_fails(conf, tmp_path):
    # A directory where the SQLite file should be: the engine cannot open
    # it, and the check says so instead of raising.
    (tmp_path / 'dir.sqlite').mkdir()
    conn = db_api.Connection('sqlite:///%s' % (tmp_path / 'dir.sqlite'))
    result = _checks(conf, conn)._check_schema()
    assert result.code == Code.FAILURE
    assert 'Cannot read the database' in result.details


# Collector heartbeat

def test_no_heartbeat_warns(conf, synced):
    result = _checks(conf, synced)._check_collector()
    assert result.code == Code.WARNING
    assert 'bootdoctor-collector' in result.details


def test_recent_heartbeat_passes(conf, synced):
    synced.heartbeat('nova', NOW - datetime.timedelta(minutes=5))
    synced.heartbeat('neutron', NOW - datetime.timedelta(hours=3))
    result = _checks(conf, synced)._check_collector()
    assert result.code == Code.SUCCESS
    assert 'nova' in result.details


def test_silent_collector_warns_with_the_age(conf, synced):
    synced.heartbeat('nova', NOW - datetime.timedelta(hours=2))
    result = _checks(conf, synced)._check_collector()
    assert result.code == Code.WARNING
    assert '120 minutes' in result.details
    assert 'nova' in result.details


# Task state updates

def test_no_boot_yet_passes(conf, synced):
    result = _checks(conf, synced)._check_task_state()
    assert result.code == Code.SUCCESS
    assert 'nothing to check' in result.details


def test_boot_with_task_state_updates_passes(conf, synced):
    _store(synced, _stream('a_boot_success.jsonl'))
    result = _checks(conf, synced)._check_task_state()
    assert result.code == Code.SUCCESS, result.details


def test_boot_without_instance_update_warns(conf, synced):
    # notify_on_state_change unset: Nova sends no instance.update at all.
    uuids = _store(synced, _stream('a_boot_success.jsonl',
                                   keep=lambda m: not _is_update(m)))
    result = _checks(conf, synced)._check_task_state()
    assert result.code == Code.WARNING
    assert 'notify_on_state_change = vm_and_task_state' in result.details
    assert uuids.pop() in result.details


def test_vm_state_only_updates_warn(conf, synced):
    # notify_on_state_change = vm_state: only the updates whose vm_state
    # changed (building -> active) are sent, with their task_state fields.
    def vm_state_changes(message):
        if not _is_update(message):
            return True
        data = message['payload'].get('nova_object.data')
        if data is not None:
            update = data['state_update']['nova_object.data']
            return update['old_state'] != update['state']
        return message['payload']['old_state'] != message['payload']['state']

    parsed = _stream('a_boot_success.jsonl', keep=vm_state_changes)
    kept = [o for p in parsed for o in p.observations
            if o.kind == 'instance.update']
    assert kept, 'the stream has vm_state changes'
    _store(synced, parsed)
    result = _checks(conf, synced)._check_task_state()
    assert result.code == Code.WARNING


def test_boot_that_never_reached_a_compute_is_not_judged(conf, synced):
    _store(synced, _stream('c_no_valid_host.jsonl'))
    result = _checks(conf, synced)._check_task_state()
    assert result.code == Code.SUCCESS
    assert 'nothing to check' in result.details


# The command

def _write_conf(tmp_path, url, default=''):
    path = tmp_path / 'bootdoctor.conf'
    path.write_text('[DEFAULT]\nstate_path = %s\n%s[database]\n'
                    'connection = %s\n' % (tmp_path, default, url))
    return str(path)


def test_command_on_an_empty_database_exits_failure(tmp_path, capsys):
    path = _write_conf(tmp_path, 'sqlite:///%s' % (tmp_path / 'new.sqlite'))
    code = status.main(['--config-file', path, 'upgrade', 'check'],
                       conf=cfg.ConfigOpts())
    assert code == Code.FAILURE
    out = capsys.readouterr().out
    assert 'Database schema' in out
    assert 'Failure' in out


def test_command_on_a_healthy_deployment_exits_success(tmp_path, capsys):
    url = 'sqlite:///%s' % (tmp_path / 'ok.sqlite')
    conn = db_api.Connection(url)
    conn.upgrade()
    _store(conn, _stream('a_boot_success.jsonl'))
    conn.heartbeat('nova', datetime.datetime.now(datetime.timezone.utc))
    conn.close()
    path = _write_conf(tmp_path, url)
    code = status.main(['--config-file', path, 'upgrade', 'check', '--json'],
                       conf=cfg.ConfigOpts())
    report = json.loads(capsys.readouterr().out)
    assert code == Code.SUCCESS, report
    assert [c['check'] for c in report['checks']] == [
        'Database schema', 'Collector heartbeat', 'Task state updates',
        'Policy File JSON to YAML Migration']
    assert {c['result'] for c in report['checks']} == {Code.SUCCESS}


def test_command_sets_up_logging_from_the_config(tmp_path, capsys):
    # Like the other commands, through prepare_service: the log file the
    # configuration names is opened, and the report stays on stdout.
    log_file = tmp_path / 'status.log'
    path = _write_conf(tmp_path, 'sqlite:///%s' % (tmp_path / 'new.sqlite'),
                       default='log_file = %s\n' % log_file)
    code = status.main(['--config-file', path, 'upgrade', 'check', '--json'],
                       conf=cfg.ConfigOpts())
    assert code == Code.FAILURE
    assert log_file.exists()
    report = json.loads(capsys.readouterr().out)
    assert report['checks'][0]['check'] == 'Database schema'


def test_command_knows_its_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        status.main(['--version'], conf=cfg.ConfigOpts())
    assert exit_info.value.code == 0
    captured = capsys.readouterr()
    assert (captured.out + captured.err).strip()
