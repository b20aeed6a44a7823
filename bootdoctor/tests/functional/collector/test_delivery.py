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

"""Nothing is lost: broker restart, kill -9, SIGTERM, database outage.

Each test publishes a realistic stream, breaks something in the middle,
and counts: sent (by the publisher), stored (distinct notifications in the
database), duplicates (deliveries beyond the first, from the collectors'
logs at stop; a process killed with -9 logs nothing) and lost (sent -
stored), which must be 0; then every boot must end as its scenario says.
"""

import threading
import time

import pytest
import sqlalchemy as sa

from bootdoctor.db import api
from bootdoctor import simulator
from bootdoctor.tests.functional.collector import conftest
from bootdoctor.tests.functional.collector import process
from bootdoctor.tests.functional.collector import rabbit
from bootdoctor.tests.functional.db import servers

# The stalls' records depend on when the stuck search runs; these tests
# are about delivery, so they publish every other scenario.
STREAM = [name for name, s in simulator.SCENARIOS.items() if not s.stalls]


def _boots(count, seed):
    return simulator.plan(count, STREAM, seed=seed)


class Background:
    """Publishes a stream at a steady rate in a thread."""

    def __init__(self, names, boots, rate, rabbit_options=None):
        self.publisher = conftest.publisher(names,
                                            rabbit_options=rabbit_options)
        self.emissions = [e for _, e in simulator.interleave(boots, seed=3)]
        self.rate = rate
        self.error = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        try:
            self.publisher.publish(self.emissions, rate=self.rate)
        except Exception as exc:  # noqa: reported by join()
            self.error = exc

    def start(self):
        self.thread.start()
        return self

    def wait_for_sent(self, count, timeout=60):
        deadline = time.monotonic() + timeout
        while self.publisher.sent < count and time.monotonic() < deadline:
            time.sleep(0.05)

    def join(self, timeout=300):
        self.thread.join(timeout)
        self.publisher.close()
        assert not self.thread.is_alive(), 'the publisher is stuck'
        assert self.error is None, self.error
        return self.publisher.sent


def _stored(url):
    connection = api.Connection(url)
    try:
        return connection.counts()['notifications']
    except Exception:  # noqa: down on purpose
        return None
    finally:
        connection.close()


def _logged(collectors, field):
    """Sum of a counter over the collectors' "stopped; ..." log lines."""
    total = 0
    for collector in collectors:
        for line in collector.output().splitlines():
            if ' stopped; received ' in line:
                text = line.split(' stopped; ', 1)[1].split(';')[0]
                counts = dict(item.rsplit(' ', 1)
                              for item in text.split(', '))
                total += int(counts[field])
    return total


def _account(what, sent, url, collectors):
    stored = _stored(url)
    figures = {'sent': sent, 'stored': stored,
               'duplicates': _logged(collectors, 'duplicates'),
               'lost': sent - stored}
    text = ', '.join('%s %d' % kv for kv in figures.items())
    print('%s: %s' % (what, text))
    return figures


@pytest.mark.parametrize('queues', ['amqp_durable_queues',
                                    'rabbit_quorum_queue'])
def test_broker_restart_mid_stream(tmp_path, names, sqlite_url, queues):
    options = {queues: True}
    collector = process.CollectorProcess(
        str(tmp_path), names, sqlite_url,
        options={'oslo_messaging_rabbit': options})
    collector.start()
    boots = _boots(40, seed=7)
    stream = Background(names, boots, rate=150,
                        rabbit_options=options).start()
    try:
        stream.wait_for_sent(len(stream.emissions) // 3)
        assert 0 < stream.publisher.sent < len(stream.emissions)
        rabbit.restart_broker()
        sent = stream.join()
        conftest.wait_for_notifications(sqlite_url, sent, timeout=240,
                                        what='after the broker restart')
        wrong = conftest.wait_until_expected(sqlite_url, boots)
    finally:
        code = collector.stop()
    figures = _account('broker restart with %s' % queues, sent, sqlite_url,
                       [collector])
    assert figures['lost'] == 0
    assert sent == len(stream.emissions)
    assert wrong == {}
    assert code == 0


def test_kill_9_mid_batch_then_restart(tmp_path, names, sqlite_url):
    boots = _boots(60, seed=8)
    collector = process.CollectorProcess(
        str(tmp_path), names, sqlite_url,
        options={'collector': {'batch_size': 50}})
    # The listener declares the pool queue; then a backlog builds up.
    collector.start()
    collector.stop()
    publisher = conftest.publisher(names)
    try:
        sent = publisher.publish(
            e for _, e in simulator.interleave(boots, seed=4))
    finally:
        publisher.close()
    assert rabbit.queue_state(names.pool)[0] == sent
    collector.start()
    deadline = time.monotonic() + 60
    while (_stored(sqlite_url) or 0) < sent // 5 and (
            time.monotonic() < deadline):
        time.sleep(0.02)
    collector.kill()
    at_kill = _stored(sqlite_url)
    assert 0 < at_kill < sent, 'the kill missed the stream'
    collector.start()
    conftest.wait_for_notifications(sqlite_url, sent, what='after kill -9')
    wrong = conftest.wait_until_expected(sqlite_url, boots)
    code = collector.stop()
    figures = _account('kill -9 at %d stored' % at_kill, sent, sqlite_url,
                       [collector])
    assert figures['lost'] == 0
    assert wrong == {}
    assert code == 0


