#!/usr/bin/env python3
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
"""bootdoctor-collector throughput and delay on RabbitMQ and PostgreSQL.

1. Drain rate. Publishes a backlog of N realistic notifications (default
   100,000: the simulator's scenarios in turn, through oslo.messaging
   Notifiers with the messagingv2 driver, from several publisher
   processes) into one queue per consumer under test, all bound to the
   same exchanges, so each consumer drains the same backlog in the same
   run:

   - ``bare``: an oslo.messaging batch notification listener that only
     acknowledges (one process);
   - ``collector xW``: bootdoctor-collector with W workers, storing into a
     PostgreSQL database of its own.

   Prints notifications per second (first to last message) and the ratio
   to the bare listener.

2. Delay. Runs a collector while publishers send at a steady rate
   (default 1,000 notifications/s for 60 s) and prints the p50 and p99 of
   the delay from publishing (the notification's timestamp) to the
   committed boot record, as the collector measures it, and the CPU the
   collector, PostgreSQL and RabbitMQ spent per notification meanwhile
   (RabbitMQ's includes receiving from the publishers).
   ``--steady-queues transient`` runs it on transient exchanges and
   queues (``amqp_durable_queues = false``, oslo.messaging's default);
   by default they are durable, as the drains'.

Nothing is asserted; this only reports. Needs RabbitMQ (and PostgreSQL
unless --sqlite); without them it says so and exits 0.

    python tools/bench/collector_bench.py [--count 100000] [--workers 1,2]
        [--rate 1000] [--duration 60] [--publishers 4] [--batch-size 500]
        [--rabbit rabbit://guest:guest@127.0.0.1:5672/]
        [--postgresql postgresql+psycopg2://postgres@127.0.0.1:5432/postgres]
        [--sqlite] [--steady-queues durable|transient] [--json out.json]
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
import warnings

import bench_broker
import cpu_use

warnings.filterwarnings('ignore', category=DeprecationWarning)


def reachable(url, default_port):
    rest = url.split('@', 1)[-1].split('/', 1)[0]
    host, _, port = rest.partition(':')
    try:
        with socket.create_connection((host or '127.0.0.1',
                                       int(port or default_port)), 3):
            return None
    except OSError as exc:
        return '%s:%s: %s' % (host, port or default_port, exc)


def bare_listener(rabbit, tag, pool, expect, batch_size, gc_threshold=None):
    """Run in a child: acknowledge ``expect`` messages, print the times.

    ``gc_threshold``: settle the garbage collector as a collector worker
    does (``[collector] gc_threshold``); None keeps the interpreter's.
    """
    from bootdoctor.collector import collection
    from bootdoctor.notification import listener
    import oslo_messaging

    names = bench_broker.Names(tag)
    conf = bench_broker.listener_conf(rabbit, names, pool, batch_size)
    state = {'count': 0, 'first': None, 'last': None}
    # The broker's CPU is read at each batch: its processes only, found
    # once, so that the reading costs the listener next to nothing.
    broker = cpu_use.pids_of(cpu_use.snapshot(), 'rabbitmq')

    def sample():
        return (time.monotonic(), state['count'], time.process_time(),
                cpu_use.snapshot(pids=broker))

    class Ack:
        def _handle(self, messages):
            if state['first'] is None:
                state['first'] = sample()
            state['count'] += len(messages)
            state['last'] = sample()
            return oslo_messaging.NotificationResult.HANDLED

        info = warn = error = audit = debug = critical = sample = _handle

    transport = listener.get_transport(conf)
    server = listener.get_listener(conf, transport, [Ack()])
    server.start()
    if gc_threshold is not None:
        collection.settle(gc_threshold)
    deadline = time.monotonic() + 3600
    while state['count'] < expect and time.monotonic() < deadline:
        time.sleep(0.05)
    server.stop()
    server.wait()
    first, last = state['first'], state['last']
    # From the end of the first batch to the end of the last, as the
    # drains of the collector are timed from first to last stored.
    count = last[1] - first[1]
    print(json.dumps({
        'count': state['count'], 'seconds': last[0] - first[0],
        'cpu': cpu_use.per_notification(
            first[3], last[3], count, last[0] - first[0],
            self_seconds=last[2] - first[2])}))


def run_bare(rabbit, names, pool, expect, batch_size):
    """The bare listener's rate (see run_bare_figures)."""
    return run_bare_figures(rabbit, names, pool, expect,
                            batch_size)['rate']


