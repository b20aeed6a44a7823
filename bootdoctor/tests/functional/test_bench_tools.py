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

"""The benchmark suite's PostgreSQL history and memory drive, for real."""

import argparse
import os
import sys

import sqlalchemy as sa

import bootdoctor
from bootdoctor.conf import collector as collector_conf
from bootdoctor.db import api
from bootdoctor.tests.functional.db import servers

BENCH = os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(bootdoctor.__file__))), 'tools', 'bench')
sys.path.insert(0, BENCH)

import collector_bench  # noqa: E402
import cpu_bench  # noqa: E402
import cpu_use  # noqa: E402
import replay_bench  # noqa: E402
import suite_growth  # noqa: E402
import suite_ingest  # noqa: E402
import suite_memory  # noqa: E402


def _rows(url, sql):
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.exec_driver_sql(sql).fetchall()
    finally:
        engine.dispose()


def test_history_copies_have_keys_of_their_own(tmp_path):
    stream = str(tmp_path / 'template.jsonl')
    replay_bench.synthesise(stream, 400)
    with servers.database('postgresql') as url:
        suite_growth.replay_into(stream, url)
        boots = _rows(url, 'SELECT count(*) FROM boots')[0][0]
        template = _rows(url, 'SELECT count(*) FROM notifications')[0][0]
        keys = {r[0] for r in _rows(url, 'SELECT message_id FROM '
                                    'notifications')}
        indexes = _rows(url, "SELECT indexdef FROM pg_indexes WHERE "
                        "schemaname = 'public' ORDER BY 1")
        stored, notifications, size = suite_growth.fill_history_pg(
            url, 2 * boots + 1, step=2)
        # Three copies, none with the template's own keys.
        assert (stored, notifications) == (3 * boots, 3 * template)
        after = {r[0] for r in _rows(url, 'SELECT message_id FROM '
                                     'notifications')}
        assert len(after) == 3 * template and not after & keys
        lengths = _rows(url, 'SELECT DISTINCT length(instance_uuid) FROM '
                        'observations WHERE length(instance_uuid) = 36')
        assert lengths == [(36,)]
        orphans = _rows(url, 'SELECT count(*) FROM observations o WHERE NOT '
                        'EXISTS (SELECT 1 FROM notifications n WHERE '
                        'n.message_id = o.message_id)')[0][0]
        assert orphans == 0
        # Every index is back, and the template tables are gone.
        assert _rows(url, "SELECT indexdef FROM pg_indexes WHERE "
                     "schemaname = 'public' ORDER BY 1") == indexes
        assert not _rows(url, "SELECT tablename FROM pg_tables WHERE "
                         "left(tablename, 4) = 'tpl_'")
        assert size > 0


def test_memory_drive_stores_every_notification():
    with servers.database('postgresql') as url:
        connection = api.Connection(url)
        connection.upgrade()
        connection.close()
        result = suite_memory.run(url, 250, 100, 50)
        assert result['notifications'] == result['handled'] == 250
        assert result['stored']['notifications'] == 250
        assert result['stored']['rejections'] == 0
        assert [s[0] for s in result['samples']] == [0, 100, 200, 250]
        assert all(s[1] >= s[2] > 0 for s in result['samples'])


def test_spread_history_lies_before_the_template(tmp_path):
    stream = str(tmp_path / 'template.jsonl')
    replay_bench.synthesise(stream, 200)
    with servers.database('postgresql') as url:
        suite_growth.replay_into(stream, url)
        first, last = _rows(url, 'SELECT min("timestamp"), max("timestamp") '
                            'FROM notifications')[0]
        boots = _rows(url, 'SELECT count(*) FROM boots')[0][0]
        suite_growth.fill_history_pg(url, 2 * boots, spread=True)
        newest = _rows(url, 'SELECT max("timestamp") FROM notifications')[0][0]
        oldest = _rows(url, 'SELECT min(created_at) FROM boots')[0][0]
        assert newest < first
        # Two copies, each a template span (plus a minute) further back.
        span = (last - first).total_seconds()
        assert (first - oldest).total_seconds() >= 2 * span


def test_cpu_bench_times_the_processor_and_drops_its_database():
    servers._admin_engine('postgresql')[0].dispose()  # skips without one
    admin = servers.SERVERS['postgresql']['admin']
    before = {r[0] for r in _rows(admin, 'SELECT datname FROM pg_database')}
    result = cpu_bench.run(admin, 300, 100)
    assert result['notifications'] == 300
    assert result['process_cpu_us'] > 0
    # The server runs here: its backends' CPU is read from /proc.
    assert result['server_cpu_us'] is not None
    assert result['stored']['notifications'] > 0
    after = {r[0] for r in _rows(admin, 'SELECT datname FROM pg_database')}
    assert after == before


def test_ingest_times_the_processing_alone_as_a_worker_settles():
    servers._admin_engine('postgresql')[0].dispose()  # skips without one
    admin = servers.SERVERS['postgresql']['admin']
    before = {r[0] for r in _rows(admin, 'SELECT datname FROM pg_database')}
    args = argparse.Namespace(batch_size=100, publishers=2,
                              postgresql=admin)
    result = suite_ingest.in_process(args, count=300)
    assert result['notifications'] == 300
    assert result['streams'] == 2
    # The collector's default, as a worker settles at its start.
    default = {o.name: o.default
               for o in collector_conf.collector_opts}['gc_threshold']
    assert result['gc_threshold'] == default
    assert result['process_cpu_us'] > 0
    assert result['stored']['notifications'] > 0
    assert result['command'] == (
        'python tools/bench/cpu_bench.py --admin-url <postgresql> '
        '--count 300 --batch-size 100 --streams 2 --gc-threshold %d'
        % default)
    after = {r[0] for r in _rows(admin, 'SELECT datname FROM pg_database')}
    assert after == before


