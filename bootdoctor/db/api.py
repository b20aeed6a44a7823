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


"""The storage API: one :class:`Connection` per process.

Every public method runs in its own transaction, retries deadlocks and
write races, and raises only :mod:`bootdoctor.db.exceptions` errors (plus
oslo.db's DBError for faults that are neither transient nor the caller's).
Timestamps may be given as aware datetimes, naive UTC datetimes or ISO 8601
strings; records and events come back as the JSON-ready dicts they were
stored as.

Concurrency: keys are unique in the database, so two writers storing the
same observation race on the unique index and the loser retries its whole
transaction, then skips what the winner stored. On SQLite, write
transactions start with BEGIN IMMEDIATE so writers queue instead of
deadlocking; on MySQL the isolation level is READ COMMITTED, as on
PostgreSQL, so both see the same thing.
"""

import datetime
import functools
import os

from oslo_db import api as oslo_db_api
from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import engines
from oslo_log import log
from oslo_utils import timeutils
import sqlalchemy as sa

from bootdoctor.db import deployment
from bootdoctor.db import exceptions
from bootdoctor.db import locks
from bootdoctor.db import migration
from bootdoctor.db import models
from bootdoctor.db import observations
from bootdoctor.db import purge as purge_mod
from bootdoctor.db import records
from bootdoctor.db import rejections
from bootdoctor.db import stats as stats_mod
from bootdoctor.db import types

LOG = log.getLogger(__name__)

# [database] options passed on to oslo.db's create_engine.
_ENGINE_OPTIONS = ('sqlite_synchronous', 'mysql_sql_mode',
                   'mysql_wsrep_sync_wait', 'connection_recycle_time',
                   'connection_debug', 'max_pool_size', 'max_overflow',
                   'pool_timeout', 'max_retries', 'retry_interval',
                   'connection_trace', 'connection_parameters')
_WRITE = 'bootdoctor_write'


def _locked(exc):
    """SQLite's busy writer: transient, worth a retry."""
    return 'database is locked' in str(exc)


def _retry(conflicts=False):
    """Retry deadlocks (and, if ``conflicts``, unique-key races)."""
    def checker(exc):
        if conflicts and isinstance(exc, db_exc.DBDuplicateEntry):
            return True
        return isinstance(exc, db_exc.DBError) and _locked(exc)
    return oslo_db_api.wrap_db_retry(
        max_retries=10, retry_interval=0.05, inc_retry_interval=True,
        max_retry_interval=1, retry_on_deadlock=True, jitter=True,
        exception_checker=checker)


def _translated(func):
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


def _now(now=None):
    return types.to_utc(now) if now is not None else timeutils.utcnow(
        with_timezone=True)


def get_connection(conf):
    """The Connection for the configured [database] connection."""
    return Connection(conf.database.connection, conf=conf)


def _prepare_url(url):
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


def _sqlite_begin_immediate(engine):
    """Start write transactions with BEGIN IMMEDIATE on SQLite.

    oslo.db emits a deferred BEGIN itself. A deferred transaction that
    reads and then writes fails at once with "database is locked" when
    another writer is active; BEGIN IMMEDIATE takes the write lock up
    front, waiting for it, so writers queue instead.
    """
    @sa.event.listens_for(engine, 'before_cursor_execute', retval=True)
    def _immediate(conn, cursor, statement, parameters, context,
                   executemany):
        if statement == 'BEGIN' and conn.get_execution_options().get(_WRITE):
            statement = 'BEGIN IMMEDIATE'
        return statement, parameters