def run_bare_figures(rabbit, names, pool, expect, batch_size,
                     gc_threshold=None):
    """``{'rate', 'cpu'}`` of a bare listener draining ``pool``."""
    extra = ([] if gc_threshold is None else
             ['--bare-gc-threshold', str(gc_threshold)])
    output = subprocess.run(
        [sys.executable, __file__, '--bare-listener', pool, '--tag',
         names.tag, '--expect', str(expect), '--rabbit', rabbit,
         '--batch-size', str(batch_size)] + extra,
        check=True, capture_output=True, text=True).stdout
    result = json.loads(output.strip().splitlines()[-1])
    return {'rate': result['count'] / result['seconds'],
            'cpu': result.get('cpu')}


def write_config(directory, rabbit, names, pool, database, workers,
                 batch_size, settings=(), durable=True):
    """The collector's configuration file; ``settings`` holds
    ``section.option=value`` strings set after the bench's own;
    ``durable``: ``[oslo_messaging_rabbit] amqp_durable_queues``.
    """
    path = os.path.join(directory, '%s.conf' % pool)
    extra = {}
    for setting in settings:
        name, _, value = setting.partition('=')
        section, _, option = name.rpartition('.')
        if not section or not option or not _:
            raise ValueError('--set takes section.option=value, not %r'
                             % setting)
        extra.setdefault(section, []).append('%s = %s' % (option, value))
    with open(path, 'w') as f:
        f.write('[DEFAULT]\nstate_path = %s\ncontrol_exchange = %s\n'
                '[database]\nconnection = %s\n'
                '[oslo_messaging_rabbit]\namqp_durable_queues = %s\n'
                '[oslo_messaging_notifications]\ntransport_url = %s\n'
                'topics = %s\n'
                '[collector]\nworkers = %d\nexchanges = %s\ntopics = %s\n'
                'pool = %s\nbatch_size = %d\n' % (
                    directory, names.out_exchange, database,
                    'true' if durable else 'false', rabbit,
                    names.out_topic, workers,
                    ','.join(names.exchanges.values()),
                    ','.join(names.topics.values()), pool, batch_size))
        # A section written twice is merged by oslo.config, the later
        # value winning.
        for section, lines in sorted(extra.items()):
            f.write('[%s]\n%s\n' % (section, '\n'.join(lines)))
    return path


