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

"""What one collector process has seen, for Guru Meditation and tests.

Counts are kept per exchange and event type. oslo.messaging does not tell
an endpoint which exchange a message came from, so a message is counted
under the exchange of the service that published it (``nova`` for
``compute.*`` and ``instance.*``, ``neutron`` for ``port.*``...), which is
the exchange it arrives on in a default deployment.
"""

import collections
import datetime
import threading
import time

from oslo_utils import timeutils

FIELDS = ('received', 'processed', 'duplicates', 'rejected', 'requeued')
# The work whose CPU time a worker counts, in its own threads: parsing
# batches, handling groups (storing, rebuilding, emitting) and the
# periodic tasks (stuck search, heartbeats, statistics). The rest of the
# process's CPU is receiving and acknowledging, and the start-up.
CPU_PARTS = ('parsing', 'handling', 'periodic')
# How many recent publish-to-record delays are kept for the percentiles.
DELAY_SAMPLES = 10000

# publisher_id prefix (before "." or ":") -> the service's exchange.
_PUBLISHERS = {
    'compute': 'nova', 'scheduler': 'nova', 'conductor': 'nova',
    'compute_task': 'nova', 'api': 'nova', 'network': 'neutron',
    'volume': 'cinder', 'image': 'glance', 'identity': 'keystone',
}


def per_notification(cpu, count):
    """``cpu`` (:meth:`Counters.cpu`) in microseconds per notification,
    or None before any.
    """
    if not count:
        return None
    return {part: seconds / count * 1e6 for part, seconds in cpu.items()}


def describe_cpu(cpu, count, collecting=None):
    """One line of the CPU per notification received, by part; with
    ``collecting`` (seconds), the garbage collector's share of them all.
    """
    each = per_notification(cpu, count)
    if each is None:
        return 'CPU per notification: none received yet'
    return ('CPU per notification received: parsing %.0f us, handling '
            'groups %.0f us, periodic tasks %.0f us, the rest %.0f us '
            '(receiving, acknowledging, start-up)%s' % (
                each['parsing'], each['handling'], each['periodic'],
                each['rest'], '' if collecting is None else
                '; garbage collection %.0f us of these' % (
                    collecting / count * 1e6)))


def exchange_of(publisher_id, event_type=None):
    """The exchange the service that sent a message publishes to."""
    prefix = str(publisher_id or '').replace(':', '.').split('.', 1)[0]
    if prefix.startswith('nova-'):
        return 'nova'
    if prefix in _PUBLISHERS:
        return _PUBLISHERS[prefix]
    head = str(event_type or '').split('.', 1)[0]
    for exchange, heads in (('nova', ('compute', 'instance', 'scheduler',
                                      'compute_task')),
                            ('neutron', ('port',)), ('cinder', ('volume',)),
                            ('glance', ('image',)),
                            ('keystone', ('identity',))):
        if head in heads:
            return exchange
    return 'unknown'


class Counters:
    """Thread-safe counters; the listener runs batches concurrently."""

    def __init__(self):
        self._lock = threading.Lock()
        self._counts = collections.defaultdict(
            lambda: dict.fromkeys(FIELDS, 0))
        self._last = {}
        self.started_at = timeutils.utcnow(with_timezone=True)
        self.batches = 0
        self.emitted = collections.Counter()
        self.stuck_checks = 0
        self.last_stuck_check = None
        self.db_errors = 0
        self._delays = collections.deque(maxlen=DELAY_SAMPLES)
        self._cpu = dict.fromkeys(CPU_PARTS, 0.0)

    def add(self, field, exchange, event_type, n=1):
        with self._lock:
            self._counts[(exchange, event_type)][field] += n
            if field == 'received':
                self._last[exchange] = timeutils.utcnow(with_timezone=True)

    def add_delays(self, published, committed):
        """Note publish-to-record delays (seconds) of committed messages.

        ``published``: the messages' timestamps (aware or naive UTC).
        """
        delays = []
        for stamp in published:
            if stamp.tzinfo is None:
                stamp = stamp.replace(tzinfo=datetime.timezone.utc)
            delays.append((committed - stamp).total_seconds())
        with self._lock:
            self._delays.extend(delays)

    def delays(self):
        """{count, p50, p99, max} of the recent delays in seconds, or None."""
        with self._lock:
            values = sorted(self._delays)
        if not values:
            return None

        def at(fraction):
            return values[min(len(values) - 1, int(fraction * len(values)))]
        return {'count': len(values), 'p50': at(0.50), 'p99': at(0.99),
                'max': values[-1]}

    def add_cpu(self, part, seconds):
        """Count CPU seconds spent on one of ``CPU_PARTS``."""
        with self._lock:
            self._cpu[part] += seconds

    def cpu(self, process_seconds=None):
        """{part: CPU seconds} with ``rest``, the process's CPU
        (``process_seconds``, default now) less the parts.
        """
        if process_seconds is None:
            process_seconds = time.process_time()
        with self._lock:
            parts = dict(self._cpu)
        parts['rest'] = max(0.0, process_seconds - sum(parts.values()))
        return parts

    def count_emitted(self, event_type):
        with self._lock:
            self.emitted[event_type] += 1

    def count_batch(self):
        with self._lock:
            self.batches += 1

    def count_db_error(self):
        with self._lock:
            self.db_errors += 1

    def count_stuck_check(self, when):
        with self._lock:
            self.stuck_checks += 1
            self.last_stuck_check = when

    def totals(self):
        """Sum of every field over exchanges and event types."""
        with self._lock:
            totals = dict.fromkeys(FIELDS, 0)
            for counts in self._counts.values():
                for field in FIELDS:
                    totals[field] += counts[field]
            return totals

    def snapshot(self):
        """A copy: {(exchange, event_type): counts}, last times, totals."""
        with self._lock:
            per_type = {key: dict(value) for key, value in
                        sorted(self._counts.items())}
            last = dict(sorted(self._last.items()))
        return {'per_type': per_type, 'last_message_at': last,
                'totals': self.totals(), 'batches': self.batches,
                'emitted': dict(self.emitted),
                'stuck_checks': self.stuck_checks,
                'last_stuck_check': self.last_stuck_check,
                'db_errors': self.db_errors,
                'delays': self.delays(),
                'cpu': self.cpu(),
                'started_at': self.started_at}
