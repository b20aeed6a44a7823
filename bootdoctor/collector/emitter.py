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

"""bootdoctor.boot.stuck and bootdoctor.boot.failed notifications.

Each is sent once per boot and state, also with several collectors: the
storage's ``mark_emitted_many`` lets only the first caller through. The
marks of the records handled together are taken in one transaction before
any is sent, so a crash between the two loses those notifications rather
than sending them twice (at most once).

A failure is held back while its record does not say where the boot
failed (no fault, no step): Nova's ``instance.update`` to the error state
may be handled before the conductor's or the compute's message carrying
the fault (for NoValidHost, the commonest failure, a fifth of the failed
notifications of a steady run went out as "Failed at an unknown step:
unknown error"). The rebuild the fault causes sends it, with the
diagnosis. A failure whose fault never comes is sent by the periodic
search (:mod:`bootdoctor.collector.stuck`) once its last update is
``ANNOUNCE_GRACE`` old, if it is not older than ``ANNOUNCE_WINDOW``.
"""

import collections
import datetime
import re
import socket
import threading

from oslo_context import context
from oslo_log import log
import oslo_messaging

LOG = log.getLogger(__name__)

# Record status -> (event type, priority, mark_emitted state).
EVENTS = {
    'stuck': ('bootdoctor.boot.stuck', 'warn', 'stuck'),
    'error': ('bootdoctor.boot.failed', 'error', 'error'),
}
PUBLISHER = 'bootdoctor-collector'
# How long a failure that does not say where waits for its fault, and how
# far back the periodic search looks for failures not yet announced.
ANNOUNCE_GRACE = datetime.timedelta(seconds=10)
ANNOUNCE_WINDOW = datetime.timedelta(hours=1)
# How many (boot, state) marks an Emitter remembers, so that a failed boot
# rebuilt by every later batch that names it does not ask storage again.
MARKS_REMEMBERED = 10000
_REQUEST_ID = re.compile(r'^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-'
                         r'[0-9a-f]{4}-[0-9a-f]{12}$')


def payload(record):
    """The notification payload: enough to alarm on and to look further."""
    root = record.get('root_cause') or {}
    diagnosis = record.get('diagnosis') or {}
    return {
        'instance_uuid': record['instance_uuid'],
        'request_id': record.get('request_id'),
        'project_id': record.get('project_id'),
        'user_id': record.get('user_id'),
        'status': record['status'],
        'phase': record.get('phase'),
        'step': record.get('step'),
        'host': record.get('host'),
        'attempts': len(record.get('attempts') or ()),
        'fault': record.get('fault'),
        'root_cause': {k: root.get(k) for k in (
            'exception', 'message', 'step', 'component', 'host')}
        if root else None,
        'summary': diagnosis.get('summary'),
        'created_at': record.get('created_at'),
        'updated_at': record.get('updated_at'),
    }


class Emitter:
    """Sends the notifications through an oslo.messaging Notifier.

    :param transport: a notification transport; its control_exchange is
        the exchange the notifications go to.
    :param conf: for ``[collector] emit_notifications`` and the
        ``[oslo_messaging_notifications]`` driver and topics.
    :param connection: the storage, for ``mark_emitted_many``.
    """

    def __init__(self, conf, transport, connection, counters=None,
                 host=None):
        self.conf = conf
        self.connection = connection
        self.counters = counters
        # The configured drivers, else messagingv2.
        driver = (None if conf.oslo_messaging_notifications.driver
                  else 'messagingv2')
        # (instance, state) pairs marked, by this Emitter or another
        # collector: storage would refuse them again. Least recently seen
        # first; at most MARKS_REMEMBERED.
        self._marked = collections.OrderedDict()
        self._marked_lock = threading.Lock()
        self.notifier = oslo_messaging.Notifier(
            transport, publisher_id='%s:%s' % (
                PUBLISHER, host or socket.gethostname()),
            driver=driver, serializer=_ContextSerializer())

    @property
    def enabled(self):
        """``[collector] emit_notifications`` now (it is mutable)."""
        return self.conf.collector.emit_notifications

    def emit_for(self, records, held=True):
        """Emit for every stuck or failed record not emitted before.

        ``held``: hold back failures that do not say where yet (see
        above); False sends them as they are.
        Raises the storage's DBUnavailable if the mark cannot be taken,
        so the caller retries later.
        """
        sent = []
        if not self.enabled:
            return sent
        due = []
        for record in records:
            # A built record tells its status without becoming a dict.
            event = EVENTS.get(record.get('status') if isinstance(
                record, dict) else record.status)
            if event is None:
                continue
            if not isinstance(record, dict):
                record = record.to_dict()
            if held and event[2] == 'error' and not says_where(record):
                continue
            due.append((record, event))
        first = self._first_marks(
            [(record['instance_uuid'], event[2]) for record, event in due])
        for record, (event_type, priority, state) in due:
            key = (record['instance_uuid'], state)
            if key not in first:
                continue
            # Once, also for a boot named twice.
            first.discard(key)
            ctxt = _Context({
                'request_id': context.generate_request_id(),
                'global_request_id': _global_request_id(record),
                'project_id': record.get('project_id'),
                'user_id': record.get('user_id')})
            getattr(self.notifier, priority)(ctxt, event_type,
                                             payload(record))
            LOG.info('Sent %(event)s for boot %(uuid)s (%(summary)s)',
                     {'event': event_type, 'uuid': record['instance_uuid'],
                      'summary': (record.get('diagnosis') or {}).get(
                          'summary')})
            if self.counters is not None:
                self.counters.count_emitted(event_type)
            sent.append((event_type, record['instance_uuid']))
        return sent

    def _first_marks(self, keys):
        """The ``(instance, state)`` keys marked first now: one
        ``mark_emitted_many`` for those not known taken.
        """
        asked = {}
        with self._marked_lock:
            for key in keys:
                if key in self._marked:
                    self._marked.move_to_end(key)
                else:
                    asked[key] = True
        if not asked:
            return set()
        first = self.connection.mark_emitted_many(list(asked))
        with self._marked_lock:
            for key in asked:
                self._marked[key] = True
            while len(self._marked) > MARKS_REMEMBERED:
                self._marked.popitem(last=False)
        return first


def says_where(record):
    """Whether a failed record knows its fault or the step it failed at."""
    return bool(record.get('fault')) or (
        (record.get('root_cause') or {}).get('step') is not None)


class _Context:
    """The notification's context: the boot's project, user and request.

    A RequestContext would become this thread's current context and tag
    the collector's own log lines; the Notifier only needs
    ``redacted_copy`` and ``to_dict``.
    """

    def __init__(self, values):
        self.values = values

    def redacted_copy(self, **kwargs):
        return self

    def to_dict(self):
        return dict(self.values)


class _ContextSerializer(oslo_messaging.NoOpSerializer):
    """Sends the context as its dict on every driver (RabbitMQ does)."""

    def serialize_context(self, ctxt):
        return ctxt.to_dict() if hasattr(ctxt, 'to_dict') else ctxt


def _global_request_id(record):
    # The boot's own request id, as the global request id, links the alarm
    # to the services' logs (the form oslo.middleware accepts).
    request_id = record.get('request_id')
    if request_id and _REQUEST_ID.match(request_id):
        return request_id
    return None
