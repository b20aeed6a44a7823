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
was full (more was waiting), the clock is the newest notification time
read so far, never ahead of the wall clock: a boot is stuck only if the
stream moved on past its deadline without it.

Nor is the clock ever ahead of the moment the oldest batch still being
handled was received: that batch may hold a boot's next message, and a
slow batch (a loaded machine, a slow database) would otherwise let the
wall clock run past a deadline the boot in fact met.
"""

import itertools

import threading

from oslo_utils import timeutils


class StreamClock:
    """:param wall: callable returning the wall-clock time (aware UTC).

    Whether a batch was full is the batch processor's judgement
    (:meth:`bootdoctor.collector.processor.BatchProcessor.full`), the
    same one that decides whether a group waits for more batches.
    """

    def __init__(self, wall=None):
        self.wall = wall or (lambda: timeutils.utcnow(with_timezone=True))
        self._lock = threading.Lock()
        self._behind = False
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
        return token

    def end(self, token):
        """The batch of ``token`` is handled (stored or handed back)."""
        with self._lock:
            self._handling.pop(token, None)

    def observe(self, full, timestamps):
        """After reading a batch with these times; ``full``: whether the
        listener's batch was full (the broker held more).
        """
        newest = max(timestamps, default=None)
        with self._lock:
            self._behind = bool(full)
            if newest is not None and (self._newest is None or
                                       newest > self._newest):
                self._newest = newest

    @property
    def behind(self):
        with self._lock:
            return self._behind

    def now(self):
        """The wall clock, or while behind the stream's newest time; in
        either case not after the oldest batch being handled arrived.
        """
        now = self.wall()
        with self._lock:
            if self._behind and self._newest is not None:
                now = min(now, self._newest)
            if self._handling:
                now = min(now, min(self._handling.values()))
        return now
