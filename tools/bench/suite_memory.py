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
"""The memory part of the benchmark suite (run by tools/bench/suite.py).

Does the collector's memory stay flat as notifications go through it?
Draining a million notifications through RabbitMQ takes longer than the
collector's rate allows in a suite run, so this drives what the collector
runs for each batch in-process instead: the same simulator backlog the
ingest section publishes (the ``mix`` scenarios, as collector_bench.py
makes them), each message round-tripped through JSON as the wire delivers
it, grouped by priority into batches of ``--batch-size`` as the batch
listener hands them over, and given to a
:class:`bootdoctor.collector.processor.BatchProcessor` with the counters,
back-off, stream clock and deployment checks the collector service gives
it and the planner statistics upkeep of its periodic task, storing into
PostgreSQL. The broker, the listener thread and the emitter are left
out: their memory does not depend on the history.

The messages are made a chunk of 20 boots at a time and dropped once
processed, so the process holds no more than one chunk of them. The peak
resident set (VmHWM) and the current one (VmRSS) of the process are
sampled every ``--every`` notifications, in a child process of its own.

    python tools/bench/suite_memory.py --url postgresql+psycopg2://... \\
        --count 1000000 [--every 50000] [--batch-size 100]
"""

import argparse
import json
import os
import subprocess
import sys
import time

HERE_DOC = __doc__
REQUEUE = 'requeue'  # oslo_messaging.NotificationResult.REQUEUE


def memory_mib():
    """(VmHWM, VmRSS) of this process in MiB."""
    values = {}
    with open('/proc/self/status') as f:
        for line in f:
            key, _, rest = line.partition(':')
            if key in ('VmHWM', 'VmRSS'):
                values[key] = round(int(rest.split()[0]) / 1024.0, 1)
    return values.get('VmHWM'), values.get('VmRSS')


def messages(count, seed=1, streams=1):
    """The backlog collector_bench.py publishes, as endpoints receive it.

    Yields listener views chunk by chunk (20 boots each), never holding
    more than one chunk per stream. ``streams`` interleaves that many
    such streams, one message of each in turn, as the queue interleaves
    collector_bench.py's publisher processes (4 by default): each of them
    has 20 boots in flight, so the boots a batch names are that many
    times more.
    """
    if streams > 1:
        yield from _interleaved(count, seed, streams)
        return
    from bootdoctor import simulator
    from oslo_serialization import jsonutils
    produced = number = 0
    while produced < count:
        boots = simulator.plan(20, 'mix', seed=seed * 100003 + number)
        number += 1
        for _, emission in simulator.interleave(boots, seed=number):
            if produced >= count:
                return
            produced += 1
            yield jsonutils.loads(jsonutils.dumps(
                simulator.listener_view(emission)))


def _interleaved(count, seed, streams):
    shares = [count // streams + (1 if n < count % streams else 0)
              for n in range(streams)]
    sources = [messages(share, seed=seed + n + 1)
               for n, share in enumerate(shares)]
    while sources:
        for source in list(sources):
            try:
                yield next(source)
            except StopIteration:
                sources.remove(source)


def batches(stream, batch_size):
    """Batches of one priority each, as the batch listener delivers them."""
    pending = {}
    for message in stream:
        priority = str(message.pop('priority', 'INFO')).upper()
        batch = pending.setdefault(priority, [])
        batch.append(message)
        if len(batch) >= batch_size:
            yield priority, batch
            pending[priority] = []
    for priority, batch in sorted(pending.items()):
        if batch:
            yield priority, batch


def processor(url, batch_size, decoded_cache=None, settle=False):
    """A BatchProcessor built as bootdoctor.collector.service builds it.

    ``decoded_cache``: decoded observations kept (None: the collector's
    default, ``[collector] decoded_observations``). ``settle``: then
    settle the garbage collector as a started worker does (``[collector]
    gc_threshold``).
    """
    from bootdoctor.collector import checks
    from bootdoctor.collector import clock
    from bootdoctor.collector import collection
    from bootdoctor.collector import counters
    from bootdoctor.collector import processor as processor_mod
    from bootdoctor.conf import collector as collector_conf
    from bootdoctor.conf import tracker as tracker_conf
    from bootdoctor.db import api as db_api
    from oslo_config import cfg
    conf = cfg.ConfigOpts()
    tracker_conf.register_opts(conf)
    collector_conf.register_opts(conf)
    conf([], project='bootdoctor', default_config_files=[])
    if decoded_cache is None:
        decoded_cache = conf.collector.decoded_observations
    connection = db_api.Connection(url, decoded_cache=decoded_cache)
    connection.upgrade()
    worker = processor_mod.BatchProcessor(
        connection, counters.Counters(), processor_mod.Backoff(1, 60),
        lambda: tracker_conf.deadlines(conf),
        checks=checks.DeploymentChecks(connection),
        stream_clock=clock.StreamClock(), batch_size=batch_size)
    if settle:
        collection.settle(conf.collector.gc_threshold)
    return worker


