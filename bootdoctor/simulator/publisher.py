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

"""Publish simulated notifications the way the services themselves do.

Each service gets its own notification transport whose
``control_exchange`` is the service's exchange (Nova sets ``nova``, Neutron
``neutron``...), and an oslo.messaging Notifier per topic with the
``messagingv2`` driver: Nova's legacy Notifier on ``notifications`` and its
versioned one on ``versioned_notifications``. The driver adds the
priority to the routing key, wraps the message in the 2.0 envelope, packs
the context as ``_context_*`` keys and makes the ``message_id`` and
``timestamp``, exactly as for a real service.
"""

import threading
import time

from oslo_config import cfg
import oslo_messaging
from oslo_messaging import opts as messaging_opts
from oslo_messaging import serializer as messaging_serializer

DEFAULT_EXCHANGES = {
    'nova': 'nova',
    'neutron': 'neutron',
    'cinder': 'cinder',
    'glance': 'glance',
    'keystone': 'keystone',
}
TOPICS = ('notifications', 'versioned_notifications')


class WireContext:
    """A request context that serialises to a recorded context dict.

    oslo.messaging's Notifier replaces a plain dict context by ``{}`` and
    asks any other object for a redacted copy; the services' own contexts
    are objects, so the simulator sends one too.
    """

    def __init__(self, values):
        self.values = dict(values)

    def redacted_copy(self, **kwargs):
        values = dict(self.values)
        if values.get('auth_token') is not None:
            values['auth_token'] = None
        return WireContext(values)

    def to_dict(self):
        return dict(self.values)


class ContextSerializer(messaging_serializer.NoOpSerializer):
    """Serialises a context object with its ``to_dict`` (as Nova does)."""

    def serialize_context(self, ctxt):
        if hasattr(ctxt, 'to_dict'):
            return ctxt.to_dict()
        return ctxt


def transport_conf(exchange, rabbit_options=None):
    """A ConfigOpts for one service's notification transport."""
    conf = cfg.ConfigOpts()
    for group, options in messaging_opts.list_opts():
        conf.register_opts(options, group=group)
    conf([], project='bootdoctor', default_config_files=[])
    conf.set_override('control_exchange', exchange)
    for name, value in (rabbit_options or {}).items():
        conf.set_override(name, value, group='oslo_messaging_rabbit')
    return conf


class Publisher:
    """Sends :class:`~bootdoctor.simulator.templates.Emission` objects.

    :param url: the transport URL (``rabbit://...`` or ``fake://``).
    :param exchanges: service -> exchange, over :data:`DEFAULT_EXCHANGES`.
    :param topics: wire topic per Notifier topic (``notifications`` ->
        another name), for tests that need topics of their own.
    :param rabbit_options: ``[oslo_messaging_rabbit]`` overrides, e.g.
        ``amqp_durable_queues`` so the exchanges match a collector's.
    :param retry: the Notifier's retry (None: forever, as the services).
    """

    def __init__(self, url, *, exchanges=None, topics=None,
                 rabbit_options=None, retry=None):
        self.url = url
        self.exchanges = dict(DEFAULT_EXCHANGES, **(exchanges or {}))
        self.topics = {t: t for t in TOPICS}
        self.topics.update(topics or {})
        self.rabbit_options = dict(rabbit_options or {})
        self.retry = retry
        self.sent = 0
        self._transports = {}
        self._notifiers = {}
        self._lock = threading.Lock()

    def _notifier(self, emission):
        key = (emission.service, emission.topic, emission.publisher_id)
        notifier = self._notifiers.get(key)
        if notifier is None:
            exchange = self.exchanges[emission.service]
            transport = self._transports.get(exchange)
            if transport is None:
                transport = oslo_messaging.get_notification_transport(
                    transport_conf(exchange, self.rabbit_options),
                    url=self.url)
                self._transports[exchange] = transport
            base = oslo_messaging.Notifier(
                transport, driver='messagingv2',
                topics=[self.topics[emission.topic]],
                serializer=ContextSerializer(), retry=self.retry)
            notifier = base.prepare(publisher_id=emission.publisher_id)
            self._notifiers[key] = notifier
        return notifier

    def send(self, emission):
        """Send one notification; blocks until the broker has it."""
        with self._lock:
            notifier = self._notifier(emission)
        method = getattr(notifier, emission.priority.lower())
        method(WireContext(emission.ctxt), emission.event_type,
               emission.payload)
        self.sent += 1

    def publish(self, emissions, rate=None, on_sent=None):
        """Send ``emissions`` in order, at most ``rate`` per second.

        ``on_sent(emission)`` is called after each one. Returns the number
        sent.
        """
        count = 0
        started = time.monotonic()
        for emission in emissions:
            if rate:
                delay = started + count / rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            self.send(emission)
            count += 1
            if on_sent is not None:
                on_sent(emission)
        return count

    def close(self):
        for transport in self._transports.values():
            # The fake driver's cleanup empties every in-process exchange,
            # taking along the messages a listener has not read yet.
            if not self.url.startswith('fake:'):
                transport.cleanup()
        self._transports.clear()
        self._notifiers.clear()
