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

"""Faults the collector's own delivery tests leave out, counted the same way.

The collector's tests (bootdoctor/tests/functional/collector/
test_delivery.py) restart the broker with durable and with quorum queues,
kill -9 the whole collector, stop it with SIGTERM, refuse connections to
its database for 8 s and share a pool between two collectors. These add a
worker killed with -9 while its master lives on, and the PostgreSQL
server itself stopped for 30 s. Each counts sent, stored, duplicates and
lost (which must be 0) and checks every boot ends as its scenario says.
Last, bootdoctor-api loses its database connections under load: 503
while they are gone, never a 500, and 200 again once they are back.
"""

import collections
import glob
import http.client
import os
import signal
import subprocess
import sys
import threading
import time

import psutil
import pytest

from bootdoctor import simulator
from bootdoctor.tests.functional.api import test_server
from bootdoctor.tests.functional.collector import conftest
from bootdoctor.tests.functional.collector import process
from bootdoctor.tests.functional.collector import rabbit
from bootdoctor.tests.functional.collector import test_delivery as delivery
from bootdoctor.tests.unit.api import conftest as c
from bootdoctor.tests.unit.api import data

OUTAGE_S = 30


def test_kill_9_of_one_worker_mid_batch(tmp_path, names, sqlite_url):
    boots = delivery._boots(60, seed=31)
    collector = process.CollectorProcess(
        str(tmp_path), names, sqlite_url,
        options={'collector': {'batch_size': 50, 'workers': 2}})
    # The workers declare the pool queue; then a backlog builds up.
    collector.start()
    collector.stop()
    publisher = conftest.publisher(names)
    try:
        sent = publisher.publish(
            e for _, e in simulator.interleave(boots, seed=5))
    finally:
        publisher.close()
    assert rabbit.queue_state(names.pool)[0] == sent
    collector.start()
    try:
        victim = collector.worker_pids(2)[0]
        deadline = time.monotonic() + 60
        while (delivery._stored(sqlite_url) or 0) < sent // 5 and (
                time.monotonic() < deadline):
            time.sleep(0.02)
        os.kill(victim, signal.SIGKILL)
        at_kill = delivery._stored(sqlite_url)
        assert 0 < at_kill < sent, 'the kill missed the stream'
        # The master lives on and starts a new worker in its place.
        deadline = time.monotonic() + 60
        while victim in collector.worker_pids(2) and (
                time.monotonic() < deadline):
            time.sleep(0.2)
        workers = collector.worker_pids(2)
        assert victim not in workers and len(workers) == 2
        assert psutil.pid_exists(collector.pid)
        conftest.wait_for_notifications(sqlite_url, sent,
                                        what='after a worker was killed')
        wrong = conftest.wait_until_expected(sqlite_url, boots)
    finally:
        code = collector.stop()
    figures = delivery._account('kill -9 of one of 2 workers at %d stored'
                                % at_kill, sent, sqlite_url, [collector])
    assert figures['lost'] == 0
    assert wrong == {}
    assert code == 0


def _pg_ctlcluster(action):
    versions = sorted(os.path.basename(p) for p in glob.glob(
        '/etc/postgresql/*'))
    return subprocess.run(
        ['pg_ctlcluster', '--skip-systemctl-redirect', versions[-1], 'main',
         action], capture_output=True, text=True, timeout=120, check=False)


def _pg_running():
    return _pg_ctlcluster('status').returncode == 0


