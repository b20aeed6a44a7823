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


"""Concurrent batches of one process, handled one group at a time.

oslo.messaging hands each batch to an executor thread of its own. Handled
side by side, the batches of one worker only wait for each other: for the
interpreter, and for the storage locks of the boots they share, each then
rebuilding the same boots from all their observations. A
:class:`Combiner` lets one thread at a time handle batches, and the
batches that arrived meanwhile are handled together, as one, by the next
thread to go (a group commit). Under a light load a batch goes at once and
alone; under a heavy one the groups grow, up to a limit. This is what lets
a short ``batch_timeout`` keep records fresh without costing throughput.

Under a heavy load a group also waits a little for more batches before it
goes (``hold``): the processing of a group holds the interpreter, so the
listener receives slowly while it runs and, left alone, the groups stay
small; each boot in flight is then rebuilt once per small group. A group
waits only when a batch waiting as the previous group ended was a backlog
batch (``backlog``: for the collector, one the listener filled before its
``batch_timeout``, so the broker held more, or one whose first message
had waited in the broker: see
:meth:`bootdoctor.collector.processor.BatchProcessor.backlog`), and at
most ``hold`` seconds, or until the waiting batches reach the limit. A
light load, where each batch finds nothing waiting, never waits; nor does
a steady load the worker keeps up with, whose batches the timeout ends
fresh: there the wait would only add to every message's delay.
"""

import collections
import threading
import time


class _Waiting:
    __slots__ = ('batch', 'done', 'result', 'error')

    def __init__(self, batch):
        self.batch = batch
        self.done = False
        self.result = None
        self.error = None


class Combiner:
    """Handles submitted batches in groups, one group at a time.

    :param handle: ``callable([batch, ...]) -> result``; every batch of
        the group gets that result (or the exception it raised).
    :param limit: the most items in a group; a batch larger than that
        goes alone.
    :param size: ``callable(batch) -> int``, the items in a batch.
    :param hold: ``callable() -> seconds``, the longest a group waits for
        more batches under a heavy load; 0 (the default) never waits.
    :param backlog: ``callable(batch) -> bool``, whether a batch shows a
        load the worker did not keep up with; by default every batch
        still waiting when a group ends does.
    """

    def __init__(self, handle, limit, size=len, hold=None, backlog=None,
                 clock=time.monotonic):
        self._handle = handle
        self._limit = limit
        self._size = size
        self._hold = hold or (lambda: 0)
        self._backlog = backlog or (lambda batch: True)
        self._clock = clock
        self._turn = threading.Lock()
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._waiting = collections.deque()
        self._loaded = False
        self.groups = 0
        self.held = 0

    def submit(self, batch):
        """Handle ``batch``, maybe with others; return the group's result."""
        mine = _Waiting(batch)
        with self._lock:
            self._waiting.append(mine)
            self._arrived.notify_all()
        while True:
            with self._turn:
                if not mine.done:
                    self._gather()
                    self._run(self._take())
            # Batches wait in arrival order, so ours was in that group, or
            # in an earlier one, or the limit left it for the next turn.
            if mine.done:
                if mine.error is not None:
                    raise mine.error
                return mine.result

    def _gather(self):
        """Under a heavy load, wait for the group to fill (see above)."""
        with self._lock:
            if not self._loaded:
                return
            deadline = self._clock() + self._hold()
            waited = False
            while sum(self._size(w.batch) for w in self._waiting) < (
                    self._limit):
                left = deadline - self._clock()
                if left <= 0:
                    break
                waited = True
                self._arrived.wait(left)
            self.held += waited

    def _take(self):
        limit = self._limit
        with self._lock:
            group = [self._waiting.popleft()]
            total = self._size(group[0].batch)
            while self._waiting and (
                    total + self._size(self._waiting[0].batch) <= limit):
                item = self._waiting.popleft()
                total += self._size(item.batch)
                group.append(item)
        return group

    def _run(self, group):
        self.groups += 1
        try:
            result, error = self._handle([w.batch for w in group]), None
        except Exception as exc:  # noqa: every waiter of the group raises
            result, error = None, exc
        for waiting in group:
            waiting.result, waiting.error = result, error
            waiting.done = True
        with self._lock:
            # Backlog batches came while this group was handled: the next
            # one may wait for more.
            self._loaded = any(self._backlog(w.batch)
                               for w in self._waiting)
