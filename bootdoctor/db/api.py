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

from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import engines
from oslo_log import log
from oslo_utils import timeutils
import sqlalchemy as sa

from bootdoctor.db import bulk
from bootdoctor.db import decoded
from bootdoctor.db import deployment
from bootdoctor.db import engine
from bootdoctor.db import exceptions
from bootdoctor.db import migration
from bootdoctor.db import models
from bootdoctor.db import observations
from bootdoctor.db import purge as purge_mod
from bootdoctor.db import rebuilds
from bootdoctor.db import record_lists
from bootdoctor.db import records
from bootdoctor.db import rejections
from bootdoctor.db import statistics
from bootdoctor.db import stats as stats_mod
from bootdoctor.db import types

LOG = log.getLogger(__name__)


def _now(now=None):
    return types.to_utc(now) if now is not None else timeutils.utcnow(
        with_timezone=True)


def get_connection(conf, ping_idle=0, decoded_cache=0):
    """The Connection for the configured [database] connection.

    :param ping_idle: see :class:`Connection`.
    :param decoded_cache: see :class:`Connection`.
    """
    return Connection(conf.database.connection, conf=conf,
                      ping_idle=ping_idle, decoded_cache=decoded_cache)


class Connection:
    """bootdoctor's storage on one database URL.

    :param url: a SQLAlchemy URL (``sqlite://`` is an in-memory database).
    :param conf: a ConfigOpts whose [database] options tune the engine.
    :param ping_idle: seconds a pooled connection may sit idle and still
        be checked out without a ping (:func:`engine.ping_when_idle`),
        on PostgreSQL; 0 pings on every checkout, as oslo.db does.
    :param decoded_cache: how many decoded observations rebuilds may keep
        (:mod:`bootdoctor.db.decoded`); 0 keeps none.
    """

    def __init__(self, url, conf=None, ping_idle=0, decoded_cache=0,
                 **engine_options):
        # thread_checkin: oslo.db's sleep(0) at every checkin is for
        # eventlet's green threads; bootdoctor runs native threads only,
        # where it costs a context switch (about 80 us) per transaction.
        options = {'max_retries': 0, 'thread_checkin': False}
        if conf is not None:
            options.update({name: getattr(conf.database, name)
                            for name in engine.ENGINE_OPTIONS})
        options.update(engine_options)
        url = engine.prepare_url(url)
        self.safe_url = url.render_as_string(hide_password=True)
        self.dialect = url.get_backend_name()
        try:
            db_engine = engines.create_engine(
                url.render_as_string(hide_password=False), **options)
        except (db_exc.DBConnectionError, sa.exc.OperationalError,
                sa.exc.InterfaceError) as exc:
            raise exceptions.DBUnavailable(exc) from exc
        if self.dialect == 'sqlite':
            engine.sqlite_begin_immediate(db_engine)
        if self.dialect == 'postgresql':
            engine.batch_executemany(db_engine)
            bulk.install(db_engine)
            # MySQL keeps the ping on every checkout: the isolation level
            # set below is sent at checkout, outside SQLAlchemy's
            # statement error handling, so a lost connection found there
            # would not be recognised as one.
            engine.ping_when_idle(db_engine, ping_idle)
        self._root_engine = db_engine
        if self.dialect == 'mysql':
            db_engine = db_engine.execution_options(
                isolation_level='READ COMMITTED')
        self.engine = db_engine
        self._writer = db_engine.execution_options(**{engine.WRITE: True})
        self.decoded = (decoded.DecodedObservations(decoded_cache)
                        if decoded_cache else None)

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

    @engine.translated
    def upgrade(self, revision='head'):
        """Create or upgrade the schema (alembic, no alembic.ini)."""
        with self._root_engine.begin() as conn:
            migration.upgrade(conn, revision)

    @engine.translated
    def version(self):
        """The schema revision, or None for an empty database."""
        with self._read() as conn:
            return migration.version(conn)

    @staticmethod
    def head():
        """The newest schema revision this code knows."""
        return migration.head()

    # Notifications, observations, rejections

    @engine.translated
    @engine.retry(conflicts=True)
    def add_observations(self, parsed_list, received_at=None):
        """Store parsed notifications; return only the new Observations.

        ``parsed_list`` holds Parsed results (``.message``, the canonical
        raw message, and ``.observations``) or bare Observations. A
        (message_id, instance_uuid) already stored is skipped, so storing
        a duplicate is a no-op; all of it is stored or none.
        """
        received_at = _now(received_at)
        with self._write() as conn:
            new = observations.add(conn, list(parsed_list), received_at)
        if self.decoded is not None:
            # Committed: rebuilds may take them without decoding.
            self.decoded.add(((o.message_id,
                               o.instance_uuid or models.NO_INSTANCE), o)
                             for o in new)
        return new

    @engine.translated
    @engine.retry()
    def add_rejection(self, reason, raw, message_id=None, source=None,
                      received_at=None):
        """Record input that was refused, with why and where from."""
        with self._write() as conn:
            rejections.add(conn, reason, raw, message_id=message_id,
                           source=source, received_at=_now(received_at))

    @engine.translated
    def rejections(self, limit=100, since=None):
        """The newest rejections first."""
        with self._read() as conn:
            return rejections.list_(conn, limit=limit, since=since)

    @engine.translated
    def observations_for(self, instance_uuid):
        """Every stored observation of an instance, in time order."""
        with self._read() as conn:
            return observations.for_instance(conn, instance_uuid)

    @engine.translated
    def related_for(self, image_ids=(), user_ids=(), since=None, until=None,
                    project_ids=None):
        """Instance-less observations that may belong to a boot.

        Those (image.send, authenticate) naming one of the images or
        users, within [since, until].
        """
        with self._read() as conn:
            return observations.related(conn, image_ids, user_ids, since,
                                        until, project_ids)

    def download_candidates(self, image_id, project_id, at, window):
        """The boots that may have received this image download: see
        :func:`bootdoctor.db.observations.download_candidates`.
        """
        return self.candidates(downloads=[(image_id, project_id, at, window)])

    def authentication_candidates(self, user_id, at, window):
        """The boots an authentication of ``user_id`` at ``at`` may have
        given its token to: those whose first observation of that user
        lies after it, within ``window`` and not after the user's next
        successful authentication.
        """
        return self.candidates(authentications=[(user_id, at, window)])

    @engine.translated
    def candidates(self, downloads=(), authentications=()):
        """The boots of many downloads and authentications, in one read.

        :param downloads: ``(image_id, project_id, at, window)`` tuples.
        :param authentications: ``(user_id, at, window)`` tuples.
        """
        found = set()
        with self._read() as conn:
            found |= observations.downloads_candidates(conn, downloads)
            for user_id, at, window in set(authentications):
                until = at + window
                following = observations.next_successful_authentication(
                    conn, user_id, at, until)
                found |= observations.authentication_candidates(
                    conn, user_id, at, following or until)
        return found

    @engine.translated
    def events_for(self, instance_uuid, project_id=None):
        """The raw notifications behind a boot, in time order.

        Raises NotFound if the boot is unknown or in another project.
        """
        with self._read() as conn:
            if not records.exists(conn, instance_uuid, project_id):
                raise exceptions.NotFound('boot', instance_uuid)
            return observations.events(conn, instance_uuid)

    # Boot records

    @engine.translated
    @engine.retry(conflicts=True)
    def save_records(self, records_, observation_counts=None):
        """Insert or update boot records (BootRecord.to_dict() dicts).

        See :func:`bootdoctor.db.records.save` for ``observation_counts``.
        Returns the instance_uuids written.
        """
        with self._write() as conn:
            return records.save(conn, list(records_), observation_counts)

    @engine.translated
    @engine.retry(conflicts=True)
    def rebuild(self, instance_uuid, build, related_window):
        """Rebuild one boot's record under its lock; return it or None.

        See :meth:`rebuild_many`.
        """
        with self._write() as conn:
            built = rebuilds.rebuild(conn, [instance_uuid], build,
                                     related_window, self.decoded)
            return built[0] if built else None

    @engine.translated
    @engine.retry(conflicts=True)
    def rebuild_many(self, instance_uuids, build, related_window):
        """Rebuild these boots' records under their locks; return them.

        In one write transaction: lock the boots, read their observations
        and the related ones, call ``build(own, related)`` for each (None:
        no record) and save what it returns (see
        :func:`bootdoctor.db.rebuilds.rebuild`). Two writers rebuilding
        the same boot take turns, and the second reads every observation
        the first had committed, so the stored record is never built from
        fewer observations than were stored before it.

        :param related_window: ``callable(own) -> [(image_ids, user_ids,
            since, until, kinds), ...]``, the related observations to read
            (see :func:`bootdoctor.db.observations.related`).
        """
        with self._write() as conn:
            return rebuilds.rebuild(conn, instance_uuids, build,
                                    related_window, self.decoded)

    @engine.translated
    def get_record(self, instance_uuid, project_id=None, decode=True):
        """The record, or None if unknown or not in ``project_id``.

        With ``decode`` False the record is the stored JSON text.
        """
        with self._read() as conn:
            return records.get(conn, instance_uuid, project_id, decode)

    @engine.translated
    def get_stored_record(self, instance_uuid):
        """(project_id, has_traceback, record JSON text), or None."""
        with self._read() as conn:
            return records.get_stored(conn, instance_uuid)

    @engine.translated
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
            return record_lists.list_(conn, filters, sort, limit, marker,
                                      detail, decode)

    @engine.translated
    def stale_building(self, now=None, min_age=None, limit=None):
        """Records still building, not updated since ``now - min_age``."""
        with self._read() as conn:
            return record_lists.stale_building(conn, _now(now), min_age, limit)

    @engine.translated
    def unannounced_failures(self, grace, window, now=None, limit=None):
        """Failed boots not announced, updated between ``now - window``
        and ``now - grace`` (see :func:`record_lists.unannounced_failures`).
        """
        with self._read() as conn:
            return record_lists.unannounced_failures(conn, _now(now), grace,
                                                     window, limit)

    @engine.translated
    def stats(self, since=None, until=None, project_id=None, group_by=None):
        """Counts by status, failures and phase percentiles in a window."""
        with self._read() as conn:
            return stats_mod.stats(conn, since, until, project_id, group_by)

    @engine.translated
    def metrics(self, since=None, until=None, project_id=None):
        """What /metrics serves, in one read transaction.

        :func:`bootdoctor.db.stats.stats` without percentiles, plus
        ``histograms``: :func:`bootdoctor.db.stats.phase_histogram`.
        """
        with self._read() as conn:
            result = stats_mod.stats(conn, since, until, project_id,
                                     percentiles=False)
            result['histograms'] = stats_mod.phase_histogram(
                conn, since, until, project_id)
            return result

    # Deployment state

    @engine.translated
    @engine.retry()
    def mark_emitted_many(self, pairs, now=None):
        """Mark ``(instance, state)`` pairs in one transaction; return
        the set of those this call marked first (another writer, or an
        earlier call, holds the others).
        """
        pairs = list(pairs)
        if not pairs:
            return set()
        with self._write() as conn:
            return deployment.mark_emitted_many(conn, pairs, _now(now))

    @engine.translated
    @engine.retry(conflicts=True)
    def record_finding(self, key, severity, message, now=None):
        """Create or count again a deployment warning."""
        with self._write() as conn:
            deployment.record_finding(conn, key, severity, message,
                                      _now(now))

    @engine.translated
    @engine.retry()
    def clear_finding(self, key):
        """Forget a finding; True if there was one."""
        with self._write() as conn:
            return deployment.clear_finding(conn, key)

    @engine.translated
    def findings(self):
        with self._read() as conn:
            return deployment.list_findings(conn)

    @engine.translated
    @engine.retry(conflicts=True)
    def heartbeat(self, exchange, last_message_at, received=1):
        """Count messages received from an exchange."""
        with self._write() as conn:
            deployment.heartbeat(conn, exchange, last_message_at, received)

    @engine.translated
    def heartbeats(self):
        with self._read() as conn:
            return deployment.list_heartbeats(conn)

    # Retention and counts

    @engine.translated
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

    @engine.retry()
    def _purge_batch(self, step, cutoff, batch_size):
        with self._write() as conn:
            return step(conn, cutoff, batch_size)

    @engine.translated
    def counts(self):
        """Row counts of the main tables."""
        tables = (models.notifications, models.observations, models.boots,
                  models.rejections, models.findings)
        with self._read() as conn:
            return {table.name: conn.execute(
                sa.select(sa.func.count()).select_from(table)).scalar()
                for table in tables}

    @engine.translated
    def analyze_stale(self):
        """ANALYZE tables autovacuum would have; see db.statistics."""
        return statistics.analyze_stale(self._root_engine)