def run(url, count, every, batch_size, time_limit=None):
    from bootdoctor.collector import service
    worker = processor(url, batch_size, settle=True)
    samples = [[0] + list(memory_mib()) + [0.0]]
    done = 0
    next_sample = every
    handled = requeued = 0
    started = time.monotonic()
    next_analyze = started
    for priority, batch in batches(messages(count), batch_size):
        if time.monotonic() >= next_analyze:
            # What the collector's periodic task does (see
            # bootdoctor.db.statistics), on its interval.
            worker.connection.analyze_stale()
            next_analyze = time.monotonic() + service.ANALYZE_INTERVAL
        result = worker.process(batch, priority)
        done += len(batch)
        if result == REQUEUE:
            requeued += len(batch)
        else:
            handled += len(batch)
        if done >= next_sample or done >= count:
            hwm, rss = memory_mib()
            samples.append([done, hwm, rss,
                            round(time.monotonic() - started, 1)])
            print(json.dumps({'sample': samples[-1]}), flush=True)
            next_sample += every
        if time_limit and time.monotonic() - started > time_limit:
            break
    if samples[-1][0] != done:
        # Stopped by the time limit between two samples: the last one.
        samples.append([done] + list(memory_mib()) + [
            round(time.monotonic() - started, 1)])
    worker.flush_heartbeats()
    stored = worker.connection.counts()
    worker.connection.close()
    elapsed = time.monotonic() - started
    return {'notifications': done, 'planned': count,
            'stopped_by_time_limit': done < count, 'handled': handled,
            'requeued': requeued, 'stored': stored,
            'seconds': round(elapsed, 1),
            'per_second': round(done / elapsed, 1) if elapsed else None,
            'samples': samples}


def section(args, databases):
    """The suite's ``memory`` section: one child process, fresh database.

    The database is PostgreSQL with ``synchronous_commit = off`` (it is
    dropped afterwards): what is measured is the collector's memory, and
    the commits are otherwise the same.
    """
    import sqlalchemy as sa
    url = databases.new('postgresql', 'memory')
    engine = sa.create_engine(args.postgresql, isolation_level='AUTOCOMMIT')
    with engine.connect() as conn:
        conn.exec_driver_sql('ALTER DATABASE %s SET synchronous_commit = off'
                             % databases.created[-1])
    engine.dispose()
    command = [sys.executable, os.path.abspath(__file__), '--url', url,
               '--count', str(args.memory_count),
               '--every', str(args.memory_every),
               '--batch-size', str(args.batch_size)]
    if args.memory_time_limit:
        command += ['--time-limit', str(args.memory_time_limit)]
    result = None
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as child:
        for line in child.stdout:
            record = json.loads(line)
            if 'sample' in record:
                print('  %d notifications: peak RSS %.1f MiB' % tuple(
                    record['sample'][:2]), flush=True)
            else:
                result = record['result']
    if child.returncode or result is None:
        raise RuntimeError('suite_memory.py exited with %s' % child.returncode)
    result['method'] = ('in-process BatchProcessor, garbage collector '
                        "settled as a worker's, simulator backlog, "
                        'PostgreSQL (synchronous_commit off)')
    return result


def parse_args(argv):
    parser = argparse.ArgumentParser(description=HERE_DOC.splitlines()[0])
    parser.add_argument('--url', required=True)
    parser.add_argument('--count', type=int, default=1000000)
    parser.add_argument('--every', type=int, default=50000)
    parser.add_argument('--batch-size', type=int, default=100)
    parser.add_argument('--time-limit', type=float,
                        help='stop after this many seconds, reporting how '
                             'far it got')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.count < 1 or args.every < 1 or args.batch_size < 1:
        sys.exit('--count, --every and --batch-size must be positive')
    print(json.dumps({'result': run(args.url, args.count, args.every,
                                    args.batch_size, args.time_limit)},
                     default=str))
    return 0


if __name__ == '__main__':
    sys.exit(main())
