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

"""One batch of notifications: parse, store, rebuild, then acknowledge.

The delivery rules:

- A batch is acknowledged (HANDLED) only after its observations and the
  records they change are committed.
- A transient database fault (DBUnavailable, or no schema yet) hands the
  batch back to the broker (REQUEUE) after a back-off shared by every
  batch of the process, so an outage loses nothing and the broker does not
  spin.
- A message that can never be parsed is acknowledged, counted, logged with
  its message_id and stored as a rejection; it is never requeued.
- A duplicate (same message_id) adds nothing; its boot is rebuilt to the
  same record. Every boot a batch names is rebuilt, new observations or
  not, so a batch requeued after its observations were stored still
  updates the records.
- Any other failure of a batch is retried message by message, and a
  message failing alone is stored as a rejection with the error.
- The batches of a process are handled one group at a time
  (:mod:`bootdoctor.collector.combiner`): those that arrive while one is
  handled are then handled together, up to ``merge_limit`` messages, and
  the rules above hold for the group. Each batch is parsed before it
  joins a group, in its own thread: parsing needs no storage, and a batch
  parses while the group before it waits for the database.
"""

import threading
import time

from oslo_log import log
import oslo_messaging
from oslo_utils import timeutils

from bootdoctor.collector import backlog as backlog_mod
from bootdoctor.collector import combiner as combiner_mod
from bootdoctor.collector import counters as counters_mod
from bootdoctor.db import exceptions as db_exc
from bootdoctor import notification
from bootdoctor import pipeline

LOG = log.getLogger(__name__)
HANDLED = oslo_messaging.NotificationResult.HANDLED
REQUEUE = oslo_messaging.NotificationResult.REQUEUE


class Retry(Exception):
    """The batch must go back to the broker."""


class Backoff:
    """One back-off for every batch of a process.

    After a transient fault nobody touches the database until the wait is
    over; the wait doubles at each consecutive fault up to a maximum.
    ``stopping`` (an Event) cuts the waits short when the service stops.
    """

    def __init__(self, initial, maximum, stopping=None, clock=time.monotonic):
        # Callables, so that a configuration reload takes effect.
        self.initial = initial if callable(initial) else (lambda: initial)
        self.maximum = maximum if callable(maximum) else (lambda: maximum)
        self.stopping = stopping or threading.Event()
        self._clock = clock
        self._lock = threading.Lock()
        self._delay = 0.0
        self._until = 0.0

    @property
    def delay(self):
        return self._delay

    def failed(self):
        with self._lock:
            self._delay = min(self.maximum(),
                              self._delay * 2 if self._delay else
                              self.initial())
            self._until = self._clock() + self._delay
            return self._delay

    def succeeded(self):
        with self._lock:
            self._delay = 0.0
            self._until = 0.0

    def wait(self):
        """Sleep until the back-off is over; False if stopping meanwhile."""
        while True:
            with self._lock:
                remaining = self._until - self._clock()
            if remaining <= 0:
                return not self.stopping.is_set()
            if self.stopping.wait(remaining):
                return False


