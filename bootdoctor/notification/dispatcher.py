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

"""A batch's messages of every priority, handed to the endpoint at once.

oslo.messaging's batch dispatcher calls an endpoint once per priority of
a batch, one call after the other in the batch's thread, and acknowledges
the batch when the last call returns. The collector's handler returns
only once the messages it was given are committed, so a batch holding
error and info messages (every boot that fails) waited for two turns of
the worker's storage, and its info messages, the most, were received a
whole turn before they were handled: under a steady load, most of the
delay from publish to record.

:class:`WholeBatchDispatcher` filters and groups the messages as
oslo.messaging's does, then calls the endpoint's ``whole_batch`` once
with ``[(priority, messages), ...]`` and how many messages the batch
held (``received``, those filtered out included). When that returns
REQUEUE, every message of the priorities it was given goes back to the
broker, as a priority's messages do when its call returns REQUEUE; the
others are acknowledged.
An endpoint without ``whole_batch`` is called per priority, as by
oslo.messaging.
"""

import functools
import itertools
import logging
import operator

from oslo_messaging.notify import dispatcher
from oslo_messaging.notify import listener

LOG = logging.getLogger(__name__)
REQUEUE = dispatcher.NotificationResult.REQUEUE


class WholeBatchDispatcher(dispatcher.BatchNotificationDispatcher):

    def dispatch(self, incoming):
        """Hand the batch to each endpoint; return the messages to requeue.
        """
        by_priority = []
        for priority, group in itertools.groupby(sorted(
                (self._extract_user_message(m) for m in incoming),
                key=operator.itemgetter(0)), operator.itemgetter(0)):
            if priority not in dispatcher.PRIORITIES:
                LOG.warning('Unknown priority "%s"', priority)
                continue
            by_priority.append((priority, list(group)))
        requeues = set()
        for endpoint in self.endpoints:
            whole = getattr(endpoint, 'whole_batch', None)
            if whole is None:
                requeues |= self._per_priority(endpoint, by_priority)
                continue
            screen = getattr(endpoint, 'filter_rule', None)
            slices, raws = [], []
            for priority, extracted in by_priority:
                if not hasattr(endpoint, priority):
                    continue
                messages = _screened(screen, extracted)
                if messages:
                    slices.append((priority, messages))
                    raws += [raw for _, raw, _ in extracted]
            if slices and self._exec_callback(
                    functools.partial(whole, received=len(incoming)),
                    slices) == REQUEUE:
                requeues.update(raws)
        return requeues

    def _per_priority(self, endpoint, by_priority):
        screen = getattr(endpoint, 'filter_rule', None)
        requeues = set()
        for priority, extracted in by_priority:
            method = getattr(endpoint, priority, None)
            if method is None:
                continue
            messages = _screened(screen, extracted)
            if messages and self._exec_callback(method, messages) == REQUEUE:
                requeues.update(raw for _, raw, _ in extracted)
        return requeues


def _screened(screen, extracted):
    """The messages of ``[(priority, raw, message), ...]`` that the
    endpoint's filter lets through (all of them without a filter).
    """
    return [m for _, _, m in extracted
            if screen is None or screen.match(
                m['ctxt'], m['publisher_id'], m['event_type'],
                m['metadata'], m['payload'])]


def get_batch_listener(transport, targets, endpoints, allow_requeue=True,
                       pool=None, batch_size=None, batch_timeout=None):
    """oslo.messaging's batch notification listener, with this dispatcher.

    What ``oslo_messaging.get_batch_notification_listener`` builds, with
    :class:`WholeBatchDispatcher` in place of its dispatcher.
    """
    return listener.BatchNotificationServer(
        transport, targets, WholeBatchDispatcher(endpoints, None),
        None, allow_requeue, pool, batch_size, batch_timeout)
