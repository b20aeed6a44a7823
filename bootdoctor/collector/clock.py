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

"""The time a collector judges stuck boots by.

A boot is stuck when nothing moved it for its phase's deadline. While the
collector keeps up with the stream that is measured against the wall
clock. While it works through a backlog (after an outage of its own, of
its database, or a burst), a boot's next messages may still wait in the
queue: measured against the wall clock it would look stuck, and Aodh
would be told so, for every boot of the backlog. So while the last batch
showed a backlog (it was full, or its messages had waited in the broker:
:meth:`bootdoctor.collector.processor.BatchProcessor.backlog`), the clock
is the newest notification time read so far, never ahead of the wall
clock: a boot is stuck only if the stream moved on past its deadline
without it. A busy worker's batches are seldom full (its listener,
short of the interpreter, has them ended by ``batch_timeout``), so a
backlog judged by full batches alone was missed while it drained.

The last batch of a backlog shows one too, and nothing may follow it for
a long while: ``LAPSE`` seconds with no batch arriving or being handled
mean the broker had nothing more, and the clock is the wall clock again.

Nor is the clock ever ahead of the moment the oldest batch still being
handled was received: that batch may hold a boot's next message, and a
slow batch (a loaded machine, a slow database) would otherwise let the
wall clock run past a deadline the boot in fact met.
"""

import itertools
import threading
import time

from oslo_utils import timeutils

# Seconds with no batch arriving or being handled after which a collector
# behind the stream has caught up: one behind receives a batch at least
# every batch_timeout (or holds as many as it may, being handled).
LAPSE = 5.0


class StreamClock:
    """:param wall: callable returning the wall-clock time (aware UTC).
    :param monotonic: the clock ``LAPSE`` is measured on.

    Whether a batch showed a backlog is the batch processor's judgement
    (:meth:`bootdoctor.collector.processor.BatchProcessor.backlog`), the
    same one that decides whether a group waits for more batches.
    """

    def __init__(self, wall=None, monotonic=time.monotonic):
        self.wall = wall or (lambda: timeutils.utcnow(with_timezone=True))
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._behind = False
        # When a batch last arrived or was handled (monotonic), None
        # before any.
        self._active = None
        self._newest = None
        # {token: wall time it was received} of batches being handled.
        self._handling = {}
        self._tokens = itertools.count()

    def begin(self):
        """A batch was received; returns the token :meth:`end` takes."""
        token = next(self._tokens)
        received = self.wall()
        with self._lock:
            self._handling[token] = received
            self._active = self._monotonic()
        return token

    def end(self, token):
        """The batch of ``token`` is handled (stored or handed back)."""
        with self._lock:
            self._handling.pop(token, None)
            self._active = self._monotonic()

    def observe(self, backlog, timestamps):
        """After reading a batch with these times; ``backlog``: whether
        the batch showed one (see above).
        """
        newest = max(timestamps, default=None)
        with self._lock:
            self._behind = bool(backlog)
            if newest is not None and (self._newest is None or
                                       newest > self._newest):
                self._newest = newest

    @property
    def behind(self):
        with self._lock:
            return self._is_behind()

    def _is_behind(self):
        if not self._behind:
            return False
        return (bool(self._handling) or self._active is None or
                self._monotonic() - self._active < LAPSE)

    def now(self):
        """The wall clock, or while behind the stream's newest time; in
        either case not after the oldest batch being handled arrived.
        """
        now = self.wall()
        with self._lock:
            if self._newest is not None and self._is_behind():
                now = min(now, self._newest)
            if self._handling:
                now = min(now, min(self._handling.values()))
        return now