def start_collector(config, log):
    command = shutil.which('bootdoctor-collector',
                           path=os.path.dirname(sys.executable))
    command = [command] if command else [
        sys.executable, '-m', 'bootdoctor.cmd.collector']
    with open(log, 'a') as out:
        return subprocess.Popen(command + ['--config-file', config],
                                stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


# One engine per database polled by stored(), each keeping one connection.
_POLLERS = {}


def stored(database):
    """How many notifications the database holds.

    The drains are timed by polling this four times a second while the
    collector works. It reads over one kept connection and counts one
    table: a new connection per poll (a new PostgreSQL backend each time)
    and a count of every table took database CPU from the collector being
    measured, more as the tables grew.
    """
    import sqlalchemy as sa
    engine = _POLLERS.get(database)
    if engine is None:
        engine = _POLLERS[database] = sa.create_engine(
            database, pool_size=1, max_overflow=0)
    with engine.connect() as conn:
        return conn.execute(sa.text(
            'SELECT count(*) FROM notifications')).scalar_one()


def forget_pollers():
    """Close the connections stored() keeps."""
    while _POLLERS:
        _POLLERS.popitem()[1].dispose()


def run_collector(directory, rabbit, names, pool, database, workers,
                  expect, batch_size, limit, settings=()):
    """(rate, finished, CPU figures): drained per second, from first to
    last stored.
    """
    config = write_config(directory, rabbit, names, pool, database, workers,
                          batch_size, settings)
    log = os.path.join(directory, '%s.log' % pool)
    process = start_collector(config, log)
    progress = cpu_use.Drain(process.pid)
    try:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            count = stored(database)
            progress.note(count, time.monotonic())
            if count >= expect:
                break
            time.sleep(0.25)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(120)
    rate, cpu = progress.figures()
    if rate is None:
        raise RuntimeError('the collector stored nothing; see %s' % log)
    if cpu:
        cpu.update(worker_parts(log, cpu['consumer_us']))
    return rate, progress.last[1] >= expect, cpu


# A worker's stop line: what it received, its parts, and the garbage
# collector's share where it was timed (empty otherwise).
_PARTS = re.compile(r'stopped; received (\d+),.*CPU per notification '
                    r'received: parsing (\d+) us, handling groups (\d+) us, '
                    r'periodic tasks (\d+) us, the rest [^;\n]*'
                    r'(?:; garbage collection (\d+) us of these)?')


def worker_parts(log, consumer_us):
    """The workers' CPU per notification for parsing, handling groups
    and the periodic tasks, from the lines they log when they stop, and
    the rest of ``consumer_us`` (receiving, acknowledging, the master);
    {} when the log has no such line.
    """
    with open(log) as f:
        found = _PARTS.findall(f.read())
    received = sum(int(line[0]) for line in found)
    if not received:
        return {}
    parts = {}
    names = ('parsing', 'handling', 'periodic', 'collecting')
    for index, name in enumerate(names, 1):
        if all(line[index] for line in found):
            parts['%s_us' % name] = sum(
                int(line[0]) * int(line[index]) for line in found) / received
    parts['rest_us'] = consumer_us - sum(
        parts['%s_us' % name] for name in names[:3])
    return parts


def describe_cpu(cpu):
    """Lines of CPU per notification, or '' without figures."""
    if not cpu:
        return ''
    text = ('    CPU per notification: consumer %.0f us, PostgreSQL %.0f us, '
            'RabbitMQ %.0f us, total %.0f us; %.2f CPUs busy' % (
                cpu['consumer_us'], cpu['postgresql_us'],
                cpu['rabbitmq_us'], cpu['total_us'], cpu['cpus_busy']))
    if 'parsing_us' in cpu:
        text += ('\n    the consumer\'s: parsing %.0f us, handling groups '
                 '%.0f us, periodic tasks %.0f us, the rest %.0f us '
                 '(receiving, acknowledging)' % (
                     cpu['parsing_us'], cpu['handling_us'],
                     cpu['periodic_us'], cpu['rest_us']))
    if 'collecting_us' in cpu:
        text += '; garbage collection %.0f us of all these' % (
            cpu['collecting_us'])
    return text


def backend(args):
    return 'sqlite' if args.sqlite else 'postgresql'


class Databases:
    """New SQLite files or PostgreSQL databases, all dropped at the end.

    The PostgreSQL databases are named ``<prefix>_<random>``.
    """

    def __init__(self, postgresql, directory, prefix='bootdoctor_bench'):
        self.postgresql = postgresql
        self.directory = directory
        self.prefix = prefix
        self.created = []

    def new(self, backend, name):
        """The URL of a new database ('sqlite' or 'postgresql'), at the
        newest schema.
        """
        from bootdoctor.db import api
        if backend == 'sqlite':
            url = 'sqlite:///%s/%s.sqlite' % (self.directory, name)
        else:
            import sqlalchemy as sa
            dbname = '%s_%s' % (self.prefix, uuid.uuid4().hex[:10])
            engine = sa.create_engine(self.postgresql,
                                      isolation_level='AUTOCOMMIT')
            with engine.connect() as conn:
                conn.exec_driver_sql('CREATE DATABASE %s' % dbname)
            engine.dispose()
            url = self.url_for(dbname)
        connection = api.Connection(url)
        connection.upgrade()
        connection.close()
        return url

    def url_for(self, dbname):
        """The URL of a PostgreSQL database, dropped at the end."""
        import sqlalchemy as sa
        self.created.append(dbname)
        return sa.engine.make_url(self.postgresql).set(
            database=dbname).render_as_string(hide_password=False)

    def drop(self):
        forget_pollers()
        if not self.created:
            return
        import sqlalchemy as sa
        engine = sa.create_engine(self.postgresql,
                                  isolation_level='AUTOCOMMIT')
        with engine.connect() as conn:
            for name in self.created:
                conn.exec_driver_sql(
                    'DROP DATABASE IF EXISTS %s WITH (FORCE)' % name)
        engine.dispose()


def drain(args, directory, databases):
    names = bench_broker.Names('bench%s' % uuid.uuid4().hex[:8])
    pools = [names.pool('bare')] + [names.pool('w%d' % w)
                                    for w in args.workers]
    try:
        bench_broker.declare(args.rabbit, names, pools, args.batch_size)
        print('publishing a backlog of %d notifications from %d processes'
              % (args.count, args.publishers), flush=True)
        sent, seconds = bench_broker.publish(args.rabbit, names, args.count,
                                             args.publishers)
        print('  sent %d in %.1f s (%.0f/s); queue %s holds %s' % (
            sent, seconds, sent / seconds, pools[0],
            bench_broker.queue_depth(args.rabbit, pools[0])), flush=True)
        results = {'sent': sent}
        figures = run_bare_figures(args.rabbit, names, pools[0], sent,
                                   args.batch_size, args.bare_gc_threshold)
        bare = results['bare'] = figures['rate']
        results['bare cpu'] = figures['cpu']
        print('  bare batch listener (ack only%s): %.0f notifications/s'
              % ('' if args.bare_gc_threshold is None else
                 ', gc threshold %d, frozen' % args.bare_gc_threshold,
                 bare), flush=True)
        print(describe_cpu(figures['cpu']), flush=True)
        for workers, pool in zip(args.workers, pools[1:]):
            database = databases.new(backend(args), pool.replace('-', '_'))
            rate, finished, cpu = run_collector(
                directory, args.rabbit, names, pool, database, workers,
                sent, args.batch_size, args.limit, args.set)
            results['collector x%d' % workers] = rate
            results['collector x%d cpu' % workers] = cpu
            print('  bootdoctor-collector, %d worker(s), %s: %.0f '
                  'notifications/s, %.2f of the bare rate%s' % (
                      workers, 'SQLite' if args.sqlite else 'PostgreSQL',
                      rate, rate / bare, '' if finished else
                      ' (stopped after %d s, backlog not drained)'
                      % args.limit), flush=True)
            print(describe_cpu(cpu), flush=True)
        return results
    finally:
        bench_broker.cleanup(args.rabbit, names, pools)


_DELAYS = re.compile(r'publish to record p50 ([0-9.]+) s, p99 ([0-9.]+) s '
                     r'over the last (\d+)')


def steady(args, directory, databases):
    names = bench_broker.Names('bench%s' % uuid.uuid4().hex[:8])
    pool = names.pool('steady')
    workers = max(args.workers)
    database = databases.new(backend(args), 'steady')
    durable = args.steady_queues == 'durable'
    config = write_config(directory, args.rabbit, names, pool, database,
                          workers, args.batch_size, args.set,
                          durable=durable)
    # A log of its own: runs sharing the directory must not read each
    # other's delays.
    log = os.path.join(directory, '%s.log' % pool)
    process = start_collector(config, log)
    try:
        deadline = time.monotonic() + 60
        while (bench_broker.queue_depth(args.rabbit, pool) is None
               and time.monotonic() < deadline):
            time.sleep(0.2)
        count = int(args.rate * args.duration)
        print('publishing %d notifications at %d/s for %d s to %s queues'
              % (count, args.rate, args.duration, args.steady_queues),
              flush=True)
        # The collector's process group is its pid (a session of its own).
        before, started = cpu_use.snapshot(process.pid), time.monotonic()
        sent, seconds = bench_broker.publish(args.rabbit, names, count,
                                             args.publishers, rate=args.rate,
                                             durable=durable)
        print('  sent %d in %.1f s (%.0f/s)' % (sent, seconds,
                                                sent / seconds), flush=True)
        deadline = time.monotonic() + 600
        while stored(database) < sent and time.monotonic() < deadline:
            time.sleep(0.5)
        cpu = cpu_use.per_notification(
            before, cpu_use.snapshot(process.pid), sent,
            time.monotonic() - started)
        if cpu:
            print(describe_cpu(cpu), flush=True)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(120)
        bench_broker.cleanup(args.rabbit, names, [pool])
    with open(log) as f:
        found = _DELAYS.findall(f.read())
    if not found:
        raise RuntimeError('no delays in %s' % log)
    # One line per worker; report the worst of them.
    p50 = max(float(f[0]) for f in found)
    p99 = max(float(f[1]) for f in found)
    print('  publish to committed record, %d worker(s): p50 %.3f s, p99 '
          '%.3f s' % (workers, p50, p99), flush=True)
    return {'rate': args.rate, 'sent': sent,
            'published_per_s': round(sent / seconds, 1),
            'p50_s': p50, 'p99_s': p99, 'queues': args.steady_queues,
            'cpu': cpu}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--count', type=int, default=100000)
    parser.add_argument('--workers', default='1,2',
                        type=lambda t: [int(w) for w in t.split(',')])
    parser.add_argument('--publishers', type=int, default=4)
    parser.add_argument('--batch-size', type=int, default=500)
    parser.add_argument('--rate', type=int, default=1000)
    parser.add_argument('--duration', type=int, default=60)
    parser.add_argument('--rabbit',
                        default='rabbit://guest:guest@127.0.0.1:5672/')
    parser.add_argument('--postgresql', default=os.environ.get(
        'BOOTDOCTOR_TEST_POSTGRESQL',
        'postgresql+psycopg2://postgres@127.0.0.1:5432/postgres'))
    parser.add_argument('--sqlite', action='store_true')
    parser.add_argument('--set', action='append', default=[],
                        metavar='SECTION.OPTION=VALUE',
                        help='A collector option (repeatable), e.g. '
                             'collector.decoded_observations=0.')
    parser.add_argument('--bare-gc-threshold', type=int, default=None,
                        help="Give the bare listener the collector's "
                             'garbage collector settings ([collector] '
                             "gc_threshold); default: the interpreter's.")
    parser.add_argument('--steady-queues', default='durable',
                        choices=('durable', 'transient'),
                        help='the steady run\'s exchanges and queues: '
                             'durable (as the drains\', the default) or '
                             'transient (oslo.messaging\'s and '
                             'bootdoctor\'s default, amqp_durable_queues '
                             '= false)')
    parser.add_argument('--skip-drain', action='store_true')
    parser.add_argument('--skip-delay', action='store_true')
    parser.add_argument('--limit', type=int, default=1800,
                        help='Longest drain of one collector, seconds.')
    parser.add_argument('--json')
    parser.add_argument('--bare-listener', help=argparse.SUPPRESS)
    parser.add_argument('--tag', help=argparse.SUPPRESS)
    parser.add_argument('--expect', type=int, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    # Clean up (queues, databases) when stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    if args.bare_listener:
        bare_listener(args.rabbit, args.tag, args.bare_listener, args.expect,
                      args.batch_size, args.bare_gc_threshold)
        return 0
    why = reachable(args.rabbit, 5672)
    if why is None and not args.sqlite:
        why = reachable(args.postgresql, 5432)
    if why is not None:
        print('skipped: a server is not reachable (%s)' % why)
        return 0
    directory = tempfile.mkdtemp(prefix='bootdoctor-bench-')
    databases = Databases(args.postgresql, directory)
    results = {'count': args.count, 'cpus': os.cpu_count(),
               'database': 'sqlite' if args.sqlite else 'postgresql'}
    try:
        if not args.skip_drain:
            results['drain'] = drain(args, directory, databases)
        if not args.skip_delay:
            results['delay'] = steady(args, directory, databases)
    finally:
        databases.drop()
        shutil.rmtree(directory, ignore_errors=True)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(results, f, indent=2, sort_keys=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
