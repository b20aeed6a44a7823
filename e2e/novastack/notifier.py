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

"""Nova's real notifiers, publishing to a real RabbitMQ.

Nova's ``NotificationFixture`` swaps ``nova.rpc.LEGACY_NOTIFIER`` and
``nova.rpc.NOTIFIER`` for in-memory stubs. :func:`use_real_notifiers` puts
real ones back with ``nova.rpc.init``: the notification transport points at
the broker given, the RPC transport stays Nova's fake one (``RPCFixture``
patches ``nova.rpc.create_transport``), and every notification goes through
the ``messagingv2`` driver exactly as in a deployment.

:class:`SendLog` records what was handed to the broker, so that the
consuming side can tell when it has received everything.
"""

import threading
import time


def instance_uuid_of(payload):
    """The instance a Nova notification payload is about, or None."""
    if not isinstance(payload, dict):
        return None
    data = payload.get('nova_object.data')
    if isinstance(data, dict):
        if str(payload.get('nova_object.name', '')).startswith('Instance'):
            return data.get('uuid')
        return data.get('instance_uuid')
    for key in ('instance_id', 'instance_uuid'):
        if payload.get(key):
            return payload[key]
    spec = payload.get('request_spec')
    if isinstance(spec, dict):
        props = spec.get('instance_properties') or {}
        return props.get('uuid')
    return None


class SendLog:
    """Thread-safe record of every notification sent to the broker."""

    def __init__(self):
        self._cond = threading.Condition()
        self._sent = []
        self._failed = []
        self._last = time.monotonic()

    def record(self, topic, message, error=None):
        entry = {
            'topic': topic,
            'message_id': message.get('message_id'),
            'event_type': message.get('event_type'),
            'publisher_id': message.get('publisher_id'),
            'priority': message.get('priority'),
            'instance_uuid': instance_uuid_of(message.get('payload')),
        }
        with self._cond:
            if error is None:
                self._sent.append(entry)
            else:
                entry['error'] = error
                self._failed.append(entry)
            self._last = time.monotonic()
            self._cond.notify_all()

    def mark(self):
        """Position to slice the log from, e.g. before a scenario starts."""
        with self._cond:
            return len(self._sent)

    def since(self, mark):
        with self._cond:
            return list(self._sent[mark:])

    @property
    def failed(self):
        with self._cond:
            return list(self._failed)

    def settle(self, quiet=2.0, timeout=60.0):
        """Wait until nothing has been sent for ``quiet`` seconds.

        Returns True if the stream went quiet within ``timeout``.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                now = time.monotonic()
                idle = now - self._last
                if idle >= quiet:
                    return True
                if now >= deadline:
                    return False
                self._cond.wait(min(quiet - idle, deadline - now))


def use_real_notifiers(test, conf, transport_url, exchange, send_log):
    """Re-initialise Nova's notifiers on ``transport_url`` for ``test``.

    Call it after ``NotificationFixture`` and before services start. The
    notifications go to ``exchange`` (the notification transport's default
    exchange is ``[DEFAULT]control_exchange``); every global touched is
    restored by the test's cleanups.
    """
    import fixtures

    from nova import rpc

    test.flags(driver=['messagingv2'], transport_url=transport_url,
               group='oslo_messaging_notifications')
    test.flags(control_exchange=exchange)
    test.flags(notification_format='both',
               notify_on_state_change='vm_and_task_state',
               group='notifications')
    for name in ('TRANSPORT', 'NOTIFICATION_TRANSPORT', 'LEGACY_NOTIFIER',
                 'NOTIFIER'):
        test.useFixture(fixtures.MonkeyPatch(
            'nova.rpc.%s' % name, getattr(rpc, name)))
    rpc.init(conf)

    transport = rpc.NOTIFICATION_TRANSPORT
    test.addCleanup(transport.cleanup)
    real_send = transport._send_notification

    def send_notification(target, ctxt, message, version, retry=None):
        try:
            result = real_send(target, ctxt, message, version, retry=retry)
        except Exception as exc:
            send_log.record(target.topic, message, error=repr(exc))
            raise
        send_log.record(target.topic, message)
        return result

    transport._send_notification = send_notification
    return transport
