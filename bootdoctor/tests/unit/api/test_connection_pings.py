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

"""Pings of pooled connections, and reads retried on a lost connection."""

from unittest import mock

from oslo_db import exception as oslo_db_exc
import pytest
import sqlalchemy as sa

from bootdoctor.api import errors
from bootdoctor.api import storage as api_storage
from bootdoctor.db import api
from bootdoctor.db import engine
from bootdoctor.db import exceptions
from bootdoctor.tests.unit.api import conftest as c


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


@pytest.fixture
def connection(tmp_path):
    conn = api.Connection('sqlite:///%s' % (tmp_path / 'db.sqlite'))
    conn.upgrade()
    yield conn
    conn.close()


@pytest.fixture
def pooled(tmp_path):
    """A pooled engine with the pre-ping on, as oslo.db makes them.

    (oslo.db gives SQLite files no pool; PostgreSQL and MySQL have one.)
    """
    db_engine = sa.create_engine(
        'sqlite:///%s' % (tmp_path / 'pooled.sqlite'),
        poolclass=sa.pool.QueuePool, pool_pre_ping=True)
    yield db_engine
    db_engine.dispose()


def read(db_engine):
    with db_engine.connect() as conn:
        assert conn.execute(sa.text('SELECT 2')).scalar() == 2


def test_oslo_db_pings_every_checkout_by_default(connection, pooled):
    assert connection.engine.pool._pre_ping
    engine.ping_when_idle(pooled, 0)
    assert pooled.pool._pre_ping
    with mock.patch.object(pooled.dialect, 'do_ping',
                           return_value=True) as ping:
        read(pooled)
        read(pooled)
    assert ping.call_count == 1  # the second checkout


def test_only_a_connection_idle_longer_than_the_limit_is_pinged(pooled):
    clock = Clock()
    db_engine = pooled
    engine.ping_when_idle(db_engine, 5, clock)
    assert not db_engine.pool._pre_ping
    with mock.patch.object(db_engine.dialect, 'do_ping',
                           return_value=True) as ping:
        read(db_engine)   # a new connection: nothing to ping
        clock.now += 4.9
        read(db_engine)   # used 4.9 s ago
        assert ping.call_count == 0
        clock.now += 5.1
        read(db_engine)   # idle 5.1 s: pinged first
        assert ping.call_count == 1
        read(db_engine)
        assert ping.call_count == 1


def test_a_failed_ping_replaces_the_connections(pooled):
    clock = Clock()
    db_engine = pooled
    engine.ping_when_idle(db_engine, 5, clock)
    read(db_engine)
    before = db_engine.pool.checkedin()
    clock.now += 10
    gone = sa.exc.OperationalError('SELECT 1', {}, Exception('gone'))
    with mock.patch.object(db_engine.dialect, 'do_ping',
                           side_effect=gone) as ping, \
            mock.patch.object(db_engine.dialect, 'is_disconnect',
                              return_value=True):
        read(db_engine)   # on a new connection
    assert ping.call_count == 1
    assert before == 1
    # Every connection checked in before the failed ping is replaced.
    assert db_engine.pool._invalidate_time > 0


def test_a_failed_ping_that_is_no_disconnect_is_raised(pooled):
    clock = Clock()
    db_engine = pooled
    engine.ping_when_idle(db_engine, 5, clock)
    read(db_engine)
    clock.now += 10
    boom = sa.exc.OperationalError('SELECT 1', {}, Exception('boom'))
    with mock.patch.object(db_engine.dialect, 'do_ping', side_effect=boom), \
            mock.patch.object(db_engine.dialect, 'is_disconnect',
                              return_value=False):
        with pytest.raises(sa.exc.OperationalError):
            read(db_engine)


def unavailable(invalidated):
    inner = sa.exc.OperationalError('SELECT', {}, Exception('gone'),
                                    connection_invalidated=invalidated)
    cause = oslo_db_exc.DBConnectionError(inner)
    try:
        raise exceptions.DBUnavailable(cause) from cause
    except exceptions.DBUnavailable as exc:
        return exc


class FlakyDB:
    def __init__(self, *failures):
        self.failures = list(failures)
        self.calls = 0

    def get_record(self, instance_uuid):
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return {'instance_uuid': instance_uuid}


def test_a_read_on_a_lost_connection_is_retried_once():
    db = FlakyDB(unavailable(True))
    assert api_storage.Storage(db).get_boot('u') == {'instance_uuid': 'u'}
    assert db.calls == 2


def test_a_read_lost_twice_is_unavailable():
    db = FlakyDB(unavailable(True), unavailable(True))
    with pytest.raises(errors.ServiceUnavailable):
        api_storage.Storage(db).get_boot('u')
    assert db.calls == 2


def test_an_unavailable_database_is_not_retried():
    db = FlakyDB(unavailable(False))
    with pytest.raises(errors.ServiceUnavailable):
        api_storage.Storage(db).get_boot('u')
    assert db.calls == 1
    assert not api_storage.lost_connection(exceptions.DBUnavailable('x'))


def test_the_api_storage_passes_the_configured_idle_time(tmp_path):
    conf = c.make_conf()
    conf.set_override('connection', 'sqlite:///%s' % (tmp_path / 'a.db'),
                      group='database')
    conf.set_override('database_ping_idle_time', 2.5, group='api')
    with mock.patch.object(api, 'Connection') as connection:
        storage = api_storage.Storage.from_conf(conf)
    assert storage.db is connection.return_value
    assert connection.call_args.kwargs['ping_idle'] == 2.5


@pytest.mark.parametrize('url,pinged_always', [
    ('postgresql+psycopg2://u@127.0.0.1:1/d', False),
    ('mysql+pymysql://u@127.0.0.1:1/d', True),
])
def test_only_postgresql_skips_the_ping(url, pinged_always):
    # max_retries 0: no connection is opened.
    conn = api.Connection(url, ping_idle=1)
    try:
        assert conn.engine.pool._pre_ping is pinged_always
    finally:
        conn.close()
