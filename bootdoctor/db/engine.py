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

"""The engine under :class:`bootdoctor.db.api.Connection`.

URL preparation, SQLite's queued writers, and the two decorators every
storage method wears: :func:`retry` (deadlocks, SQLite's busy writer and,
on request, unique-key races) and :func:`translated` (driver faults turned
into :mod:`bootdoctor.db.exceptions`).
"""

import functools
import os
import time

from oslo_db import api as oslo_db_api
from oslo_db import exception as db_exc
import sqlalchemy as sa

from bootdoctor.db import exceptions

# [database] options passed on to oslo.db's create_engine.
ENGINE_OPTIONS = ('sqlite_synchronous', 'mysql_sql_mode',
                  'mysql_wsrep_sync_wait', 'connection_recycle_time',
                  'connection_debug', 'max_pool_size', 'max_overflow',
                  'pool_timeout', 'max_retries', 'retry_interval',
                  'connection_trace', 'connection_parameters')
WRITE = 'bootdoctor_write'
CHECKED_IN = 'bootdoctor_checked_in'


def _locked(exc):
    """SQLite's busy writer: transient, worth a retry."""
    return 'database is locked' in str(exc)


def retry(conflicts=False):
    """Retry deadlocks (and, if ``conflicts``, unique-key races)."""
    def checker(exc):
        if conflicts and isinstance(exc, db_exc.DBDuplicateEntry):
            return True
        return isinstance(exc, db_exc.DBError) and _locked(exc)
    return oslo_db_api.wrap_db_retry(
        max_retries=10, retry_interval=0.05, inc_retry_interval=True,
        max_retry_interval=1, retry_on_deadlock=True, jitter=True,
        exception_checker=checker)


def translated(func):
    """Turn driver faults into bootdoctor storage exceptions."""
    @functools.wraps(func)
    def wrapper(self, *args, **kwargs):
        try:
            return func(self, *args, **kwargs)
        except exceptions.StorageError:
            raise
        except (db_exc.DBConnectionError, db_exc.DBDeadlock) as exc:
            raise exceptions.DBUnavailable(exc) from exc
        except (db_exc.DBError, sa.exc.DBAPIError) as exc:
            if _locked(exc):
                raise exceptions.DBUnavailable(exc) from exc
            if not self._has_schema():
                raise exceptions.NotInitialised(self.safe_url) from exc
            if isinstance(exc, (sa.exc.OperationalError,
                                sa.exc.InterfaceError)):
                # oslo.db passes operational errors through as they are,
                # and does not see a failure to connect from the pool.
                raise exceptions.DBUnavailable(exc) from exc
            raise
    return wrapper


def prepare_url(url):
    url = sa.engine.make_url(url)
    backend = url.get_backend_name()
    if backend == 'mysql' and 'charset' not in url.query:
        # oslo.db defaults to utf8 (three bytes); payloads may hold any
        # character.
        url = url.update_query_dict({'charset': 'utf8mb4'})
    if backend == 'sqlite' and url.database and url.database != ':memory:':
        directory = os.path.dirname(os.path.abspath(url.database))
        os.makedirs(directory, exist_ok=True)
    return url


def sqlite_begin_immediate(engine):
    """Start write transactions with BEGIN IMMEDIATE on SQLite.

    oslo.db emits a deferred BEGIN itself. A deferred transaction that
    reads and then writes fails at once with "database is locked" when
    another writer is active; BEGIN IMMEDIATE takes the write lock up
    front, waiting for it, so writers queue instead.
    """
    @sa.event.listens_for(engine, 'before_cursor_execute', retval=True)
    def _immediate(conn, cursor, statement, parameters, context,
                   executemany):
        if statement == 'BEGIN' and conn.get_execution_options().get(WRITE):
            statement = 'BEGIN IMMEDIATE'
        return statement, parameters


def batch_executemany(db_engine, page_size=100):
    """Send an UPDATE or DELETE of many rows in pages, on psycopg2.

    SQLAlchemy's psycopg2 dialect batches a multi-row INSERT into one
    statement, but runs an UPDATE of many rows (a batch's boot records)
    through the driver's executemany, one round trip per row. Its
    ``values_plus_batch`` mode sends them ``page_size`` at a time with
    psycopg2's execute_batch instead. oslo.db's create_engine takes no
    dialect options, so the mode is set here, before the first connection
    (the dialect reads it when it initialises, to know that the row count
    of such a batch is not reliable; bootdoctor does not read it, and the
    flag is set here too in case a connection was already made).
    """
    dialect = db_engine.dialect
    if dialect.driver != 'psycopg2':
        return
    from sqlalchemy.dialects.postgresql import psycopg2
    dialect.executemany_mode = psycopg2.EXECUTEMANY_VALUES_PLUS_BATCH
    dialect.executemany_batch_page_size = page_size
    dialect.supports_sane_multi_rowcount = False


def ping_when_idle(db_engine, idle, clock=time.monotonic):
    """Ping a pooled connection on checkout only if it sat idle.

    oslo.db turns on SQLAlchemy's ``pool_pre_ping``: every checkout sends
    a ``SELECT 1`` first, a round trip as long as a primary-key read. A
    connection returned to the pool less than ``idle`` seconds ago was
    working then; this pings only the others (and none that was just
    opened), invalidating the whole pool when the ping finds the server
    gone, as the pre-ping does. A server lost within ``idle`` seconds of
    a connection's last use is found by the statement itself instead
    (oslo.db then invalidates the pool).

    :param idle: seconds; 0 or less keeps the ping on every checkout.
    :param clock: the monotonic clock the idle time is measured on.
    """
    if idle <= 0:
        return
    pool = db_engine.pool
    dialect = db_engine.dialect
    # oslo.db offers no option for it; this listener replaces it.
    pool._pre_ping = False

    @sa.event.listens_for(pool, 'checkin')
    def _checked_in(dbapi_connection, record):
        if record is not None:
            record.info[CHECKED_IN] = clock()

    @sa.event.listens_for(pool, 'checkout')
    def _ping(dbapi_connection, record, proxy):
        checked_in = record.info.get(CHECKED_IN)
        if checked_in is None or clock() - checked_in < idle:
            # Never checked in: opened for this checkout.
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as exc:
            if dialect.is_disconnect(exc, dbapi_connection, None):
                raise sa.exc.InvalidatePoolError() from exc
            raise