class BatchProcessor:
    """Handles the batches the notification endpoints receive.

    :param connection: the storage (bootdoctor.db.api.Connection).
    :param deadlines: callable returning the per-phase deadlines now
        (they are mutable options).
    :param emitter: sends bootdoctor.boot.* notifications, or None.
    :param checks: deployment checks, or None.
    """

    def __init__(self, connection, counters, backoff, deadlines,
                 emitter=None, checks=None, clock=None, stream_clock=None,
                 merge_limit=500, hold=None, batch_size=None):
        self.connection = connection
        self.counters = counters
        self.backoff = backoff
        self.deadlines = deadlines
        self.emitter = emitter
        self.checks = checks
        self.clock = clock or (lambda: timeutils.utcnow(with_timezone=True))
        # What stuck boots are judged by (bootdoctor.collector.clock);
        # the wall clock when there is none.
        self.stream_clock = stream_clock
        self._heartbeats = {}
        self._heartbeat_lock = threading.Lock()
        # At most merge_limit messages are handled as one group; a group
        # waits (hold) only after a batch that shows a backlog.
        self.batch_size = batch_size
        self.combiner = combiner_mod.Combiner(
            self._process, merge_limit, size=lambda batch: len(batch[0]),
            hold=hold, backlog=self.backlog)

    def process(self, messages, priority):
        """Handle a batch of listener messages of one priority."""
        return self.process_batch([(priority, messages)])

    def process_batch(self, slices, received=None):
        """Handle a batch of listener messages: ``[(priority, messages)]``.

        The messages of every priority go into one group, so that a batch
        holding error and info messages waits for one turn, not one per
        priority (:mod:`bootdoctor.notification.dispatcher`).
        ``received``: how many messages the listener's batch held, those
        filtered out included (default: those given); a batch of
        ``batch_size`` shows a backlog in the broker.
        """
        self.counters.count_batch()
        token = (self.stream_clock.begin() if self.stream_clock is not None
                 else None)
        try:
            # Parsed here, in the batch's own thread, before it waits for
            # its turn: the interpreter is free while the group before it
            # waits for the database.
            arrived = self.clock()
            started = time.thread_time()
            messages, parsed, rejected = [], [], []
            for priority, part in slices:
                good, bad = self._parse(part, priority)
                messages += part
                parsed += good
                rejected += bad
            self.counters.add_cpu('parsing', time.thread_time() - started)
            if received is None:
                received = len(messages)
            return self.combiner.submit(
                (messages, (parsed, rejected), received,
                 backlog_mod.lag(messages, arrived)))
        finally:
            if token is not None:
                self.stream_clock.end(token)

    def _process(self, batches):
        """Handle ``[(messages, (parsed, rejected), received, lag), ...]``
        as one batch (``lag``: :func:`bootdoctor.collector.backlog.lag`).
        """
        started = time.thread_time()
        try:
            return self._handle(batches)
        finally:
            self.counters.add_cpu('handling', time.thread_time() - started)

    def _handle(self, batches):
        messages = [m for batch in batches for m in batch[0]]
        keys = [_key(m) for m in messages]
        for exchange, event_type in keys:
            self.counters.add('received', exchange, event_type)
        if not self.backoff.wait():
            return self._requeue(keys)
        parsed, rejected = [], []
        for _batch, (good, bad), _received, _lag in batches:
            parsed += good
            rejected += bad
        if self.stream_clock is not None:
            # Whether the listener is behind: its newest batch showed a
            # backlog (a group merging partial batches is not one).
            self.stream_clock.observe(self.backlog(batches[-1]), [
                o.timestamp for _, p in parsed for o in p.observations])
        try:
            try:
                self._store(parsed, rejected)
            except Retry:
                raise
            except Exception:  # noqa: anything else: isolate the culprit
                LOG.exception('A batch of %d notifications failed; handling '
                              'them one by one', len(messages))
                for item in parsed:
                    self._store_alone(item)
                self._store([], rejected)
        except Retry:
            return self._requeue(keys)
        except Exception:  # noqa: not even a rejection could be stored
            LOG.exception('A batch of %d notifications could not be handled '
                          'at all; it goes back to the broker', len(messages))
            self.backoff.failed()
            return self._requeue(keys)
        self.backoff.succeeded()
        return HANDLED

    def backlog(self, batch):
        """Whether a combiner item shows a backlog
        (:mod:`bootdoctor.collector.backlog`).
        """
        return backlog_mod.shows(batch[2], batch[3], self.batch_size)

    def judged_at(self):
        """The time stuck boots are judged by now."""
        if self.stream_clock is not None:
            return self.stream_clock.now()
        return self.clock()

    def _requeue(self, keys):
        for exchange, event_type in keys:
            self.counters.add('requeued', exchange, event_type)
        return REQUEUE

    def _parse(self, messages, priority):
        parsed, rejected = [], []
        # A message dated too far after its arrival (a skewed clock) is
        # refused by parsing.
        received_at = self.clock()
        for message in messages:
            try:
                result = notification.parse_listener(
                    message.get('ctxt'), message.get('publisher_id'),
                    message.get('event_type'), message.get('payload'),
                    message.get('metadata'), priority,
                    received_at=received_at)
            except notification.ParseError as exc:
                rejected.append((message, exc.reason,
                                 exc.message_id or _message_id(message)))
                continue
            except Exception as exc:  # noqa: a parser bug is a rejection
                LOG.exception('Parsing notification %s failed',
                              _message_id(message))
                rejected.append((message, 'internal error while parsing: '
                                 '%s' % exc, _message_id(message)))
                continue
            parsed.append((message, result))
        return parsed, rejected

    def _store(self, parsed, rejected):
        """Store, rebuild, emit; raise Retry on a transient fault."""
        try:
            new = self.connection.add_observations([p for _, p in parsed])
            new_keys = {o.key for o in new}
            uuids = pipeline.affected(
                self.connection,
                [o for _, p in parsed for o in p.observations])
            records = pipeline.rebuild(self.connection, uuids,
                                       now=self.judged_at(),
                                       deadlines=self.deadlines())
            if self.emitter is not None:
                self.emitter.emit_for(records)
            for message, reason, message_id in rejected:
                self._reject(message, reason, message_id)
        except (db_exc.DBUnavailable, db_exc.NotInitialised) as exc:
            self.counters.count_db_error()
            delay = self.backoff.failed()
            LOG.warning('Database unavailable (%(error)s): %(n)d '
                        'notifications go back to the broker; next try in '
                        '%(delay).1f s', {'error': exc,
                                          'n': len(parsed) + len(rejected),
                                          'delay': delay})
            raise Retry() from exc
        published = []
        for message, result in parsed:
            exchange, event_type = _key(message)
            fresh = any(o.key in new_keys for o in result.observations)
            self.counters.add('processed' if fresh else 'duplicates',
                              exchange, event_type)
            if fresh:
                stamp = backlog_mod.published(message)
                if stamp is not None:
                    published.append(stamp)
        # Publish (the notification's timestamp) to committed record.
        self.counters.add_delays(published,
                                 timeutils.utcnow(with_timezone=True))
        if self.checks is not None:
            try:
                self.checks.observe(new)
            except db_exc.StorageError as exc:
                LOG.warning('Could not store a deployment finding: %s', exc)
        self._heartbeat(parsed)
        rejected.clear()

    def _store_alone(self, item):
        message, result = item
        try:
            self._store([item], [])
        except Retry:
            raise
        except Exception as exc:  # noqa: this message is the culprit
            LOG.exception('Notification %s cannot be stored',
                          _message_id(message))
            try:
                self._reject(message, 'cannot be stored: %s' % exc,
                             _message_id(message))
            except db_exc.DBUnavailable as down:
                self.counters.count_db_error()
                self.backoff.failed()
                raise Retry() from down

    def _reject(self, message, reason, message_id):
        exchange, event_type = _key(message)
        self.counters.add('rejected', exchange, event_type)
        LOG.warning('Rejected notification %(id)s (%(type)s from '
                    '%(publisher)s): %(reason)s',
                    {'id': message_id, 'type': event_type,
                     'publisher': message.get('publisher_id'),
                     'reason': reason})
        try:
            self.connection.add_rejection(reason, message,
                                          message_id=message_id,
                                          source=exchange)
        except db_exc.DBUnavailable:
            raise
        except db_exc.StorageError as exc:
            LOG.error('Rejection of %(id)s not stored: %(error)s',
                      {'id': message_id, 'error': exc})

    def _heartbeat(self, parsed):
        """Note what arrived per exchange; flush_heartbeats stores it."""
        with self._heartbeat_lock:
            for message, result in parsed:
                exchange, _ = _key(message)
                stamps = [o.timestamp for o in result.observations]
                if not stamps:
                    continue
                count, newest = self._heartbeats.get(exchange, (0, None))
                newest = max(stamps + ([newest] if newest else []))
                self._heartbeats[exchange] = (count + 1, newest)

    def flush_heartbeats(self):
        """Store the per-exchange counts and newest times noted so far."""
        with self._heartbeat_lock:
            pending, self._heartbeats = self._heartbeats, {}
        for exchange, (count, newest) in sorted(pending.items()):
            try:
                self.connection.heartbeat(exchange, newest, count)
            except db_exc.StorageError as exc:
                LOG.debug('Heartbeat of %s not stored: %s', exchange, exc)
                with self._heartbeat_lock:
                    old, when = self._heartbeats.get(exchange, (0, newest))
                    self._heartbeats[exchange] = (old + count,
                                                  max(when, newest))


def _key(message):
    return (counters_mod.exchange_of(message.get('publisher_id'),
                                     message.get('event_type')),
            str(message.get('event_type')))


def _message_id(message):
    metadata = message.get('metadata')
    if isinstance(metadata, dict):
        return metadata.get('message_id')
    return None
