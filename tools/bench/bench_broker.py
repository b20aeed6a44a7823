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
"""The RabbitMQ side of the collector benchmarks.

Names of a run's exchanges, topics and pools; declaring the pools' queues,
reading their depth and deleting them; publishing a backlog of simulator
notifications from several processes. Used by collector_bench.py and the
suite (tools/bench is not a package: import it by name from this
directory, so that the publisher processes find it again).
"""

import multiprocessing
import time
import warnings

# The publisher processes import only this module.
warnings.filterwarnings('ignore', category=DeprecationWarning)
PRIORITIES = ('audit', 'debug', 'info', 'warn', 'error', 'critical',
              'sample')
SERVICES = ('nova', 'neutron', 'cinder', 'glance')


class Names:
    def __init__(self, tag):
        self.tag = tag
        self.exchanges = {s: '%s-%s' % (tag, s) for s in SERVICES}
        self.topics = {'notifications': '%s-notifications' % tag,
                       'versioned_notifications': '%s-versioned' % tag}
        self.out_exchange = '%s-bootdoctor' % tag
        self.out_topic = '%s-out' % tag

    def pool(self, what):
        return '%s-%s' % (self.tag, what)


def _amqp(rabbit):
    return rabbit.replace('rabbit://', 'amqp://', 1)


def queue_depth(rabbit, queue):
    import kombu
    with kombu.Connection(_amqp(rabbit), connect_timeout=5) as conn:
        channel = conn.channel()
        try:
            return channel.queue_declare(queue=queue, passive=True)[1]
        except Exception:
            return None


def cleanup(rabbit, names, pools):
    import kombu
    with kombu.Connection(_amqp(rabbit), connect_timeout=5) as conn:
        channel = conn.channel()
        queues = list(pools) + ['%s.%s' % (topic, p) for topic in
                                list(names.topics.values()) +
                                [names.out_topic] for p in PRIORITIES]
        for queue in queues:
            try:
                channel.queue_delete(queue)
            except Exception:
                channel = conn.channel()
        for exchange in list(names.exchanges.values()) + [names.out_exchange]:
            try:
                channel.exchange_delete(exchange)
            except Exception:
                channel = conn.channel()


def listener_conf(rabbit, names, pool, batch_size, durable=True):
    from bootdoctor import conf as bd_conf
    from bootdoctor.notification import listener
    conf = bd_conf.new_conf()
    conf([], project='bootdoctor', default_config_files=[])
    listener.register_opts(conf)
    conf.set_override('transport_url', rabbit,
                      group='oslo_messaging_notifications')
    conf.set_override('exchanges', list(names.exchanges.values()),
                      group='collector')
    conf.set_override('topics', list(names.topics.values()),
                      group='collector')
    conf.set_override('pool', pool, group='collector')
    conf.set_override('batch_size', batch_size, group='collector')
    # Durable by default: a broker restart (other work on a shared
    # broker) keeps the backlog.
    conf.set_override('amqp_durable_queues', durable,
                      group='oslo_messaging_rabbit')
    return conf


def declare(rabbit, names, pools, batch_size):
    """Create each pool's queue and bindings (a listener started once)."""
    from bootdoctor.notification import listener
    import oslo_messaging

    class Nothing:
        # Every priority: the queue is bound to the priorities the
        # endpoints take.
        def _requeue(self, messages):
            return oslo_messaging.NotificationResult.REQUEUE

        info = warn = error = audit = debug = critical = sample = _requeue

    for pool in pools:
        conf = listener_conf(rabbit, names, pool, batch_size)
        transport = listener.get_transport(conf)
        server = listener.get_listener(conf, transport, [Nothing()])
        server.start()
        deadline = time.monotonic() + 30
        while queue_depth(rabbit, pool) is None and (
                time.monotonic() < deadline):
            time.sleep(0.2)
        server.stop()
        server.wait()
        transport.cleanup()


def _publish_share(args):
    rabbit, tag, share, seed, rate, durable = args
    from bootdoctor import simulator
    names = Names(tag)
    emissions = []
    number = 0
    while len(emissions) < share:
        boots = simulator.plan(20, 'mix', seed=seed * 100003 + number)
        number += 1
        emissions.extend(e for _, e in simulator.interleave(boots,
                                                            seed=number))
    emissions = emissions[:share]
    publisher = simulator.Publisher(
        rabbit, exchanges=names.exchanges, topics=names.topics,
        rabbit_options={'amqp_durable_queues': durable})
    try:
        started = time.monotonic()
        sent = publisher.publish(emissions, rate=rate)
        return sent, time.monotonic() - started
    finally:
        publisher.close()


def publish(rabbit, names, count, publishers, rate=None, durable=True):
    """Send ``count`` notifications from ``publishers`` processes.

    ``durable``: declare the exchanges and default queues durable, as
    ``[oslo_messaging_rabbit] amqp_durable_queues`` does.
    """
    shares = [count // publishers + (1 if n < count % publishers else 0)
              for n in range(publishers)]
    per_process = rate / publishers if rate else None
    context = multiprocessing.get_context('spawn')
    with context.Pool(publishers) as pool:
        results = pool.map(_publish_share, [
            (rabbit, names.tag, share, n + 1, per_process, durable)
            for n, share in enumerate(shares)])
    return sum(r[0] for r in results), max(r[1] for r in results)
