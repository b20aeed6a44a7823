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


"""Several writers at once: every key is stored, and reported new, once.

Several collectors may consume the same queue and the broker redelivers
after a crash, so the same observations can be stored by two processes at
the same moment. Threads on one Connection stand in for them: each thread
checks out its own database connection.
"""

import random
import threading

from bootdoctor.tests.unit.db import fakes

THREADS = 4


def _run(count, target):
    """Run target(i) in ``count`` threads released together."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def worker(i):
        try:
            barrier.wait()
            results[i] = target(i)
        except Exception as exc:  # noqa: reported below
            errors.append(exc)
    threads = [threading.Thread(target=worker, args=(i,))
               for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def test_same_observations_stored_once(connection):
    messages = []
    for m in range(60):
        instances = [fakes.uuid(1 + m % 7)] + (
            [fakes.uuid(100 + m)] if m % 5 == 0 else [])
        messages.append(fakes.parsed(*[
            fakes.obs('msg-%03d' % m, u, seconds=m) for u in instances]))
    expected = {o.key for p in messages for o in p.observations}

    def store(i):
        order = list(messages)
        random.Random(i).shuffle(order)
        new = []
        for start in range(0, len(order), 10):
            new.extend(connection.add_observations(order[start:start + 10]))
        return new

    results = _run(THREADS, store)
    keys = [o.key for new in results for o in new]
    # Each observation is new for exactly one writer.
    assert sorted(keys) == sorted(expected)
    assert connection.counts()['observations'] == len(expected)
    assert connection.counts()['notifications'] == len(messages)


def test_one_writer_emits(connection):
    for state in ('error', 'stuck', 'active'):
        results = _run(THREADS, lambda i: (fakes.uuid(1), state) in (
            connection.mark_emitted_many([(fakes.uuid(1), state)])))
        assert sorted(results) == [False] * (THREADS - 1) + [True]


def test_writers_marking_overlapping_boots_share_the_marks(connection):
    marks = [(fakes.uuid(n), state) for n in range(1, 11)
             for state in ('error', 'stuck')]

    def mark(i):
        order = list(marks)
        random.Random(i).shuffle(order)
        return connection.mark_emitted_many(order[:15])

    results = _run(THREADS, mark)
    taken = [key for first in results for key in first]
    # No mark went to two writers, and every mark asked for went to one.
    assert len(taken) == len(set(taken))
    asked = set()
    for i in range(THREADS):
        order = list(marks)
        random.Random(i).shuffle(order)
        asked.update(order[:15])
    assert set(taken) == asked


def test_concurrent_saves_of_new_boots(connection):
    def save(i):
        return connection.save_records(
            [fakes.record(n, status='building') for n in range(1, 20)],
            observation_counts={fakes.uuid(n): i + 1 for n in range(1, 20)})
    _run(THREADS, save)
    assert connection.counts()['boots'] == 19
    # The record built from the most observations is the one kept.
    summaries = connection.list_records(detail=False)
    assert len(summaries) == 19
    assert len(connection.stats()['phases']) == 1


def test_findings_and_heartbeats_count_every_writer(connection):
    def note(i):
        for _ in range(5):
            connection.record_finding('missing-exchange', 'warning', 'x')
            connection.heartbeat('nova', fakes.T0, received=2)
    _run(THREADS, note)
    (finding,) = connection.findings()
    assert finding['count'] == THREADS * 5
    (beat,) = connection.heartbeats()
    assert beat['received'] == THREADS * 5 * 2