def test_ingest_keeps_its_drains_when_the_processing_cannot_be_timed():
    # Nothing listens on port 1: cpu_bench.py fails to create its
    # database, and says why.
    args = argparse.Namespace(
        batch_size=100, publishers=2,
        postgresql='postgresql+psycopg2://postgres@127.0.0.1:1/postgres')
    result = suite_ingest.in_process(args, count=10)
    assert 'process_cpu_us' not in result
    assert result['why'].startswith('sqlalchemy.exc.OperationalError: ')
    assert 'Connection refused' in result['why']
    assert result['command'].startswith('python tools/bench/cpu_bench.py')


def test_cpu_use_reads_the_consumer_and_the_servers():
    """A child burning CPU in its own process group is the consumer; the
    PostgreSQL server of the functional tests is found by its name.
    """
    import subprocess
    import time
    child = subprocess.Popen(
        [sys.executable, '-c', 'import time\nend = time.process_time() + '
         '0.5\nwhile time.process_time() < end: pass\n'
         'time.sleep(30)'], start_new_session=True)
    try:
        before = cpu_use.snapshot(child.pid)
        assert child.pid in before['consumer']
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            after = cpu_use.snapshot(child.pid)
            if after['consumer'][child.pid] - before['consumer'][
                    child.pid] >= 0.4:
                break
            time.sleep(0.1)
        figures = cpu_use.per_notification(before, after, 1000, 2.0)
    finally:
        child.kill()
        child.wait()
    # 0.4 s or more of CPU over 1,000 notifications and 2 s of wall time.
    assert figures['consumer_us'] >= 400
    assert figures['cpus_busy'] >= 0.2
    assert figures['total_us'] >= figures['consumer_us']
    with servers.database('postgresql'):
        assert cpu_use.snapshot()['postgresql'], 'no postgres process'
    assert cpu_use.per_notification(None, after, 1000, 2.0) is None
    assert cpu_use.per_notification(before, after, 0, 2.0) is None


def test_a_drain_reads_the_workers_cpu_parts_from_their_stop_lines(
        tmp_path, caplog, monkeypatch):
    """The line a stopping worker logs, as the bench reads it: two
    workers, weighted by what each received.
    """
    from bootdoctor.collector import collection
    from bootdoctor.collector import service
    lines = []
    for received, parsing, handling, periodic in (
            (1000, 0.2, 0.3, 0.1), (3000, 0.3, 0.3, 0.1)):
        monkeypatch.setattr(collection, 'collecting',
                            lambda seconds=received / 1e4: seconds)
        collector = service.Collector(None, connection=object())
        collector.counters.add('received', 'nova', 'x', n=received)
        collector.counters.add_cpu('parsing', parsing)
        collector.counters.add_cpu('handling', handling)
        collector.counters.add_cpu('periodic', periodic)
        caplog.clear()
        with caplog.at_level('INFO', logger='bootdoctor.collector.service'):
            collector.stop()
        lines += [r.getMessage() for r in caplog.records
                  if 'stopped;' in r.getMessage()]
    assert len(lines) == 2
    log = tmp_path / 'collector.log'
    log.write_text(''.join('2030-01-01 00:00:00.000 1 INFO x [-] %s\n' % line
                           for line in lines))
    parts = collector_bench.worker_parts(str(log), consumer_us=600.0)
    # (1000 x 200 + 3000 x 100) / 4000 us parsing, (1000 x 300 + 3000 x
    # 100) / 4000 handling, (1000 x 100 + 3000 x 33) / 4000 periodic.
    # Garbage collection: 100 us per notification in either.
    assert parts == {'parsing_us': 125.0, 'handling_us': 150.0,
                     'periodic_us': 49.75, 'rest_us': 275.25,
                     'collecting_us': 100.0}
    described = collector_bench.describe_cpu(dict(
        parts, consumer_us=600, postgresql_us=0, rabbitmq_us=0,
        total_us=600, cpus_busy=1))
    assert 'handling groups 150 us, periodic tasks 50 us' in described
    assert described.endswith('; garbage collection 100 us of all these')
    log.write_text('nothing of the kind\n')
    assert collector_bench.worker_parts(str(log), 600.0) == {}


def test_a_drain_is_timed_from_its_first_message_to_its_last():
    drain = cpu_use.Drain(os.getpid())
    assert drain.figures() == (None, None)
    for count, now in ((0, 1.0), (100, 2.0), (100, 3.0), (500, 4.0),
                       (500, 9.0)):
        drain.note(count, now)
    rate, cpu = drain.figures()
    # 400 more messages between 2.0 and 4.0; the idle polls after do not
    # count.
    assert rate == 200.0
    assert set(cpu) == {'consumer_us', 'postgresql_us', 'rabbitmq_us',
                        'total_us', 'cpus_busy'}
