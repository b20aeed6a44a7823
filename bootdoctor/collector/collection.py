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

# The interpreter's own thresholds, for gc_threshold = 0.
DEFAULT_THRESHOLDS = gc.get_threshold()


def apply(threshold):
    """Set the first threshold; 0 restores the interpreter's own."""
    first = threshold or DEFAULT_THRESHOLDS[0]
    _, second, third = gc.get_threshold()
    gc.set_threshold(first, second, third)


def settle(threshold):
    """At a worker's start: freeze what it holds, then :func:`apply`."""
    gc.collect()
    gc.freeze()
    apply(threshold)


def describe():
    """One line for the Guru Meditation report."""
    stats = gc.get_stats()
    return ('Garbage collector: thresholds %s, %d objects still frozen '
            'from the start, collections per generation %s (%s objects '
            'collected)' % (
                '/'.join(str(t) for t in gc.get_threshold()),
                gc.get_freeze_count(),
                '/'.join(str(s['collections']) for s in stats),
                '/'.join(str(s['collected']) for s in stats)))
