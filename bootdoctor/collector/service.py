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

"""The collector service: a listener, its processor and a periodic task.

:class:`Collector` runs in one process (the demo and tests start it
in-process); :func:`run` runs ``[collector] workers`` of them as cotyledon
worker processes. No eventlet: oslo.messaging's threading executor runs
the batches, a plain thread the periodic stuck search.

Stopping: ``listener.stop()`` then ``listener.wait()``, so the batches in
flight finish and are acknowledged; unacknowledged messages return to the
queue when the connection closes.
"""

import threading
import time

import cotyledon
from cotyledon import oslo_config_glue
from oslo_log import log

from bootdoctor.collector import checks as checks_mod
from bootdoctor.collector import clock as clock_mod
from bootdoctor.collector import collection
from bootdoctor.collector import counters as counters_mod
from bootdoctor.collector import emitter as emitter_mod
from bootdoctor.collector import processor as processor_mod
from bootdoctor.collector import reconcile as reconcile_mod
from bootdoctor.collector import report
from bootdoctor.collector import stuck as stuck_mod
from bootdoctor.conf import tracker as tracker_conf
from bootdoctor.db import api as db_api
from bootdoctor.db import exceptions as db_exc
from bootdoctor.notification import endpoints
from bootdoctor.notification import listener as listener_mod

LOG = log.getLogger(__name__)
HEARTBEAT_INTERVAL = 5.0
# How often the planner statistics are looked at (autovacuum's naptime).
ANALYZE_INTERVAL = 60


class Collector:
    """One listener with everything it feeds.

    :param conf: the parsed ConfigOpts.
    :param connection: a storage Connection; default the configured one.
    :param transport: a notification transport; default the configured one.
    :param worker: this worker's number, for logs and reports.
    """

    def __init__(self, conf, connection=None, transport=None, worker=0):
        self.conf = conf
        self.worker = worker
        self.connection = connection
        self.transport = transport
        self._own_transport = transport is None
        self.counters = counters_mod.Counters()
        self.stopping = threading.Event()
        self._analyzed = False
        self.backoff = processor_mod.Backoff(
            lambda: conf.collector.requeue_backoff,
            lambda: conf.collector.requeue_backoff_max, self.stopping)
        self.listener = None
        self.processor = None
        self.stuck = None
        self.stream_clock = None
        self.checks = None
        self._thread = None

    def deadlines(self):
        return tracker_conf.deadlines(self.conf)

    def start(self):
        """Connect, start listening and start the periodic task."""
        listener_mod.register_opts(self.conf)
        if self.connection is None:
            self.connection = self._connect()
            if self.connection is None:
                return
        self._check_schema()
        if self.transport is None:
            self.transport = listener_mod.get_transport(self.conf)
        emitter = emitter_mod.Emitter(self.conf, self.transport,
                                      self.connection, self.counters)
        self.checks = checks_mod.DeploymentChecks(
            self.connection, self.conf.collector.deployment_check_boots)
        self.stream_clock = clock_mod.StreamClock()
        self.processor = processor_mod.BatchProcessor(
            self.connection, self.counters, self.backoff, self.deadlines,
            emitter=emitter, checks=self.checks,
            stream_clock=self.stream_clock,
            merge_limit=group_limit(self.conf),
            hold=lambda: self.conf.collector.batch_timeout,
            batch_size=self.conf.collector.batch_size)
        self.stuck = stuck_mod.StuckDetector(
            self.connection, self.deadlines,
            lambda: self.conf.collector.stuck_check_limit, self.counters,
            emitter=emitter,
            reconciler=reconcile_mod.NovaReconciler(self.conf,
                                                    self.connection))
        endpoint = endpoints.BootEndpoint(
            self.processor.process,
            batch_handler=self.processor.process_batch)
        self.listener = listener_mod.get_listener(self.conf, self.transport,
                                                  [endpoint])
        self.listener.start()
        report.attach(self)
        self._thread = threading.Thread(target=self._periodic,
                                        name='bootdoctor-periodic',
                                        daemon=True)
        self._thread.start()
        LOG.info('Collector worker %(worker)s listening on %(n)d targets '
                 '(exchanges %(exchanges)s, topics %(topics)s) in pool '
                 '%(pool)s at %(url)s', {
                     'worker': self.worker,
                     'n': len(listener_mod.targets(self.conf)),
                     'exchanges': ', '.join(self.conf.collector.exchanges),
                     'topics': ', '.join(self.conf.collector.topics),
                     'pool': self.conf.collector.pool,
                     'url': listener_mod.transport_url(self.conf)})

    def _connect(self):
        """The configured storage; waits while the database is down."""
        while not self.stopping.is_set():
            try:
                return db_api.get_connection(
                    self.conf,
                    decoded_cache=self.conf.collector.decoded_observations)
            except db_exc.DBUnavailable as exc:
                delay = self.backoff.failed()
                LOG.warning('Database unavailable at start (%(error)s); '
                            'retrying in %(delay).1f s',
                            {'error': exc, 'delay': delay})
                self.backoff.wait()
        return None

    def _check_schema(self):
        try:
            if self.connection.version() is None:
                LOG.error('The database has no bootdoctor schema: run '
                          '"bootdoctor-manage db sync". Notifications stay '
                          'in the queue until then.')
        except db_exc.StorageError as exc:
            LOG.warning('Could not read the schema version: %s', exc)

    def _periodic(self):
        next_search = next_analyze = 0.0
        clock = time.monotonic
        while not self.stopping.is_set():
            started = time.thread_time()
            now = clock()
            if now >= next_analyze:
                self._analyze()
                next_analyze = now + ANALYZE_INTERVAL
            if now >= next_search:
                try:
                    self.stuck.run(now=self.stream_clock.now())
                except Exception:  # noqa: keep searching next time
                    LOG.exception('The stuck search failed')
                next_search = now + self.conf.collector.stuck_check_interval
            self.processor.flush_heartbeats()
            self.counters.add_cpu('periodic', time.thread_time() - started)
            self.stopping.wait(min(HEARTBEAT_INTERVAL,
                                   max(0.1, next_search - clock())))

    def _analyze(self):
        """Keep the planner's statistics where autovacuum does not."""
        try:
            tables = self.connection.analyze_stale()
        except db_exc.StorageError as exc:
            LOG.warning('Could not analyze the tables: %s', exc)
            return
        if tables:
            if not self._analyzed:
                LOG.warning('PostgreSQL runs with autovacuum off: the '
                            'collector analyzes its tables itself every '
                            '%d s; turn autovacuum on to let PostgreSQL '
                            'do it (and vacuum them).', ANALYZE_INTERVAL)
            self._analyzed = True
            LOG.info('Analyzed %s', ', '.join(tables))

    def stop(self):
        """Stop listening, finish the batches in flight, then return."""
        self.stopping.set()
        if self.listener is not None:
            self.listener.stop()
            self.listener.wait()
        if self._thread is not None:
            self._thread.join()
        if self.processor is not None:
            self.processor.flush_heartbeats()
        # The fake driver's cleanup would empty every in-process exchange.
        if self._own_transport and self.transport is not None and (
                not listener_mod.is_fake(self.conf)):
            self.transport.cleanup()
        report.attach(None)
        totals = self.counters.totals()
        delays = self.counters.delays()
        LOG.info('Collector worker %(worker)s stopped; %(totals)s; %(cpu)s'
                 '%(delays)s',
                 {'worker': self.worker,
                  'totals': ', '.join('%s %d' % (field, totals[field])
                                      for field in counters_mod.FIELDS),
                  'cpu': counters_mod.describe_cpu(
                      self.counters.cpu(), totals['received'],
                      collection.collecting()),
                  'delays': '; publish to record p50 %.3f s, p99 %.3f s '
                            'over the last %d' % (
                                delays['p50'], delays['p99'],
                                delays['count']) if delays else ''})

    def reload(self):
        """Take the mutable options (the files were re-read already)."""
        if self.checks is not None:
            self.checks.boots = self.conf.collector.deployment_check_boots
        LOG.info('Collector worker %(worker)s reloaded: stuck search every '
                 '%(interval)d s, deadlines %(deadlines)s', {
                     'worker': self.worker,
                     'interval': self.conf.collector.stuck_check_interval,
                     'deadlines': self.deadlines()})


