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

"""The oslo.messaging side of the collector: transport, targets, listener.

One ``Target(exchange=..., topic=...)`` per configured exchange and topic,
as Ceilometer builds them, and a batch notification listener in the
configured pool, with requeue allowed. With a pool, oslo.messaging's
RabbitMQ driver consumes one queue named after the pool, bound to every
exchange with every ``<topic>.<priority>`` routing key.
"""

from oslo_config import cfg
import oslo_messaging
from oslo_messaging import opts as messaging_opts

from bootdoctor.notification import dispatcher

# Where bootdoctor's own notifications go unless [DEFAULT] control_exchange
# says otherwise.
CONTROL_EXCHANGE = 'bootdoctor'


def register_opts(conf):
    """Register oslo.messaging's options and bootdoctor's defaults.

    Idempotent. The defaults: bootdoctor's own notifications go to the
    ``bootdoctor`` exchange, and a worker holds at most
    ``[collector] prefetch_batches`` batches unacknowledged.
    """
    for group, options in messaging_opts.list_opts():
        conf.register_opts(options, group=group)
    conf.set_default('control_exchange', CONTROL_EXCHANGE)
    conf.set_default('rabbit_qos_prefetch_count',
                     conf.collector.batch_size *
                     conf.collector.prefetch_batches,
                     group='oslo_messaging_rabbit')


def get_transport(conf):
    """The notification transport ([oslo_messaging_notifications])."""
    register_opts(conf)
    return oslo_messaging.get_notification_transport(conf)


def targets(conf):
    """Every configured exchange times every configured topic."""
    return [oslo_messaging.Target(exchange=exchange, topic=topic)
            for exchange in conf.collector.exchanges
            for topic in conf.collector.topics]


def get_listener(conf, transport, endpoints):
    """A batch notification listener (not started).

    oslo.messaging's, handing each endpoint a batch's messages of every
    priority at once (:mod:`bootdoctor.notification.dispatcher`).
    """
    return dispatcher.get_batch_listener(
        transport, targets(conf), endpoints,
        allow_requeue=True,
        pool=conf.collector.pool or None,
        batch_size=conf.collector.batch_size,
        batch_timeout=conf.collector.batch_timeout)


def configured_url(conf):
    """The notification transport URL, as configured (with secrets)."""
    register_opts(conf)
    return (conf.oslo_messaging_notifications.transport_url or
            conf.transport_url)


def is_fake(conf):
    """True for oslo.messaging's in-process fake:// transport."""
    return str(configured_url(conf) or '').startswith('fake:')


def transport_url(conf):
    """The notification transport URL in use, password masked."""
    return mask_url(configured_url(conf))


def mask_url(url):
    """``rabbit://user:***@host:5672/`` for every host of a URL."""
    if not url:
        return url
    try:
        parsed = oslo_messaging.TransportURL.parse(cfg.ConfigOpts(), url)
    except Exception:  # noqa: show nothing rather than a secret
        return '<unparsable transport URL>'
    hosts = []
    for host in parsed.hosts:
        auth = ''
        if host.username:
            auth = host.username + (':***' if host.password else '') + '@'
        hosts.append('%s%s%s' % (auth, host.hostname or '',
                                 ':%s' % host.port if host.port else ''))
    if not hosts and not parsed.virtual_host:
        return '%s://' % parsed.transport
    return '%s://%s/%s' % (parsed.transport, ','.join(hosts),
                           parsed.virtual_host or '')