def test_postgresql_stopped_for_30_seconds(tmp_path, names, postgresql_url):
    if not os.path.isdir('/etc/postgresql') or not _pg_running():
        pytest.skip('no local PostgreSQL cluster that pg_ctlcluster can '
                    'stop and start')
    collector = process.CollectorProcess(str(tmp_path), names,
                                         postgresql_url)
    collector.start()
    boots = delivery._boots(40, seed=32)
    stream = delivery.Background(names, boots, rate=100).start()
    down = time.monotonic()
    try:
        stream.wait_for_sent(len(stream.emissions) // 4)
        since = len(collector.output())
        down = time.monotonic()
        stopped = _pg_ctlcluster('stop')
        assert stopped.returncode == 0, stopped.stderr
        collector.wait_for_output('Database unavailable', since=since,
                                  timeout=OUTAGE_S)
        time.sleep(max(0.0, OUTAGE_S - (time.monotonic() - down)))
    finally:
        # Whatever happened, the server others use comes back.
        stopped_for = time.monotonic() - down
        if not _pg_running():
            started = _pg_ctlcluster('start')
            assert started.returncode == 0, started.stderr
    try:
        sent = stream.join()
        conftest.wait_for_notifications(postgresql_url, sent, timeout=240,
                                        what='after PostgreSQL came back')
        wrong = conftest.wait_until_expected(postgresql_url, boots)
    finally:
        code = collector.stop()
    figures = delivery._account('PostgreSQL stopped %.0f s' % stopped_for,
                                sent, postgresql_url, [collector])
    assert stopped_for >= OUTAGE_S
    assert figures['lost'] == 0
    assert wrong == {}
    assert code == 0
    assert 'notifications go back to the broker' in collector.output()


def _api_server(tmp_path, database):
    """bootdoctor-api (noauth: every request is an admin's) on ``database``."""
    port = test_server.free_port()
    config = tmp_path / 'api.conf'
    config.write_text('[DEFAULT]\nstate_path = %s\n[database]\n'
                      'connection = %s\n[api]\nauth_strategy = noauth\n'
                      'port = %d\n' % (tmp_path, database, port))
    log = open(tmp_path / 'api.log', 'w')
    process = subprocess.Popen(
        [sys.executable, '-m', 'bootdoctor.cmd.api', '--config-file',
         str(config)], stdout=log, stderr=subprocess.STDOUT)
    log.close()
    url = 'http://127.0.0.1:%d' % port
    test_server.wait_for(
        lambda: test_server.answers(url + '/') or process.poll() is not None,
        60, 'bootdoctor-api answers')
    assert process.poll() is None, (tmp_path / 'api.log').read_text()
    return process, port


class Load:
    """Clients reading boots without pause until told to stop."""

    PATHS = ('/v1/boots?all_projects=true&limit=50',
             '/v1/stats?all_projects=true',
             '/v1/boots?all_projects=true&status=error&sort=duration_s')

    def __init__(self, port, clients=6):
        self.port = port
        self.codes = collections.Counter()
        self.timeline = []
        # (started, ended, status) of every request, in the order they
        # ended.
        self.spans = []
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, args=(n,),
                                         daemon=True)
                        for n in range(clients)]

    def _run(self, number):
        connection = http.client.HTTPConnection('127.0.0.1', self.port,
                                                timeout=60)
        count = 0
        while not self.stopping.is_set():
            path = self.PATHS[(number + count) % len(self.PATHS)]
            count += 1
            started = time.monotonic()
            try:
                connection.request('GET', path)
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                connection.close()
                status = 'connection error'
            with self.lock:
                self.codes[status] += 1
                self.timeline.append(status)
                self.spans.append((started, time.monotonic(), status))

    def start(self):
        for thread in self.threads:
            thread.start()
        return self

    def seen(self):
        with self.lock:
            return len(self.timeline)

    def wait_for(self, count, timeout=60):
        deadline = time.monotonic() + timeout
        while self.seen() < count and time.monotonic() < deadline:
            time.sleep(0.05)

    def stop(self):
        self.stopping.set()
        for thread in self.threads:
            thread.join(90)


def test_the_apis_database_dropped_under_load(tmp_path, postgresql_url):
    data.build(postgresql_url, c.PROJECT_A, c.PROJECT_B)
    process, port = _api_server(tmp_path, postgresql_url)
    switch = delivery.PostgreSQLSwitch(postgresql_url)
    load = Load(port).start()
    try:
        load.wait_for(200)
        # Every connection of the API is cut and new ones refused ...
        switch.off()
        cut_at, cut_time = load.seen(), time.monotonic()
        load.wait_for(cut_at + 200)
        # ... until the database takes connections again.
        switch.on()
        back_at, back_time = load.seen(), time.monotonic()
        load.wait_for(back_at + 400)
    finally:
        load.stop()
        switch.close()
        process.send_signal(signal.SIGTERM)
        process.wait(30)
    # Requests that began while the database was down, those in flight
    # when it came back (they may still fail), and those that began after.
    during = collections.Counter(
        status for started, ended, status in load.spans
        if cut_time <= started and ended <= back_time)
    turning = collections.Counter(
        status for started, ended, status in load.spans
        if started < back_time < ended)
    settled = collections.Counter(
        status for started, _, status in load.spans if started > back_time)
    print('API database dropped under load: %d requests: %s; while down '
          '%s; the %d in flight when it came back %s; then %s' % (
              len(load.timeline), dict(load.codes), dict(during),
              sum(turning.values()), dict(turning), dict(settled)))
    # Down: 503, never a 500 or a dropped connection; back: 200 only.
    assert set(load.codes) <= {200, 503}, load.codes
    assert during[503] > 0
    assert set(settled) == {200}