class Connection:
    """bootdoctor's storage on one database URL.

    :param url: a SQLAlchemy URL (``sqlite://`` is an in-memory database).
    :param conf: a ConfigOpts whose [database] options tune the engine.
    """

    def __init__(self, url, conf=None, **engine_options):
        options = {'max_retries': 0}
        if conf is not None:
            options.update({name: getattr(conf.database, name)
                            for name in _ENGINE_OPTIONS})
        options.update(engine_options)
        url = _prepare_url(url)
        self.safe_url = url.render_as_string(hide_password=True)
        self.dialect = url.get_backend_name()
        try:
            engine = engines.create_engine(
                url.render_as_string(hide_password=False), **options)
        except (db_exc.DBConnectionError, sa.exc.OperationalError,
                sa.exc.InterfaceError) as exc:
            raise exceptions.DBUnavailable(exc) from exc
        if self.dialect == 'sqlite':
            _sqlite_begin_immediate(engine)
        self._root_engine = engine
        if self.dialect == 'mysql':
            engine = engine.execution_options(
                isolation_level='READ COMMITTED')
        self.engine = engine
        self._writer = engine.execution_options(**{_WRITE: True})

    def __repr__(self):
        return '<Connection %s>' % self.safe_url

    def close(self):
        """Release the connection pool."""
        self._root_engine.dispose()

    def _read(self):
        return self.engine.begin()

    def _write(self):
        return self._writer.begin()

    def _has_schema(self):
        try:
            return sa.inspect(self.engine).has_table(models.boots.name)
        except Exception:  # noqa: the original error is the one to show
            return True

    # Schema

    @_translated
    def upgrade(self, revision='head'):
        """Create or upgrade the schema (alembic, no alembic.ini)."""
        with self._root_engine.begin() as conn:
            migration.upgrade(conn, revision)

    @_translated
    def version(self):
        """The schema revision, or None for an empty database."""
        with self._read() as conn:
            return migration.version(conn)

    @staticmethod
    def head():
        """The newest schema revision this code knows."""
        return migration.head()

    # Notifications, observations, rejections

    @_translated
    @_retry(conflicts=True)
    def add_observations(self, parsed_list, received_at=None):
        """Store parsed notifications; return only the new Observations.

        ``parsed_list`` holds Parsed results (``.message``, the canonical
        raw message, and ``.observations``) or bare Observations. A
        (message_id, instance_uuid) already stored is skipped, so storing
        a duplicate is a no-op; all of it is stored or none.
        """
        received_at = _now(received_at)
        with self._write() as conn:
            return observations.add(conn, list(parsed_list), received_at)

    @_translated
    @_retry()
    def add_rejection(self, reason, raw, message_id=None, source=None,
                      received_at=None):
        """Record input that was refused, with why and where from."""
        with self._write() as conn:
            rejections.add(conn, reason, raw, message_id=message_id,
                           source=source, received_at=_now(received_at))

    @_translated
    def rejections(self, limit=100, since=None):
        """The newest rejections first."""
        with self._read() as conn:
            return rejections.list_(conn, limit=limit, since=since)

    @_translated
    def observations_for(self, instance_uuid):
        """Every stored observation of an instance, in time order."""
        with self._read() as conn:
            return observations.for_instance(conn, instance_uuid)

    @_translated
    def related_for(self, image_ids=(), user_ids=(), since=None, until=None,
                    project_ids=None):
        """Instance-less observations that may belong to a boot.

        Those (image.send, authenticate) naming one of the images or
        users, within [since, until].
        """
        with self._read() as conn:
            return observations.related(conn, image_ids, user_ids, since,
                                        until, project_ids)

    @_translated
    def download_candidates(self, image_id, project_id, at, window):
        """The boots that may have received this image download: see
        :func:`bootdoctor.db.observations.download_candidates`."""
        with self._read() as conn:
            return observations.download_candidates(
                conn, image_id, project_id, at, window)

    @_translated
    def authentication_candidates(self, user_id, at, window):
        """The boots an authentication of ``user_id`` at ``at`` may have
        given its token to: those whose first observation of that user
        lies after it, within ``window`` and not after the user's next
        successful authentication."""
        with self._read() as conn:
            until = at + window
            following = observations.next_successful_authentication(
                conn, user_id, at, until)
            return observations.authentication_candidates(
                conn, user_id, at, following or until)

    @_translated
    def events_for(self, instance_uuid, project_id=None):
        """The raw notifications behind a boot, in time order.

        Raises NotFound if the boot is unknown or in another project.
        """
        with self._read() as conn:
            if not records.exists(conn, instance_uuid, project_id):
                raise exceptions.NotFound('boot', instance_uuid)
            return observations.events(conn, instance_uuid)

    # Boot records

    @_translated
    @_retry(conflicts=True)
    def save_records(self, records_, observation_counts=None):
        """Insert or update boot records (BootRecord.to_dict() dicts).

        See :func:`bootdoctor.db.records.save` for ``observation_counts``.
        Returns the instance_uuids written.
        """
        with self._write() as conn:
            return records.save(conn, list(records_), observation_counts)

    @_translated
    @_retry(conflicts=True)
    def rebuild(self, instance_uuid, build, related_window):
        """Rebuild one boot's record under its lock; return it.

        In one write transaction: lock the boot, read its observations
        and the related ones, call ``build(own, related)`` (None: no
        record) and save what it returns. Two writers rebuilding the same
        boot take turns, and the second reads every observation the first
        had committed, so the stored record is never built from fewer
        observations than were stored before it.

        :param related_window: ``callable(own) -> (image_ids, user_ids,
            since, until)`` for the related observations to read.
        """
        with self._write() as conn:
            locks.lock(conn, instance_uuid)
            own = observations.for_instance(conn, instance_uuid)
            if not own:
                return None
            images, users, since, until = related_window(own)
            related = observations.related(conn, images, users, since,
                                           until)
            record = build(own, related)
            if record is not None:
                records.save(conn, [record.to_dict()],
                             {instance_uuid: len(own)})
            return record

    @_translated
    def get_record(self, instance_uuid, project_id=None, decode=True):
        """The record, or None if unknown or not in ``project_id``.

        With ``decode`` False the record is the stored JSON text.
        """
        with self._read() as conn:
            return records.get(conn, instance_uuid, project_id, decode)

    @_translated
    def list_records(self, filters=None, sort=None, limit=None, marker=None,
                     detail=True, decode=True):
        """One page of records, newest first by default.

        :param filters: status, phase, host, failed_component (each a
            value or a list), request_id, project_id, since and until
            (on created_at, since inclusive).
        :param sort: ``key[:asc|desc]`` with key created_at, updated_at
            or duration_s (unfinished boots last); desc by default.
        :param marker: the instance_uuid of the previous page's last item.
        :param detail: full records if True, else summaries from columns.
        :param decode: False to get records as their stored JSON text
            (a caller passing them on unchanged saves decoding).
        :raises InvalidFilter: naming the bad parameter.
        """
        with self._read() as conn:
            return records.list_(conn, filters, sort, limit, marker, detail,
                                 decode)

    @_translated
    def stale_building(self, now=None, min_age=None, limit=None):
        """Records still building, not updated since ``now - min_age``."""
        with self._read() as conn:
            return records.stale_building(conn, _now(now), min_age, limit)

    @_translated
    def stats(self, since=None, until=None, project_id=None, group_by=None):
        """Counts by status, failures and phase percentiles in a window."""
        with self._read() as conn:
            return stats_mod.stats(conn, since, until, project_id, group_by)

    # Deployment state

    @_translated
    def mark_emitted(self, instance_uuid, state, now=None):
        """True only for the first caller marking (instance, state)."""
        try:
            self._insert_mark(instance_uuid, state, _now(now))
        except db_exc.DBDuplicateEntry:
            return False
        return True

    @_retry()
    def _insert_mark(self, instance_uuid, state, now):
        with self._write() as conn:
            deployment.mark_emitted(conn, instance_uuid, state, now)

    @_translated
    @_retry(conflicts=True)
    def record_finding(self, key, severity, message, now=None):
        """Create or count again a deployment warning."""
        with self._write() as conn:
            deployment.record_finding(conn, key, severity, message,
                                      _now(now))

    @_translated
    @_retry()
    def clear_finding(self, key):
        """Forget a finding; True if there was one."""
        with self._write() as conn:
            return deployment.clear_finding(conn, key)

    @_translated
    def findings(self):
        with self._read() as conn:
            return deployment.list_findings(conn)

    @_translated
    @_retry(conflicts=True)
    def heartbeat(self, exchange, last_message_at, received=1):
        """Count messages received from an exchange."""
        with self._write() as conn:
            deployment.heartbeat(conn, exchange, last_message_at, received)

    @_translated
    def heartbeats(self):
        with self._read() as conn:
            return deployment.list_heartbeats(conn)

    # Retention and counts

    @_translated
    def purge(self, older_than, now=None, batch_size=1000):
        """Delete what is older than ``older_than`` (a timedelta).

        Runs in batches of ``batch_size``, one transaction each. Returns
        the counts deleted: boots, observations, notifications,
        rejections.
        """
        if not isinstance(older_than, datetime.timedelta) or (
                older_than < datetime.timedelta(0)):
            raise exceptions.InvalidFilter('older_than',
                                           'must be a positive timedelta')
        cutoff = _now(now) - older_than
        totals = dict.fromkeys(('boots', 'observations', 'notifications',
                                'rejections'), 0)
        for step in (purge_mod.boots_batch, purge_mod.orphans_batch,
                     purge_mod.rejections_batch):
            while True:
                counts = self._purge_batch(step, cutoff, batch_size)
                for key, value in counts.items():
                    totals[key] += value
                if not any(counts.values()):
                    break
        LOG.info('Purged before %s: %s', cutoff.isoformat(), totals)
        return totals

    @_retry()
    def _purge_batch(self, step, cutoff, batch_size):
        with self._write() as conn:
            return step(conn, cutoff, batch_size)

    @_translated
    def counts(self):
        """Row counts of the main tables."""
        tables = (models.notifications, models.observations, models.boots,
                  models.rejections, models.findings)
        with self._read() as conn:
            return {table.name: conn.execute(
                sa.select(sa.func.count()).select_from(table)).scalar()
                for table in tables}
