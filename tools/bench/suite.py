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
"""The bootdoctor benchmark suite: one run, one JSON file, one report.

Sections (``--sections``, default all):

- ``ingest``: a backlog of ``--count`` simulator notifications in RabbitMQ
  drained by a bare acknowledging listener, the collector on SQLite, on
  PostgreSQL, on PostgreSQL with 2 workers, and Ceilometer's notification
  agent (``--ceilometer-venv``); with the collector's peak RSS while it
  drains (tools/bench/suite_ingest.py);
- ``freshness``: publish-to-record p50/p99 at a steady ``--rate``, on
  transient and durable queues (``--freshness-queues``), with the CPU
  the collector, PostgreSQL and RabbitMQ spent meanwhile;
- ``query``: tools/bench/api_bench.py on ``--api-boots`` boots in a
  PostgreSQL database of its own, dropped afterwards (or in ``--api-url``,
  kept and reused);
- ``growth``: replay throughput into PostgreSQL (or SQLite,
  ``--growth-backend``) holding 0 and each of ``--history`` boots, sizes
  over ``--growth-disk-limit`` GiB skipped (tools/bench/suite_growth.py);
- ``memory``: the collector's batch processor driven in-process with the
  simulator backlog into PostgreSQL, peak RSS every ``--memory-every``
  up to ``--memory-count`` notifications (tools/bench/suite_memory.py);
- ``ceilometer``: one backlog drained by the bare listener, Ceilometer's
  notification agent (``--ceilometer-venv``) and the collector on
  PostgreSQL, for bootdoctor/ceilometer (tools/bench/suite_peer.py);
- ``replay``: tools/bench/replay_bench.py (parse-only baseline vs replay);
- ``fanout``: tools/bench/rebuild_fanout.py (boots rebuilt per batch).

Results go to ``--json``; ``--rst`` rewrites the performance page from
them with PNG plots beside it (tools/bench/suite_report.py). Nothing is
asserted. Each section reports what it could not measure and why, and
the load average at its start and end (the machine may be shared).

    python tools/bench/suite.py [--sections ingest,freshness,...]
        [--json bench-results.json] [--rst doc/source/admin/performance.rst]
"""

import argparse
import datetime
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import suite_ingest  # noqa: E402

SECTIONS = ('ingest', 'freshness', 'query', 'growth', 'replay', 'fanout',
            'memory', 'ceilometer')


def machine():
    def first(path, key):
        try:
            with open(path) as f:
                for line in f:
                    if line.startswith(key):
                        return line.split(':', 1)[1].strip()
        except OSError:
            return None

    def version(command):
        try:
            return subprocess.run(command, capture_output=True, text=True,
                                  timeout=60).stdout.strip().splitlines()[0]
        except (OSError, IndexError, subprocess.SubprocessError):
            return None

    import sqlite3
    mem = first('/proc/meminfo', 'MemTotal')
    return {
        'cpus': os.cpu_count(),
        'cpu_model': first('/proc/cpuinfo', 'model name'),
        'memory_gib': round(int(mem.split()[0]) / 1048576.0, 1)
        if mem else None,
        'load_average_at_start': os.getloadavg(),
        'python': platform.python_version(),
        'kernel': platform.release(),
        'sqlite': sqlite3.sqlite_version,
        'postgresql': version(['psql', '-h', '127.0.0.1', '-U', 'postgres',
                               '-tAc', 'SHOW server_version']),
        'rabbitmq': version(['rabbitmqctl', 'version']),
    }


def run_script(name, arguments):
    """Run another tools/bench script; returns its JSON results."""
    with tempfile.NamedTemporaryFile(suffix='.json') as out:
        command = [sys.executable, os.path.join(HERE, name)] + arguments + [
            '--json', out.name]
        subprocess.run(command, check=True)
        with open(out.name) as f:
            return json.load(f)


