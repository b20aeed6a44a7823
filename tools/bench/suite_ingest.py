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
"""The ingest part of the benchmark suite (run by tools/bench/suite.py).

One backlog of simulator notifications is published once into one queue
per consumer under test (all bound to the same exchanges and topics), then
each consumer drains its own copy in turn, on the same broker:

- ``bare``: an oslo.messaging batch listener that only acknowledges;
- ``sqlite``: bootdoctor-collector, 1 worker, SQLite;
- ``postgresql``: bootdoctor-collector, 1 worker, PostgreSQL;
- ``postgresql x2``: bootdoctor-collector, 2 workers, PostgreSQL;
- ``ceilometer``: ceilometer-agent-notification with only the event
  pipeline and the in-memory ``test://`` publisher, when a virtualenv
  holding Ceilometer is given.

After the drains, ``in_process`` times the collector's parsing and
handling alone on PostgreSQL, without a listener (cpu_bench.py, on a
stream like the backlog's): with the bare listener's CPU, what one
process needs at least per notification.

A consumer that has not drained the backlog after ``--drain-limit``
seconds is stopped there; its rate is over what it consumed, and the
results say how much that was.

The queues and the publishing are bench_broker.py's, the bare listener
and the collector configuration collector_bench.py's; this module adds
the SQLite run, the peak memory of the collector's processes while it
drains and the Ceilometer peer.
"""

import importlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))


def _bench_module(name):
    """A module of this directory (tools/bench is not a package).

    Imported by name from this directory so that the publisher processes
    the benchmarks spawn can find its functions again.
    """
    if HERE not in sys.path:
        sys.path.insert(0, HERE)
    return importlib.import_module(name)


def collector_bench():
    """collector_bench.py as a module."""
    return _bench_module('collector_bench')


def bench_broker():
    """bench_broker.py (queues and publishing) as a module."""
    return _bench_module('bench_broker')


