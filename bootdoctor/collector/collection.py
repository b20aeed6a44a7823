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

"""The collector worker's settings of Python's cyclic garbage collector.

Memory is freed by reference counting as soon as an object is no longer
used; the cyclic collector only finds groups of objects that refer to
each other. It runs whenever allocations outnumber deallocations by a
threshold (700 by default) and then examines every young object, and
every tenth or hundredth time the older ones too. A worker allocates tens
of objects per notification (decoded JSON, statement parameters, record
dicts) while it holds hundreds of thousands for good (its modules, the
prefetched messages, the decoded observations it keeps), so with the
default threshold a fifth of its processing was spent in those
examinations, finding almost nothing.

A worker therefore, once started, moves what it holds then out of the
collector's sight (``gc.freeze()``: it is still freed when unused) and
raises the first threshold to ``[collector] gc_threshold``. Cyclic garbage
then waits that many more allocations to be freed; over a million
notifications the worker's memory stayed flat (doc/source/admin/
performance.rst, Memory).
"""

import gc
import time

# The interpreter's own thresholds, for gc_threshold = 0.
DEFAULT_THRESHOLDS = gc.get_threshold()


class Timing:
    """The CPU time the cyclic collector takes, from ``gc.callbacks``.

    A collection holds the interpreter lock and runs in the thread whose
    allocation triggered it, so its thread CPU time from start to stop is
    its own; collections never overlap.
    """

    def __init__(self, clock=time.thread_time):
        self._clock = clock
        self._started = None
        self.seconds = 0.0

    def __call__(self, phase, info):
        if phase == 'start':
            self._started = self._clock()
        elif self._started is not None:
            self.seconds += self._clock() - self._started
            self._started = None


# One per process: gc.callbacks are the interpreter's.
TIMING = Timing()


def timed():
    """Count the collector's CPU time in :data:`TIMING` from now on."""
    if TIMING not in gc.callbacks:
        gc.callbacks.append(TIMING)


def collecting():
    """The collector's CPU seconds counted so far, or None if they are
    not counted (a collector run in-process that did not settle).
    """
    return TIMING.seconds if TIMING in gc.callbacks else None


def apply(threshold):
    """Set the first threshold; 0 restores the interpreter's own."""
    first = threshold or DEFAULT_THRESHOLDS[0]
    _, second, third = gc.get_threshold()
    gc.set_threshold(first, second, third)


def settle(threshold):
    """At a worker's start: freeze what it holds, :func:`apply`, and
    time the collections from then on.
    """
    gc.collect()
    gc.freeze()
    apply(threshold)
    timed()


def describe():
    """One line for the Guru Meditation report."""
    stats = gc.get_stats()
    return ('Garbage collector: thresholds %s, %d objects still frozen '
            'from the start, collections per generation %s (%s objects '
            'collected), %s' % (
                '/'.join(str(t) for t in gc.get_threshold()),
                gc.get_freeze_count(),
                '/'.join(str(s['collections']) for s in stats),
                '/'.join(str(s['collected']) for s in stats),
                'not timed' if collecting() is None else
                '%.1f s of CPU since the worker settled' % collecting()))