def group_limit(conf):
    """The most notifications a worker handles as one group.

    Half of what it may hold unacknowledged (``batch_size`` times
    ``prefetch_batches``), and at least a batch: while one group is
    handled, the listener can receive the next.
    """
    collector = conf.collector
    return max(collector.batch_size,
               collector.batch_size * collector.prefetch_batches // 2)


class CollectorService(cotyledon.Service):
    """One collector worker process."""

    name = 'bootdoctor-collector'

    def __init__(self, worker_id, conf):
        super().__init__(worker_id)
        self.conf = conf
        self.collector = None
        self._done = threading.Event()
        # cotyledon runs run() and each reload() in threads of their own:
        # a reload while the worker starts must not have its threshold
        # undone by the start's settling with the value read before.
        self._thresholds = threading.Lock()

    def run(self):
        self.collector = Collector(self.conf, worker=self.worker_id)
        self.collector.start()
        with self._thresholds:
            collection.settle(self.conf.collector.gc_threshold)
        self._done.wait()

    def terminate(self):
        if self.collector is not None:
            self.collector.stop()
        self._done.set()

    def reload(self):
        # cotyledon's oslo.config glue mutates the files in the master
        # only: its worker hook (cotyledon 2.2) builds a reload wrapper and
        # never installs it.
        mutate(self.conf)
        with self._thresholds:
            collection.apply(self.conf.collector.gc_threshold)
        if self.collector is not None:
            self.collector.reload()


def mutate(conf):
    """Take the mutable options of the re-read configuration files.

    ``mutate_config_files`` empties oslo.config's cache of option values
    when it starts and puts the new values in place when it has parsed
    the files. A thread that reads an option in between (the stuck
    search, a group's deadlines) caches the old value, which then
    outlives the reload: a worker went on searching every second after
    a reload to 17 s. A second pass, once the values are new, empties
    the cache again, and a read racing it can only cache a new value.
    Its diff is empty, so only the first pass logs the changes.
    """
    fresh = conf.mutate_config_files()
    conf.mutate_config_files()
    return fresh


def run(conf):
    """Run the collector workers until SIGTERM; returns the exit code."""
    report.describe_master(conf, conf.collector.workers)
    manager = cotyledon.ServiceManager()
    manager.add(CollectorService, workers=conf.collector.workers,
                args=(conf,))
    oslo_config_glue.setup(manager, conf, reload_method='mutate')
    manager.run()
    return 0