def _group_pids(pgid):
    pids = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry) as f:
                fields = f.read().rsplit(')', 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            pids.append(int(entry))
    return pids


def peak_rss_mib(pgid):
    """The largest VmHWM (peak resident set) among a process group."""
    peak = 0
    for pid in _group_pids(pgid):
        try:
            with open('/proc/%d/status' % pid) as f:
                for line in f:
                    if line.startswith('VmHWM:'):
                        peak = max(peak, int(line.split()[1]))
        except OSError:
            continue
    return round(peak / 1024.0, 1)


def _drain(process, count_fn, expect, limit, stall=60):
    """Poll ``count_fn`` until ``expect`` or ``limit`` seconds.

    Returns (rate, consumed, memory samples as [consumed, MiB] about every
    10 s, CPU figures of cpu_use.per_notification); the rate and the CPU
    are over the messages consumed, first to last.
    """
    progress = _bench_module('cpu_use').Drain(process.pid)
    memory = []
    started = progress_at = next_sample = time.monotonic()
    seen = -1
    while True:
        count = count_fn()
        now = time.monotonic()
        progress.note(count, now)
        if count != seen:
            progress_at, seen = now, count
        if now >= next_sample:
            memory.append([count, peak_rss_mib(process.pid)])
            next_sample = now + 10
        if (count >= expect or now - progress_at > stall or
                now - started > limit or process.poll() is not None):
            break
        time.sleep(0.25)
    memory.append([seen, peak_rss_mib(process.pid)])
    rate, cpu = progress.figures()
    return rate, seen, memory, cpu


def _stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(120)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def run_collector(cb, directory, rabbit, names, pool, database, workers,
                  expect, batch_size, limit):
    config = cb.write_config(directory, rabbit, names, pool, database,
                             workers, batch_size)
    log = os.path.join(directory, '%s.log' % pool)
    process = cb.start_collector(config, log)
    try:
        rate, consumed, memory, cpu = _drain(
            process, lambda: cb.stored(database), expect, limit)
    finally:
        _stop(process)
    if cpu:
        # The workers' own split, from the lines they log as they stop.
        cpu.update(cb.worker_parts(log, cpu['consumer_us']))
    return {'rate': rate, 'consumed': consumed, 'expected': expect,
            'workers': workers, 'peak_rss_mib': memory, 'cpu': cpu,
            'broker_interrupted': _interrupted(log),
            'log_tail': _tail(log)}


def _interrupted(log):
    """Whether the broker went away during the run (other work sharing
    the broker may restart it, and its non-durable queues go with it).
    """
    try:
        with open(log) as f:
            return any('is unreachable' in line for line in f)
    except OSError:
        return False


def _tail(path, lines=3):
    try:
        with open(path) as f:
            return f.read().splitlines()[-lines:]
    except OSError:
        return []


# Ceilometer ---------------------------------------------------------------

def ceilometer_queues(names, mq):
    return ['%s.%s' % (topic, priority)
            for topic in names.topics.values()
            for priority in ('info', 'error')]


def declare_ceilometer(rabbit, names, batch_size, mq):
    """Ceilometer listens without a pool: queues ``<topic>.<priority>``."""
    import oslo_messaging

    class Nothing:
        def _requeue(self, messages):
            return oslo_messaging.NotificationResult.REQUEUE

        info = error = _requeue

    conf = mq.listener_conf(rabbit, names, 'unused', batch_size)
    from bootdoctor.notification import listener
    transport = listener.get_transport(conf)
    targets = [oslo_messaging.Target(exchange=e, topic=t)
               for e in names.exchanges.values()
               for t in names.topics.values()]
    server = oslo_messaging.get_batch_notification_listener(
        transport, targets, [Nothing()], allow_requeue=True,
        batch_size=batch_size, batch_timeout=1)
    server.start()
    deadline = time.monotonic() + 30
    while any(mq.queue_depth(rabbit, q) is None for q in
              ceilometer_queues(names, mq)) and time.monotonic() < deadline:
        time.sleep(0.2)
    server.stop()
    server.wait()
    transport.cleanup()


def ceilometer_config(directory, rabbit, names, batch_size, venv):
    package = subprocess.run(
        [os.path.join(venv, 'bin', 'python'), '-c',
         'import ceilometer, os; print(os.path.dirname(ceilometer.__file__))'],
        check=True, capture_output=True, text=True).stdout.strip()
    pipeline = os.path.join(directory, 'event_pipeline.yaml')
    with open(pipeline, 'w') as f:
        f.write('---\nsources:\n  - name: event_source\n    events:\n'
                '      - "*"\n    sinks:\n      - event_sink\nsinks:\n'
                '  - name: event_sink\n    publishers:\n      - test://\n')
    path = os.path.join(directory, 'ceilometer.conf')
    with open(path, 'w') as f:
        f.write('[DEFAULT]\ntransport_url = %s\nevent_pipeline_cfg_file = %s\n'
                # The backlog's exchanges and queues are durable.
                '[oslo_messaging_rabbit]\namqp_durable_queues = true\n'
                '[oslo_messaging_notifications]\ntopics = %s\n'
                '[event]\ndefinitions_cfg_file = %s\n'
                '[notification]\npipelines = event\nworkers = 1\n'
                'batch_size = %d\nbatch_timeout = 1\n%s' % (
                    rabbit, pipeline, ','.join(names.topics.values()),
                    os.path.join(package, 'pipeline', 'data',
                                 'event_definitions.yaml'),
                    batch_size,
                    ''.join('notification_control_exchanges = %s\n' % e
                            for e in names.exchanges.values())))
    return path


def run_ceilometer(mq, directory, rabbit, names, batch_size, venv, limit):
    """Drain the ``<topic>.<priority>`` queues with Ceilometer's agent."""
    queues = ceilometer_queues(names, mq)
    backlog = sum(mq.queue_depth(rabbit, q) or 0 for q in queues)
    config = ceilometer_config(directory, rabbit, names, batch_size, venv)
    log = os.path.join(directory, 'ceilometer.log')
    with open(log, 'w') as out:
        process = subprocess.Popen(
            [os.path.join(venv, 'bin', 'ceilometer-agent-notification'),
             '--config-file', config], stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True)
    try:
        rate, consumed, memory, cpu = _drain(
            process, lambda: backlog - sum(
                mq.queue_depth(rabbit, q) or 0 for q in queues), backlog,
            limit)
    finally:
        _stop(process)
    return {'rate': rate, 'consumed': consumed, 'expected': backlog,
            'peak_rss_mib': memory, 'cpu': cpu,
            'broker_interrupted': _interrupted(log),
            'errors_logged': _errors(log), 'log_tail': _tail(log, 5)}


def _errors(log):
    """How many ERROR lines the agent logged (a drain is only a drain
    if it did not fail on every message).
    """
    try:
        with open(log) as f:
            return sum(1 for line in f if ' ERROR ' in line)
    except OSError:
        return None


def collector_default(name):
    """The default of a ``[collector]`` option."""
    from bootdoctor.conf import collector as collector_conf
    return {o.name: o.default for o in collector_conf.collector_opts}[name]


def in_process(args, count=20000):
    """The collector's parsing and handling alone (cpu_bench.py).

    Run in a process of its own, which settles its garbage collector as
    a worker does (``[collector] gc_threshold``'s default), on
    ``--publishers`` interleaved simulator streams as the backlog is.
    A failure is recorded (``why``) rather than raised, so that the
    drains measured before it are kept.
    """
    arguments = ['--count', str(count), '--batch-size', str(args.batch_size),
                 '--streams', str(args.publishers),
                 '--gc-threshold', str(collector_default('gc_threshold'))]
    command = ' '.join(['python tools/bench/cpu_bench.py', '--admin-url',
                        '<postgresql>'] + arguments)
    try:
        output = subprocess.run(
            [sys.executable, os.path.join(HERE, 'cpu_bench.py'),
             '--admin-url', args.postgresql] + arguments,
            check=True, capture_output=True, text=True).stdout
    except subprocess.CalledProcessError as exc:
        return {'command': command, 'why': _why(exc)}
    result = json.loads(output.splitlines()[-1])
    result['command'] = command
    return result


def _why(failed):
    """The exception a failed script ended with (its traceback's last
    ``Name: message`` line), or its exit status.
    """
    for line in reversed((failed.stderr or '').splitlines()):
        name = line.split(':', 1)[0]
        if name.endswith(('Error', 'Exception')) and ' ' not in name:
            return line.strip()
    return '%s exited with %d' % (os.path.basename(failed.cmd[1]),
                                  failed.returncode)


def ingest(args, databases, directory):
    """Publish one backlog and drain it with every consumer in turn."""
    cb, mq = collector_bench(), bench_broker()
    names = mq.Names('bdsuite%s' % uuid.uuid4().hex[:8])
    runs = [('sqlite', 'sqlite', 1), ('postgresql', 'postgresql', 1),
            ('postgresql x2', 'postgresql', 2)]
    pools = {'bare': names.pool('bare')}
    pools.update({label: names.pool(label.replace(' ', ''))
                  for label, _, _ in runs})
    ceilometer = args.ceilometer_venv and os.path.exists(os.path.join(
        args.ceilometer_venv, 'bin', 'ceilometer-agent-notification'))
    results = {'names': names.tag}
    try:
        mq.declare(args.rabbit, names, list(pools.values()), args.batch_size)
        if ceilometer:
            declare_ceilometer(args.rabbit, names, args.batch_size, mq)
        print('publishing a backlog of %d notifications' % args.count,
              flush=True)
        sent, seconds = mq.publish(args.rabbit, names, args.count,
                                   args.publishers)
        results['sent'] = sent
        results['publish_rate'] = sent / seconds
        print('  sent %d in %.1f s' % (sent, seconds), flush=True)
        results['bare'] = cb.run_bare_figures(
            args.rabbit, names, pools['bare'], sent, args.batch_size)
        print('  bare: %.0f/s' % results['bare']['rate'], flush=True)
        for label, backend, workers in runs:
            database = databases.new(backend, label.replace(' ', '_'))
            results[label] = run_collector(
                cb, directory, args.rabbit, names, pools[label], database,
                workers, sent, args.batch_size, args.drain_limit)
            print('  %s: %s/s' % (label, results[label]['rate']), flush=True)
        if ceilometer:
            results['ceilometer'] = run_ceilometer(
                mq, directory, args.rabbit, names, args.batch_size,
                args.ceilometer_venv, args.drain_limit)
            print('  ceilometer: %s/s' % results['ceilometer']['rate'],
                  flush=True)
        else:
            results['ceilometer'] = {
                'rate': None, 'why': 'no Ceilometer virtualenv at %s'
                % args.ceilometer_venv}
    finally:
        queues = list(pools.values()) + ceilometer_queues(names, mq)
        mq.cleanup(args.rabbit, names, queues)
    results['in_process'] = in_process(args)
    print('  in process: %s us' % results['in_process'].get(
        'process_cpu_us', results['in_process'].get('why')), flush=True)
    bare = results['bare']['rate']
    for label in [r[0] for r in runs] + ['ceilometer']:
        rate = results[label].get('rate')
        results[label]['ratio_to_bare'] = rate / bare if rate else None
    return results


def steady(args, databases, directory):
    """Publish-to-record delay at each steady rate (collector_bench's)."""
    cb = collector_bench()
    timeout = collector_default('batch_timeout')
    runs = []
    for queues in args.freshness_queues:
        for rate in args.rate:
            options = cb.parse_args([
                '--rate', str(rate), '--duration', str(args.duration),
                '--workers', str(args.freshness_workers),
                '--publishers', str(args.publishers),
                '--batch-size', str(args.batch_size), '--rabbit',
                args.rabbit, '--steady-queues', queues])
            runs.append(cb.steady(options, directory, databases))
    return {'runs': runs, 'batch_timeout': timeout,
            'workers': args.freshness_workers}


def remove_tree(directory):
    shutil.rmtree(directory, ignore_errors=True)