def query(args, databases):
    if args.api_url:
        # Kept for the next run, which reuses it if it holds as many boots.
        arguments = ['--boots', str(args.api_boots), '--url', args.api_url,
                     '--reuse']
    else:
        dbname = 'bootdoctor_suite_api_%s' % uuid.uuid4().hex[:8]
        url = databases.url_for(dbname)
        arguments = ['--boots', str(args.api_boots), '--url', url, '--drop']
    if args.api_keystone:
        arguments += ['--keystone', args.api_keystone]
    arguments += ['--client', args.api_client]
    results = run_script('api_bench.py', arguments)
    results['boots'] = args.api_boots
    return results


def fanout(args):
    output = subprocess.run(
        [sys.executable, os.path.join(HERE, 'rebuild_fanout.py'),
         '--count', str(args.fanout_count)],
        check=True, capture_output=True, text=True).stdout
    lines = [line for line in output.splitlines() if line.strip()]
    return {'count': args.fanout_count, 'output': lines}


def _queues(text):
    kinds = [k.strip() for k in text.split(',') if k.strip()]
    if not kinds or set(kinds) - {'durable', 'transient'}:
        raise argparse.ArgumentTypeError(
            'durable and/or transient, comma separated, not %r' % text)
    return kinds


def _rates(text):
    rates = [int(part) for part in text.split(',') if part.strip()]
    if not rates or min(rates) < 1:
        raise argparse.ArgumentTypeError('rates are positive integers')
    return rates


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--sections', default=','.join(SECTIONS),
                        type=lambda t: [s for s in t.split(',') if s])
    parser.add_argument('--count', type=int, default=100000)
    parser.add_argument('--batch-size', type=int,
                        default=suite_ingest.collector_default('batch_size'),
                        help="every consumer's batch size (default: the "
                             "collector's, [collector] batch_size)")
    parser.add_argument('--drain-limit', type=int, default=600,
                        help='stop a consumer that has not drained the '
                             'backlog after this many seconds')
    parser.add_argument('--publishers', type=int, default=2)
    parser.add_argument('--rate', type=_rates, default=[1000],
                        help='the freshness section\'s steady rates, per '
                             'second: one or several, comma separated')
    parser.add_argument('--duration', type=int, default=30)
    parser.add_argument('--freshness-queues', type=_queues,
                        default=['transient', 'durable'],
                        help='the freshness section\'s exchanges and '
                             'queues, each rate run on each: transient '
                             '(amqp_durable_queues = false, the default of '
                             'oslo.messaging and bootdoctor) and/or '
                             'durable (default: both)')
    parser.add_argument('--freshness-workers', type=int, default=1,
                        help='the collector workers of the freshness '
                             'section ([collector] workers)')
    parser.add_argument('--api-boots', type=int, default=100000)
    parser.add_argument('--api-url',
                        help='the PostgreSQL database the query section '
                             'fills, kept afterwards and reused by a run '
                             'with the same --api-boots (default: a new '
                             'database, dropped afterwards)')
    parser.add_argument('--api-keystone', nargs='?', metavar='CREDENTIALS',
                        const=os.path.join(HERE, '..', '..', '.keystone',
                                           'credentials.json'),
                        help='the query section sends real tokens through '
                             'auth_token to the Keystone of '
                             'tools/keystone/keystone-dev.sh (its '
                             'credentials file; default '
                             '.keystone/credentials.json)')
    parser.add_argument('--api-client', choices=('wsgi', 'webtest'),
                        default='wsgi',
                        help='how the query section calls the API: as a '
                             'WSGI server does (default), or through '
                             'WebTest and its lint checks')
    parser.add_argument('--history', default='10000,100000',
                        type=lambda t: [int(n) for n in t.split(',')])
    parser.add_argument('--growth-count', type=int, default=20000)
    parser.add_argument('--growth-backend', default='postgresql',
                        choices=('sqlite', 'postgresql'))
    parser.add_argument('--growth-disk-limit', type=float, default=40,
                        help='GiB: a history size whose database is '
                             'estimated larger is skipped (PostgreSQL)')
    parser.add_argument('--growth-time-limit', type=float,
                        help='seconds: larger history sizes are skipped '
                             'once the growth section has run this long')
    parser.add_argument('--growth-spread', action='store_true',
                        help='move each history copy further into the past '
                             '(PostgreSQL), instead of all at the same times')
    parser.add_argument('--growth-disk-path', default='/',
                        help='the file system holding PostgreSQL data')
    parser.add_argument('--replay-count', type=int, default=100000)
    parser.add_argument('--fanout-count', type=int, default=5000)
    parser.add_argument('--memory-count', type=int, default=1000000)
    parser.add_argument('--memory-every', type=int, default=25000)
    parser.add_argument('--memory-time-limit', type=float,
                        help='stop the memory run after this many seconds')
    parser.add_argument('--ceilometer-venv',
                        default=os.environ.get('CEILOMETER_VENV'))
    parser.add_argument('--rabbit',
                        default='rabbit://guest:guest@127.0.0.1:5672/')
    parser.add_argument('--postgresql', default=os.environ.get(
        'BOOTDOCTOR_TEST_POSTGRESQL',
        'postgresql+psycopg2://postgres@127.0.0.1:5432/postgres'))
    parser.add_argument('--json', default='bench-results.json')
    parser.add_argument('--merge', action='store_true',
                        help='keep the sections of an existing --json file '
                             'that this run does not measure')
    parser.add_argument('--rst', help='rewrite this page from the results')
    return parser.parse_args(argv)


