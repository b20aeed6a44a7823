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
"""CPU per notification of the collector's batch processing.

Wall times on a shared machine are noisy; CPU time is not. This drives
the real :class:`bootdoctor.collector.processor.BatchProcessor` in-process
on PostgreSQL with the simulator backlog of suite_memory.py (made before
the clock starts), in a fresh database it drops afterwards, and reports
the process's CPU time (``time.process_time()``) spent in
``BatchProcessor.process`` and the PostgreSQL backends' CPU time (from
/proc, when the server runs on this machine), each per notification.
``--profile FILE`` writes a cProfile of the processing.

    python tools/bench/cpu_bench.py \\
        --admin-url postgresql+psycopg2://postgres@127.0.0.1:5432/postgres \\
        [--count 20000] [--batch-size 500] [--profile out.prof]
        [--decoded-observations N] [--streams 4] [--gc-threshold N]

``--gc-threshold N`` settles the garbage collector first as a collector
worker does at its start (``[collector] gc_threshold``); without it the
interpreter's own settings are kept.
"""

import argparse
import cProfile
import json
import os
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import suite_memory  # noqa: E402


def backend_cpu_s(conn, database):
    """CPU seconds of this database's PostgreSQL backends, or None."""
    pids = conn.exec_driver_sql(
        'SELECT pid FROM pg_stat_activity WHERE datname = %(db)s',
        {'db': database}).scalars().all()
    ticks = os.sysconf('SC_CLK_TCK')
    total = 0.0
    for pid in pids:
        try:
            with open('/proc/%d/stat' % pid) as f:
                # After the ") " closing the command name: utime, stime
                # are fields 14 and 15 of the whole line.
                rest = f.read().rsplit(')', 1)[1].split()
        except OSError:
            return None
        total += (int(rest[11]) + int(rest[12])) / ticks
    return total


def run(admin_url, count, batch_size, profile=None, decoded_cache=None,
        streams=1, gc_threshold=None):
    import sqlalchemy as sa

    from bootdoctor.collector import collection
    if gc_threshold is not None:
        # Before the backlog exists, as a worker settles before it
        # receives anything.
        collection.settle(gc_threshold)
    work = list(suite_memory.batches(
        suite_memory.messages(count, streams=streams), batch_size))
    database = 'bd_cpu_%s' % uuid.uuid4().hex[:12]
    admin = sa.create_engine(admin_url, isolation_level='AUTOCOMMIT')
    with admin.connect() as conn:
        conn.exec_driver_sql('CREATE DATABASE %s' % database)
    url = sa.engine.make_url(admin_url).set(database=database)
    try:
        worker = suite_memory.processor(
            url.render_as_string(hide_password=False), batch_size,
            decoded_cache)
        worker.connection.analyze_stale()
        profiler = (cProfile.Profile(time.process_time) if profile
                    else None)
        cpu = 0.0
        started = time.monotonic()
        for priority, batch in work:
            before = time.process_time()
            if profiler:
                profiler.enable()
            worker.process(batch, priority)
            if profiler:
                profiler.disable()
            cpu += time.process_time() - before
        elapsed = time.monotonic() - started
        with admin.connect() as conn:
            server = backend_cpu_s(conn, database)
        stored = worker.connection.counts()
        worker.connection.close()
        if profiler:
            profiler.dump_stats(profile)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql('DROP DATABASE IF EXISTS %s WITH (FORCE)'
                                 % database)
        admin.dispose()
    return {'notifications': count, 'batch_size': batch_size,
            'streams': streams, 'gc_threshold': gc_threshold,
            'decoded_observations': (worker.connection.decoded.size
                                     if worker.connection.decoded else 0),
            'process_cpu_us': round(cpu / count * 1e6, 1),
            'server_cpu_us': (round(server / count * 1e6, 1)
                              if server is not None else None),
            'wall_s': round(elapsed, 1), 'stored': stored}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--admin-url', required=True,
                        help='a PostgreSQL URL allowed to create databases')
    parser.add_argument('--count', type=int, default=20000)
    parser.add_argument('--batch-size', type=int, default=500)
    parser.add_argument('--profile', help='write a cProfile here')
    parser.add_argument('--streams', type=int, default=1,
                        help='interleave this many simulator streams, as '
                             "collector_bench.py's publishers are (4)")
    parser.add_argument('--decoded-observations', type=int, default=None,
                        help='decoded observations kept (default: the '
                             "collector's default; 0 keeps none)")
    parser.add_argument('--gc-threshold', type=int, default=None,
                        help='settle the garbage collector as a worker '
                             "does; default: the interpreter's settings")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.count < 1 or args.batch_size < 1 or args.streams < 1:
        sys.exit('--count, --batch-size and --streams must be positive')
    if args.decoded_observations is not None and (
            args.decoded_observations < 0):
        sys.exit('--decoded-observations must not be negative')
    print(json.dumps(run(args.admin_url, args.count, args.batch_size,
                         args.profile, args.decoded_observations,
                         args.streams, args.gc_threshold)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
