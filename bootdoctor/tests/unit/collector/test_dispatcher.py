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

"""A batch's priorities handed over at once (notification.dispatcher)."""

import oslo_messaging

from bootdoctor.notification import dispatcher
from bootdoctor.notification import endpoints

HANDLED = oslo_messaging.NotificationResult.HANDLED
REQUEUE = oslo_messaging.NotificationResult.REQUEUE


class Incoming:
    """What the dispatcher reads of an oslo.messaging incoming message."""

    def __init__(self, event_type, priority, number):
        self.ctxt = {'request_id': 'req-%d' % number}
        self.message = {
            'publisher_id': 'compute.host1', 'event_type': event_type,
            'priority': priority, 'payload': {'n': number},
            'message_id': 'm-%d' % number,
            'timestamp': '2026-12-06 10:00:00.%06d' % number}

    def __repr__(self):
        return self.message['message_id']


def _batch():
    return [Incoming('compute.instance.create.start', 'INFO', 1),
            Incoming('compute.instance.create.error', 'ERROR', 2),
            Incoming('compute.instance.update', 'INFO', 3),
            # Nova sends it; bootdoctor's filter leaves it out.
            Incoming('compute.instance.exists', 'INFO', 4),
            Incoming('compute.instance.update', 'NOSUCH', 5)]


def _ids(messages):
    return [m['metadata']['message_id'] for m in messages]


def test_every_priority_of_a_batch_in_one_call():
    calls = []

    def whole(slices, received):
        calls.append(([(p, _ids(m)) for p, m in slices], received))
        return HANDLED

    endpoint = endpoints.BootEndpoint(None, batch_handler=whole)
    requeues = dispatcher.WholeBatchDispatcher([endpoint], None).dispatch(
        _batch())
    assert requeues == set()
    # One call; the filtered type and the unknown priority are not in it,
    # but the batch's size counts them.
    assert calls == [([('ERROR', ['m-2']), ('INFO', ['m-1', 'm-3'])], 5)]


def test_requeue_gives_back_what_the_call_was_given():
    batch = _batch()
    endpoint = endpoints.BootEndpoint(
        None, batch_handler=lambda slices, received: REQUEUE)
    requeues = dispatcher.WholeBatchDispatcher([endpoint], None).dispatch(
        batch)
    # Every message of the priorities handed over, the filtered one of
    # them included (as oslo.messaging requeues a priority's messages);
    # the unknown priority's is acknowledged, as oslo.messaging does.
    assert requeues == set(batch[:4])


def test_an_endpoint_without_whole_batches_is_called_per_priority():
    calls = []

    class PerPriority:
        def info(self, messages):
            calls.append(('info', _ids(messages)))
            return HANDLED

        def error(self, messages):
            calls.append(('error', _ids(messages)))
            return REQUEUE

    batch = _batch()
    requeues = dispatcher.WholeBatchDispatcher(
        [PerPriority()], None).dispatch(batch)
    assert calls == [('error', ['m-2']), ('info', ['m-1', 'm-3', 'm-4'])]
    assert requeues == {batch[1]}


def test_a_boot_endpoint_without_batch_handler_calls_per_priority():
    calls = []

    def handler(messages, priority):
        calls.append((priority, _ids(messages)))
        return REQUEUE if priority == 'ERROR' else HANDLED

    endpoint = endpoints.BootEndpoint(handler)
    batch = _batch()
    requeues = dispatcher.WholeBatchDispatcher([endpoint], None).dispatch(
        batch)
    assert calls == [('ERROR', ['m-2']), ('INFO', ['m-1', 'm-3'])]
    # One result for the call: all it was given goes back.
    assert requeues == set(batch[:4])


def test_an_exception_requeues_the_batch():
    def whole(slices, received):
        raise RuntimeError('boom')

    batch = _batch()
    endpoint = endpoints.BootEndpoint(None, batch_handler=whole)
    assert dispatcher.WholeBatchDispatcher([endpoint], None).dispatch(
        batch) == set(batch[:4])


def test_nothing_known_calls_nothing():
    endpoint = endpoints.BootEndpoint(
        None, batch_handler=lambda slices, received: 1 / 0)
    batch = [Incoming('compute.instance.exists', 'INFO', 1)]
    assert dispatcher.WholeBatchDispatcher([endpoint], None).dispatch(
        batch) == set()
