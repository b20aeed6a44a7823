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

"""The oslo.messaging batch notification endpoint of the collector.

oslo.messaging calls the method named after the lower-cased priority with
a list of messages ``{ctxt, publisher_id, event_type, payload, metadata}``;
every priority goes to the same handler. The endpoint's
``NotificationFilter`` lets through only the event types some installed
handler understands: the others (``compute.instance.exists``,
``image.update``, ...) are acknowledged by oslo.messaging without reaching
bootdoctor.
"""

import re

import oslo_messaging

from bootdoctor import notification

# The priorities oslo.messaging dispatches (dispatcher.PRIORITIES).
PRIORITIES = ('audit', 'debug', 'info', 'warn', 'error', 'critical',
              'sample')


def event_type_pattern(event_types):
    """An anchored pattern matching exactly these event types.

    NotificationFilter matches from the start of the string only, so the
    pattern ends with ``$``; the types are escaped (their dots are dots).
    """
    names = sorted(set(event_types))
    if not names:
        raise ValueError('no event types to listen for')
    return '^(?:%s)$' % '|'.join(re.escape(name) for name in names)


class BootEndpoint:
    """Hands every batch to ``handler(messages, priority)``.

    :param handler: returns a NotificationResult (HANDLED or REQUEUE) for
        the batch; see :class:`bootdoctor.collector.processor.BatchProcessor`.
    :param event_types: the event types to receive; default every type the
        installed parsing handlers understand.
    :param batch_handler: ``batch_handler([(PRIORITY, messages), ...],
        received)``, a whole batch at once, as
        :class:`bootdoctor.notification.dispatcher.WholeBatchDispatcher`
        hands it to :meth:`whole_batch`; without it, the handler is called
        once per priority.
    """

    def __init__(self, handler, event_types=None, batch_handler=None):
        self.handler = handler
        self.batch_handler = batch_handler
        types = (notification.event_types() if event_types is None
                 else event_types)
        self.filter_rule = oslo_messaging.NotificationFilter(
            event_type=event_type_pattern(types))
        for priority in PRIORITIES:
            setattr(self, priority, self._for(priority))

    def _for(self, priority):
        def endpoint(messages):
            return self.handler(messages, priority.upper())
        endpoint.__name__ = priority
        return endpoint

    def whole_batch(self, slices, received=None):
        """Handle ``[(priority, messages), ...]``, the priorities in lower
        case as oslo.messaging names them; one result for them all.
        ``received``: the messages in the listener's batch, those the
        filter left out included.
        """
        slices = [(priority.upper(), messages)
                  for priority, messages in slices]
        if self.batch_handler is not None:
            return self.batch_handler(slices, received)
        result = oslo_messaging.NotificationResult.HANDLED
        for priority, messages in slices:
            if self.handler(messages, priority) == (
                    oslo_messaging.NotificationResult.REQUEUE):
                result = oslo_messaging.NotificationResult.REQUEUE
        return result
