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

"""A worker's garbage collector settings (bootdoctor.collector.collection).

These change the test process's own collector: the fixture puts its
thresholds back and unfreezes what a test froze.
"""

import gc

import pytest

from bootdoctor.collector import collection


@pytest.fixture(autouse=True)
def restored():
    before = gc.get_threshold()
    timed = collection.TIMING in gc.callbacks
    yield
    gc.unfreeze()
    gc.set_threshold(*before)
    if not timed and collection.TIMING in gc.callbacks:
        gc.callbacks.remove(collection.TIMING)


def test_apply_sets_the_first_threshold_and_keeps_the_others():
    gc.set_threshold(700, 7, 9)
    collection.apply(12345)
    assert gc.get_threshold() == (12345, 7, 9)


def test_zero_restores_the_interpreters_threshold():
    gc.set_threshold(50, 7, 9)
    collection.apply(0)
    assert gc.get_threshold() == (
        collection.DEFAULT_THRESHOLDS[0], 7, 9)


def test_settle_freezes_what_the_process_holds():
    assert gc.get_freeze_count() == 0
    held = [[i] for i in range(1000)]
    collection.settle(20000)
    assert gc.get_threshold()[0] == 20000
    assert gc.get_freeze_count() >= len(held)
    # Frozen objects are out of the collector's sight, not kept: one
    # freed by reference counting is gone from the count.
    frozen = gc.get_freeze_count()
    del held
    assert gc.get_freeze_count() <= frozen - 1000


def test_timing_adds_the_cpu_from_start_to_stop_of_each_collection():
    ticks = iter([1.0, 1.25, 2.0, 2.5])
    timing = collection.Timing(clock=lambda: next(ticks))
    timing('start', {'generation': 0})
    timing('stop', {'generation': 0})
    # A stop without its start (timing began mid-collection) adds nothing.
    timing('stop', {'generation': 1})
    assert timing.seconds == 0.25
    timing('start', {'generation': 2})
    timing('stop', {'generation': 2})
    assert timing.seconds == 0.75


def test_a_settled_worker_times_its_collections_once():
    collection.settle(20000)
    collection.timed()
    assert gc.callbacks.count(collection.TIMING) == 1
    before = collection.TIMING.seconds
    for _ in range(20000):
        cycle = []
        cycle.append(cycle)
    del cycle
    gc.collect()
    assert collection.TIMING.seconds > before
    assert ('%.1f s of CPU since the worker settled'
            % collection.TIMING.seconds) in collection.describe()


def test_describe_shows_thresholds_frozen_objects_and_collections():
    if collection.TIMING in gc.callbacks:
        gc.callbacks.remove(collection.TIMING)
    assert collection.collecting() is None
    assert collection.describe().endswith(' collected), not timed')
    gc.set_threshold(4321, 10, 10)
    gc.collect()
    text = collection.describe()
    assert text.startswith('Garbage collector: thresholds 4321/10/10, ')
    assert ('%d objects still frozen from the start'
            % gc.get_freeze_count()) in text
    collections = '/'.join(str(s['collections']) for s in gc.get_stats())
    assert 'collections per generation %s' % collections in text