def test_sigterm_mid_stream_finishes_what_it_took(
        tmp_path, names, sqlite_url):
    boots = _boots(40, seed=9)
    collector = process.CollectorProcess(str(tmp_path), names, sqlite_url)
    collector.start()
    stream = Background(names, boots, rate=300).start()
    stream.wait_for_sent(len(stream.emissions) // 2)
    assert collector.stop() == 0
    output = collector.output()
    assert 'Collector worker 0 stopped; received' in output
    sent = stream.join()
    # What the stopped collector had not taken waits in its queue.
    assert rabbit.queue_state(names.pool)[0] > 0
    collector.start()
    conftest.wait_for_notifications(sqlite_url, sent, what='after SIGTERM')
    wrong = conftest.wait_until_expected(sqlite_url, boots)
    assert collector.stop() == 0
    figures = _account('SIGTERM mid-stream', sent, sqlite_url, [collector])
    assert figures['lost'] == 0
    assert wrong == {}


class PostgreSQLSwitch:
    """Refuses, then allows again, connections to one test database."""

    def __init__(self, url):
        self.name = sa.engine.make_url(url).database
        admin = servers.SERVERS['postgresql']['admin']
        self.engine = sa.create_engine(admin, isolation_level='AUTOCOMMIT')

    def off(self):
        with self.engine.connect() as conn:
            conn.exec_driver_sql('ALTER DATABASE %s ALLOW_CONNECTIONS false'
                                 % self.name)
            conn.exec_driver_sql(
                'SELECT pg_terminate_backend(pid) FROM pg_stat_activity '
                "WHERE datname = '%s'" % self.name)

    def on(self):
        with self.engine.connect() as conn:
            conn.exec_driver_sql('ALTER DATABASE %s ALLOW_CONNECTIONS true'
                                 % self.name)

    def close(self):
        self.on()
        self.engine.dispose()


def test_database_unavailable_for_a_while(tmp_path, names, postgresql_url):
    switch = PostgreSQLSwitch(postgresql_url)
    collector = process.CollectorProcess(str(tmp_path), names,
                                         postgresql_url)
    collector.start()
    boots = _boots(40, seed=10)
    stream = Background(names, boots, rate=200).start()
    try:
        stream.wait_for_sent(len(stream.emissions) // 4)
        switch.off()
        down_at = len(collector.output())
        collector.wait_for_output('Database unavailable', since=down_at)
        time.sleep(8)
        switch.on()
        sent = stream.join()
        conftest.wait_for_notifications(postgresql_url, sent, timeout=180,
                                        what='after the outage')
        wrong = conftest.wait_until_expected(postgresql_url, boots)
    finally:
        switch.close()
        code = collector.stop()
    figures = _account('database down 8 s', sent, postgresql_url,
                       [collector])
    assert figures['lost'] == 0
    assert wrong == {}
    assert code == 0
    assert 'notifications go back to the broker' in collector.output()


def test_two_collectors_in_one_pool_equal_one(tmp_path, names, sqlite_url,
                                              postgresql_url):
    # Two pools on the same exchanges each get the whole stream: one pool
    # has one collector, the other two collectors sharing it.
    single = process.CollectorProcess(str(tmp_path), names, sqlite_url,
                                      name='single')
    pair_pool = names.pool + '-pair'
    names.extra_pools.append(pair_pool)
    pair = [process.CollectorProcess(str(tmp_path), names, postgresql_url,
                                     pool=pair_pool, name='pair%d' % n)
            for n in (1, 2)]
    single.start()
    for member in pair:
        member.start(wait=False)
    rabbit.wait_for_consumers(pair_pool, 2)
    boots = _boots(45, seed=11)
    publisher = conftest.publisher(names)
    try:
        sent = publisher.publish(
            e for _, e in simulator.interleave(boots, concurrency=12,
                                               seed=6))
        conftest.wait_for_notifications(sqlite_url, sent, what='single')
        conftest.wait_for_notifications(postgresql_url, sent, what='pair')
        assert conftest.wait_until_expected(sqlite_url, boots) == {}
        assert conftest.wait_until_expected(postgresql_url, boots) == {}
    finally:
        publisher.close()
        codes = [single.stop()] + [member.stop() for member in pair]
    assert codes == [0, 0, 0]
    # Each pool got the whole stream: nothing lost in either.
    alone = _account('one collector in a pool', sent, sqlite_url, [single])
    shared = _account('two collectors sharing a pool', sent,
                      postgresql_url, pair)
    assert alone['lost'] == 0
    assert shared['lost'] == 0
    one = api.Connection(sqlite_url)
    two = api.Connection(postgresql_url)
    for boot in boots:
        assert one.get_record(boot.instance_uuid) == two.get_record(
            boot.instance_uuid), boot.scenario.name
    # Both members of the pair did part of the work.
    shares = [_received_by(member) for member in pair]
    print('pair shares: %s of %d' % (shares, sent))
    assert sum(shares) >= sent
    assert all(share > 0 for share in shares)


def _received_by(member):
    """What a stopped collector process received, from its log."""
    return _logged([member], 'received')
