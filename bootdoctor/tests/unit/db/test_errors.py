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


"""Driver faults become bootdoctor storage exceptions."""

import socket

import pytest

from bootdoctor.db import api
from bootdoctor.db import exceptions


def _closed_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def test_unreachable_server_is_unavailable_and_transient():
    conn = api.Connection('postgresql+psycopg2://postgres@127.0.0.1:%d/x'
                          % _closed_port())
    with pytest.raises(exceptions.DBUnavailable) as err:
        conn.get_record('x')
    assert err.value.transient is True


def test_unreachable_server_with_connect_retries_is_unavailable():
    with pytest.raises(exceptions.DBUnavailable):
        api.Connection('postgresql+psycopg2://postgres@127.0.0.1:%d/x'
                       % _closed_port(), max_retries=1, retry_interval=0)


def test_missing_schema_says_to_run_db_sync(tmp_path):
    conn = api.Connection('sqlite:///%s' % (tmp_path / 'empty.sqlite'))
    assert conn.version() is None
    with pytest.raises(exceptions.NotInitialised) as err:
        conn.list_records()
    assert 'bootdoctor-manage db sync' in str(err.value)
    assert err.value.transient is False


def test_sqlite_directory_is_created(tmp_path):
    path = tmp_path / 'state' / 'deeper' / 'bootdoctor.sqlite'
    conn = api.Connection('sqlite:///%s' % path)
    conn.upgrade()
    assert path.exists()
    assert conn.version() == conn.head()


def test_in_memory_database_keeps_its_data():
    conn = api.Connection('sqlite://')
    conn.upgrade()
    conn.save_records([{'instance_uuid': 'u1', 'status': 'active',
                        'created_at': '2025-01-01T00:00:00Z'}])
    assert conn.get_record('u1')['status'] == 'active'


def test_get_connection_uses_the_configured_database(tmp_path):
    from bootdoctor import conf as bd_conf
    conf = bd_conf.new_conf()
    conf([], project='bootdoctor', default_config_files=[])
    url = 'sqlite:///%s' % (tmp_path / 'configured.sqlite')
    conf.set_override('connection', url, group='database')
    conn = api.get_connection(conf)
    conn.upgrade()
    assert (tmp_path / 'configured.sqlite').exists()
    assert conn.safe_url == url


def test_password_is_hidden_in_the_url():
    conn = api.Connection('mysql+pymysql://bd:s3cret@127.0.0.1:%d/bd'
                          % _closed_port())
    assert 's3cret' not in conn.safe_url and 's3cret' not in repr(conn)
    assert 'charset=utf8mb4' in conn.safe_url


def test_invalid_filter_names_its_parameter():
    err = exceptions.InvalidFilter('limit', 'must be positive')
    assert err.parameter == 'limit'
    assert isinstance(err, ValueError)
    assert str(err) == 'invalid limit: must be positive'