def name_cpus(results):
    """Give each earlier section the CPU of the run that measured it.

    Results from before sections named their CPU were measured on the
    machine the file describes; a merge is about to describe this one.
    """
    cpu = (results.get('machine') or {}).get('cpu_model')
    for name, section in results.items():
        if (name != 'machine' and isinstance(section, dict)
                and 'cpu_model' not in section and cpu):
            section['cpu_model'] = cpu


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    # Stopped from outside: still drop the databases and queues made.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    results = {}
    if args.merge and os.path.exists(args.json):
        with open(args.json) as f:
            results = json.load(f)
        name_cpus(results)
    results['machine'] = machine()
    directory = tempfile.mkdtemp(prefix='bootdoctor-suite-')
    databases = suite_ingest.collector_bench().Databases(
        args.postgresql, directory, prefix='bootdoctor_suite')
    sections = {
        'ingest': lambda: suite_ingest.ingest(args, databases, directory),
        'freshness': lambda: suite_ingest.steady(args, databases,
                                                 directory),
        'query': lambda: query(args, databases),
        'growth': lambda: __import__('suite_growth').growth(args, directory,
                                                            databases),
        'replay': lambda: run_script('replay_bench.py', [
            '--count', str(args.replay_count)]),
        'fanout': lambda: fanout(args),
        'memory': lambda: __import__('suite_memory').section(args,
                                                             databases),
        'ceilometer': lambda: __import__('suite_peer').ceilometer(
            args, databases, directory),
    }
    try:
        for name in args.sections:
            print('== %s' % name, flush=True)
            started = time.monotonic()
            load = os.getloadavg()
            try:
                section = sections[name]()
            except Exception as exc:
                traceback.print_exc()
                section = {'error': '%s: %s' % (type(exc).__name__, exc)}
            section['elapsed_s'] = round(time.monotonic() - started, 1)
            # The machine is shared: what else ran is part of the figure.
            section['load_average'] = {'start': load,
                                       'end': os.getloadavg()}
            # Machines change between runs; ratios are per section.
            section['cpu_model'] = results['machine']['cpu_model']
            section['measured_at'] = datetime.datetime.now(
                datetime.timezone.utc).isoformat(timespec='seconds')
            section['command'] = ' '.join(
                ['python tools/bench/suite.py'] + (
                    sys.argv[1:] if argv is None else argv))
            results[name] = section
            with open(args.json, 'w') as f:
                json.dump(results, f, indent=2, sort_keys=True, default=str)
    finally:
        databases.drop()
        suite_ingest.remove_tree(directory)
    if args.rst:
        import suite_report
        suite_report.write(results, args.rst)
    return 0


if __name__ == '__main__':
    sys.exit(main())
