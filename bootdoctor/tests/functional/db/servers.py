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


"""Throw-away databases on the real PostgreSQL and MariaDB servers.

Each test session creates uniquely named databases with the servers'
administrative accounts (postgres with trust auth, root with no password)
and drops them afterwards. A test needing a server that is not running is
skipped, saying which server and why.
"""

import contextlib
import os
import socket
import uuid

import pytest
import sqlalchemy as sa

from bootdoctor.db import api

SERVERS = {
    'postgresql': {
        'admin': os.environ.get(
            'BOOTDOCTOR_TEST_POSTGRESQL',
            'postgresql+psycopg2://postgres@127.0.0.1:5432/postgres'),
        'drop': 'DROP DATABASE IF EXISTS %s WITH (FORCE)',
    },
    'mysql': {
        'admin': os.environ.get('BOOTDOCTOR_TEST_MYSQL',
                                'mysql+pymysql://root@127.0.0.1:3306/'),
        'drop': 'DROP DATABASE IF EXISTS %s',
    },
}
BACKENDS = ('sqlite', 'postgresql', 'mysql')


def _admin_engine(backend):
    url = sa.engine.make_url(SERVERS[backend]['admin'])
    try:
        with socket.create_connection((url.host, url.port), timeout=2):
            pass
    except OSError as exc:
        pytest.skip('%s server not running at %s:%s (%s); functional '
                    'database tests need it' % (backend, url.host, url.port,
                                                exc))
    # pre_ping: the server may have been restarted since (the reliability
    # tests stop PostgreSQL), leaving a dead connection in the pool.
    engine = sa.create_engine(url, isolation_level='AUTOCOMMIT',
                              pool_pre_ping=True)
    try:
        engine.connect().close()
    except sa.exc.DBAPIError as exc:
        engine.dispose()
        pytest.skip('cannot log in to the %s server as %s: %s'
                    % (backend, url.username, exc.orig))
    return engine, url


@contextlib.contextmanager
def database(backend, tmp_path_factory=None):
    """Yield the URL of a new empty database; drop it afterwards."""
    name = 'bootdoctor_test_%s' % uuid.uuid4().hex[:12]
    if backend == 'sqlite':
        directory = tmp_path_factory.mktemp('db')
        yield 'sqlite:///%s' % (directory / ('%s.sqlite' % name))
        return
    engine, url = _admin_engine(backend)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql('CREATE DATABASE %s' % name)
        try:
            yield url.set(database=name).render_as_string(
                hide_password=False)
        finally:
            with engine.connect() as conn:
                conn.exec_driver_sql(SERVERS[backend]['drop'] % name)
    finally:
        engine.dispose()


@contextlib.contextmanager
def connection(backend, tmp_path_factory=None):
    """Yield a Connection to a new database at the newest schema; close
    it and drop the database afterwards.
    """
    with database(backend, tmp_path_factory) as url:
        conn = api.Connection(url)
        try:
            conn.upgrade()
            yield conn
        finally:
            conn.close()
