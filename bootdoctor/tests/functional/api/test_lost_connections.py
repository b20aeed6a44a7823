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

"""bootdoctor-api when the database server closes its pooled connections.

The server ends every connection the API holds (as a restart or an
idle timeout would). A connection idle longer than [api]
database_ping_idle_time is pinged and replaced before the request uses
it; one used more recently fails its first statement and the read is
retried on a new connection. Either way the caller sees a 200, not a
503.
"""

import time

from oslo_config import fixture as config_fixture
import pytest
import sqlalchemy as sa
import webtest

from bootdoctor.api import app as api_app
from bootdoctor.api import storage as api_storage
from bootdoctor.tests.functional.db import servers
from bootdoctor.tests.unit.api import conftest as c
from bootdoctor.tests.unit.api import data

KILL = {
    'postgresql': ('SELECT pg_terminate_backend(pid) FROM pg_stat_activity '
                   'WHERE datname = :name AND pid <> pg_backend_pid()'),
    'mysql': ('SELECT id FROM information_schema.processlist '
              'WHERE db = :name AND id <> connection_id()'),
}


@pytest.fixture(scope='module', params=('postgresql', 'mysql'))
def database(request, tmp_path_factory):
    with servers.database(request.param, tmp_path_factory) as url:
        data.build(url, c.PROJECT_A, c.PROJECT_B)
        yield request.param, url


def make_app(url, tmp_path, idle):
    conf = c.make_conf()
    fixture = config_fixture.Config(conf)
    fixture.setUp()
    fixture.config(state_path=str(tmp_path))
    fixture.config(connection=url, group='database')
    fixture.config(auth_strategy='noauth', group='api')
    fixture.config(database_ping_idle_time=idle, group='api')
    storage = api_storage.Storage.from_conf(conf)
    application = api_app.build_wsgi_app(conf, storage=storage)
    return webtest.TestApp(application), storage, fixture


def kill_connections(backend, url):
    """End every server connection to the database at ``url``."""
    name = sa.engine.make_url(url).database
    admin, _admin_url = servers._admin_engine(backend)
    ended = 0
    try:
        with admin.connect() as conn:
            rows = conn.execute(sa.text(KILL[backend]), {'name': name})
            if backend == 'mysql':
                for (ident,) in rows.fetchall():
                    conn.exec_driver_sql('KILL %d' % ident)
                    ended += 1
            else:
                ended = len(rows.fetchall())
    finally:
        admin.dispose()
    return ended


@pytest.mark.parametrize('idle', [0, 0.2, 3600])
def test_reads_survive_closed_connections(database, tmp_path, idle):
    backend, url = database
    app, storage, fixture = make_app(url, tmp_path, idle)
    try:
        assert app.get('/v1/boots?limit=5', headers=c.READER_A).json['boots']
        assert kill_connections(backend, url) >= 1
        if idle:
            time.sleep(min(idle, 1) + 0.1)
        body = app.get('/v1/boots?limit=5', headers=c.READER_A).json
        assert len(body['boots']) == 5
        assert app.get('/healthcheck').status_int == 200
    finally:
        storage.db.close()
        fixture.cleanUp()
