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


"""bootdoctor-manage db, purge and boot, through the real entry point."""

import datetime
import json

import pytest

from bootdoctor.cmd import manage
from bootdoctor.db import api
from bootdoctor.manage import _format
from bootdoctor.tests.unit.db import fakes


@pytest.fixture
def config(tmp_path):
    """A config file whose [database] is a SQLite file in tmp_path."""
    url = 'sqlite:///%s' % (tmp_path / 'bootdoctor.sqlite')
    path = tmp_path / 'bootdoctor.conf'
    path.write_text('[database]\nconnection = %s\n' % url)
    return str(path), url


def run(capsys, config, *argv):
    rc = manage.main(['--config-file', config[0]] + list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.fixture
def stored(config):
    """The configured database, synced, with three boots."""
    conn = api.Connection(config[1])
    conn.upgrade()
    now = datetime.datetime.now(datetime.timezone.utc)
    recs = [fakes.record(1, status='active'),
            fakes.record(2, status='error', host='compute2', root_cause={
                'exception': 'PortBindingFailed', 'message': 'failed',
                'step': 14, 'component': 'neutron', 'host': 'compute2'}),
            fakes.record(3, status='building', seconds=10,
                         project_id='project-b')]
    # Boot 3 is recent; 1 and 2 date from T0 (2025).
    recs[2].update(created_at=now.isoformat(), updated_at=now.isoformat())
    conn.save_records(recs)
    conn.add_observations([fakes.parsed(fakes.obs('m1', fakes.uuid(1)))])
    conn.close()
    return recs


def test_db_sync_then_version(capsys, config):
    rc, out, err = run(capsys, config, 'db', 'version')
    assert (rc, out) == (1, 'none\n')
    assert 'db sync' in err
    rc, out, _ = run(capsys, config, 'db', 'sync')
    assert rc == 0
    head = api.Connection.head()
    assert 'upgraded from empty to %s' % head in out
    rc, out, _ = run(capsys, config, 'db', 'sync')
    assert rc == 0 and 'at revision %s (newest)' % head in out
    rc, out, err = run(capsys, config, 'db', 'version')
    assert (rc, out, err) == (0, head + '\n', '')


def test_boot_list_json(capsys, config, stored):
    rc, out, _ = run(capsys, config, 'boot', 'list', '--format', 'json')
    assert rc == 0
    boots = json.loads(out)['boots']
    assert [b['instance_uuid'] for b in boots] == [
        fakes.uuid(3), fakes.uuid(2), fakes.uuid(1)]
    assert boots[1] == stored[1]


@pytest.mark.parametrize('argv, expected', [
    (['--status', 'error'], [2]),
    (['--status', 'error', '--status', 'active'], [2, 1]),
    (['--host', 'compute2'], [2]),
    (['--failed-component', 'neutron'], [2]),
    (['--project-id', 'project-b'], [3]),
    (['--phase', 'spawning'], [3, 2]),
    (['--request-id', 'req-1'], [1]),
    (['--since', '2025-06-01T00:00:00Z'], [3]),
    (['--until', '2025-06-01T00:00:00Z'], [2, 1]),
    (['--sort', 'created_at:asc', '--limit', '2'], [1, 2]),
    (['--limit', '1', '--marker', fakes.uuid(3)], [2]),
])
def test_boot_list_filters(capsys, config, stored, argv, expected):
    rc, out, _ = run(capsys, config, 'boot', 'list', '--format', 'json',
                     *argv)
    assert rc == 0
    assert [b['instance_uuid'] for b in json.loads(out)['boots']] == [
        fakes.uuid(n) for n in expected]


def test_boot_list_table_says_how_to_get_more(capsys, config, stored):
    rc, out, _ = run(capsys, config, 'boot', 'list', '--limit', '2')
    assert rc == 0
    lines = out.splitlines()
    assert lines[1].split('|')[1].strip() == 'instance_uuid'
    assert fakes.uuid(3) in lines[3] and fakes.uuid(2) in lines[4]
    assert 'neutron step 14 @compute2: PortBindingFailed' in lines[4]
    assert lines[-1] == 'More boots: add --marker %s' % fakes.uuid(2)


def test_boot_list_bad_sort_names_the_parameter(capsys, config, stored):
    rc, out, err = run(capsys, config, 'boot', 'list', '--sort', 'name')
    assert rc == 2 and out == ''
    assert err.startswith('boot list: invalid sort: unknown sort key')


def test_boot_list_bad_status_is_a_usage_error(capsys, config, stored):
    with pytest.raises(SystemExit) as exc:
        run(capsys, config, 'boot', 'list', '--status', 'lost')
    assert exc.value.code == 2
    assert "invalid choice: 'lost'" in capsys.readouterr().err


def test_boot_show(capsys, config, stored):
    rc, out, _ = run(capsys, config, 'boot', 'show', fakes.uuid(2),
                     '--format', 'json')
    assert rc == 0 and json.loads(out) == stored[1]
    rc, out, _ = run(capsys, config, 'boot', 'show', fakes.uuid(2))
    assert rc == 0
    assert out.startswith('Boot of server %s\n' % fakes.uuid(2))
    assert '\nStatus:   error\n' in out
    assert 'PortBindingFailed' in out


def test_boot_show_unknown(capsys, config, stored):
    rc, out, err = run(capsys, config, 'boot', 'show', fakes.uuid(9))
    assert (rc, out) == (1, '')
    assert err == 'No boot %s in the database.\n' % fakes.uuid(9)


def test_boot_list_before_db_sync(capsys, config):
    rc, out, err = run(capsys, config, 'boot', 'list')
    assert (rc, out) == (2, '')
    assert 'run "bootdoctor-manage db sync" first' in err


def test_purge(capsys, config, stored):
    rc, out, _ = run(capsys, config, 'purge', '--older-than', '30')
    assert rc == 0
    assert out == ('Purged what is older than 30 days: 2 boots, '
                   '1 observations, 1 notifications, 0 rejections.\n')
    conn = api.Connection(config[1])
    assert [b['instance_uuid'] for b in conn.list_records()] == [
        fakes.uuid(3)]


@pytest.mark.parametrize('days', ['0', '-3', 'week'])
def test_purge_needs_positive_days(capsys, config, days):
    with pytest.raises(SystemExit) as exc:
        run(capsys, config, 'purge', '--older-than', days)
    assert exc.value.code == 2
    assert 'is not a positive integer' in capsys.readouterr().err


def test_purge_before_db_sync(capsys, config):
    rc, _, err = run(capsys, config, 'purge', '--older-than', '7')
    assert rc == 2 and 'db sync' in err


def test_unreachable_database(capsys, tmp_path):
    path = tmp_path / 'bootdoctor.conf'
    path.write_text('[database]\nconnection = '
                    'postgresql+psycopg2://postgres@127.0.0.1:1/x\n'
                    'max_retries = 0\n')
    rc, out, err = run(capsys, (str(path), None), 'db', 'version')
    assert (rc, out) == (2, '')
    assert err.startswith('Cannot reach the database:')


def test_format_table_and_json():
    rows = [{'a': 1, 'b': None, 'c': 2.25}, (3, 'x', [1, 2])]
    assert _format.format_table(rows, ['a', 'b', 'c']).splitlines() == [
        '+---+---+------+',
        '| a | b | c    |',
        '+---+---+------+',
        '| 1 |   | 2.2  |',
        '| 3 | x | 1, 2 |',
        '+---+---+------+']
    import io
    out = io.StringIO()
    _format.print_json({'b': 1, 'a': [None]}, out=out)
    assert out.getvalue() == '{\n  "a": [\n    null\n  ],\n  "b": 1\n}\n'
