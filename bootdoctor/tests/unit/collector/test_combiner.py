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


"""The Combiner: concurrent batches handled one group at a time."""

import threading
import time

import pytest

from bootdoctor.collector import combiner as combiner_mod


class Gate:
    """A handler that holds its first group until released."""

    def __init__(self, fail_on=None):
        self.groups = []
        self.started = threading.Event()
        self.release = threading.Event()
        self.active = 0
        self.most_active = 0
        self.lock = threading.Lock()
        self.fail_on = fail_on

    def __call__(self, batches):
        with self.lock:
            self.active += 1
            self.most_active = max(self.most_active, self.active)
        try:
            self.groups.append([list(b) for b in batches])
            if len(self.groups) == 1:
                self.started.set()
                assert self.release.wait(10)
            if self.fail_on is not None and self.fail_on in [
                    m for b in batches for m in b]:
                raise RuntimeError('cannot store %s' % self.fail_on)
            return 'handled %d' % sum(len(b) for b in batches)
        finally:
            with self.lock:
                self.active -= 1


def _submit_all(combiner, gate, first, others):
    """Submit ``first``, then ``others`` while it is being handled."""
    results = {}

    def run(batch):
        try:
            results[batch[0]] = combiner.submit(batch)
        except RuntimeError as exc:
            results[batch[0]] = exc

    threads = [threading.Thread(target=run, args=(first,))]
    threads[0].start()
    assert gate.started.wait(10)
    for batch in others:
        thread = threading.Thread(target=run, args=(batch,))
        thread.start()
        threads.append(thread)
    # Wait until every later batch is queued behind the first.
    for _ in range(1000):
        if len(combiner._waiting) == len(others):
            break
        threading.Event().wait(0.005)
    assert len(combiner._waiting) == len(others)
    gate.release.set()
    for thread in threads:
        thread.join(10)
    return results


def test_a_lone_batch_is_handled_at_once():
    gate = Gate()
    gate.release.set()
    combiner = combiner_mod.Combiner(gate, 10)
    assert combiner.submit(['a', 'b']) == 'handled 2'
    assert gate.groups == [[['a', 'b']]]
    assert combiner.groups == 1


def test_batches_that_waited_are_handled_together_up_to_the_limit():
    gate = Gate()
    combiner = combiner_mod.Combiner(gate, 5)
    results = _submit_all(combiner, gate, ['a'], [
        ['b1', 'b2'], ['c1', 'c2', 'c3'], ['d1', 'd2']])
    # In arrival order; b and c fill the limit of 5, d goes next.
    assert gate.groups == [[['a']], [['b1', 'b2'], ['c1', 'c2', 'c3']],
                           [['d1', 'd2']]]
    assert results == {'a': 'handled 1', 'b1': 'handled 5',
                       'c1': 'handled 5', 'd1': 'handled 2'}
    # Never two groups at once.
    assert gate.most_active == 1


def test_a_batch_larger_than_the_limit_goes_alone():
    gate = Gate()
    combiner = combiner_mod.Combiner(gate, 2)
    _submit_all(combiner, gate, ['a'], [['b1', 'b2', 'b3'], ['c']])
    assert gate.groups == [[['a']], [['b1', 'b2', 'b3']], [['c']]]


def test_a_failing_group_raises_in_each_of_its_batches_only():
    gate = Gate(fail_on='c1')
    combiner = combiner_mod.Combiner(gate, 3)
    results = _submit_all(combiner, gate, ['a'], [['b'], ['c1', 'c2'],
                                                  ['d']])
    assert results['a'] == 'handled 1'
    assert isinstance(results['b'], RuntimeError)
    assert isinstance(results['c1'], RuntimeError)
    assert results['d'] == 'handled 1'
    with pytest.raises(RuntimeError):
        gate.release.set()
        combiner.submit(['c1'])


def _loaded_turn(combiner, gate):
    """'a' handled while 'b' waits; returns b's thread once b's group is
    waiting for more (the load was not kept up with).
    """
    second, results, run = _second_waits(combiner, gate)
    assert results == {'a': 'handled 1'}
    return second, results, run


def _second_waits(combiner, gate):
    """'a' handled while 'b' waits; returns once 'a' is done."""
    results = {}

    def run(batch):
        results[batch[0]] = combiner.submit(batch)

    first = threading.Thread(target=run, args=(['a'],))
    first.start()
    assert gate.started.wait(10)
    second = threading.Thread(target=run, args=(['b'],))
    second.start()
    for _ in range(1000):
        if len(combiner._waiting) == 1:
            break
        threading.Event().wait(0.005)
    gate.release.set()
    first.join(10)
    return second, results, run


def test_under_load_a_group_waits_for_more_batches():
    gate = Gate()
    combiner = combiner_mod.Combiner(gate, 4, hold=lambda: 30)
    second, results, run = _loaded_turn(combiner, gate)
    # b's group waits (it would go alone at once without a hold) ...
    threading.Event().wait(0.2)
    assert second.is_alive() and len(gate.groups) == 1
    # ... until the waiting batches reach the limit.
    third = threading.Thread(target=run, args=(['c1', 'c2', 'c3'],))
    third.start()
    second.join(10)
    third.join(10)
    assert gate.groups == [[['a']], [['b'], ['c1', 'c2', 'c3']]]
    assert results == {'a': 'handled 1', 'b': 'handled 4',
                       'c1': 'handled 4'}
    assert combiner.held == 1


def test_a_group_waits_no_longer_than_the_hold():
    gate = Gate()
    combiner = combiner_mod.Combiner(gate, 10, hold=lambda: 0.3)
    second, results, _ = _loaded_turn(combiner, gate)
    released = time.monotonic()
    second.join(10)
    assert not second.is_alive()
    # Alone after the hold: never more batches came.
    assert 0.25 <= time.monotonic() - released < 5
    assert gate.groups == [[['a']], [['b']]]
    assert results['b'] == 'handled 1' and combiner.held == 1


def test_a_load_kept_up_with_never_waits():
    gate = Gate()
    # 'b' waits while 'a' is handled, but it is no backlog batch: its
    # group goes at once, not after the 30 s hold.
    combiner = combiner_mod.Combiner(gate, 10, hold=lambda: 30,
                                     backlog=lambda batch: False)
    second, results, _ = _second_waits(combiner, gate)
    second.join(5)
    assert not second.is_alive()
    assert gate.groups == [[['a']], [['b']]]
    assert results == {'a': 'handled 1', 'b': 'handled 1'}
    assert combiner.held == 0


def test_a_light_load_never_waits():
    gate = Gate()
    gate.release.set()
    combiner = combiner_mod.Combiner(gate, 10, hold=lambda: 30)
    done = threading.Event()

    def lone_batches():
        for name in 'abc':
            combiner.submit([name])
        done.set()

    threading.Thread(target=lone_batches).start()
    # Each batch found nothing waiting: none waited the 30 s hold.
    assert done.wait(5)
    assert gate.groups == [[['a']], [['b']], [['c']]]
    assert combiner.held == 0
