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
"""

import glob
import os
import signal
import subprocess
import time

import psutil
import pytest

from bootdoctor import simulator
from bootdoctor.tests.functional.collector import conftest
from bootdoctor.tests.functional.collector import process
from bootdoctor.tests.functional.collector import rabbit
from bootdoctor.tests.functional.collector import test_delivery as delivery

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
