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

"""The real RabbitMQ: reachability, names of a test's own, inspection.

Every test gets exchanges, topics and a pool named after a random tag, so
tests never see each other's messages (nor another project's), and
removes its queues and exchanges afterwards. The broker is
``BOOTDOCTOR_TEST_RABBIT`` (default guest/guest on 127.0.0.1:5672).
"""

import dataclasses
import os
import socket
import subprocess
import time
import uuid

import kombu
import pytest

URL = os.environ.get('BOOTDOCTOR_TEST_RABBIT',
                     'rabbit://guest:guest@127.0.0.1:5672/')
AMQP = URL.replace('rabbit://', 'amqp://', 1)
PRIORITIES = ('audit', 'debug', 'info', 'warn', 'error', 'critical',
              'sample')
SERVICES = ('nova', 'neutron', 'cinder', 'glance')


def _host_port():
    rest = URL.split('@', 1)[-1].split('/', 1)[0]
    host, _, port = rest.partition(':')
    return host, int(port or 5672)


def require():
    """Skip the test, saying why, unless RabbitMQ answers."""
    host, port = _host_port()
    try:
        with socket.create_connection((host, port), timeout=2):
            pass
    except OSError as exc:
        pytest.skip('RabbitMQ not running at %s:%s (%s); start it with '
                    '"rabbitmq-server -detached"' % (host, port, exc))


@dataclasses.dataclass
class Names:
    """A test's own exchanges, topics, pool and output exchange."""
    tag: str

    @classmethod
    def new(cls):
        return cls('bdf%s' % uuid.uuid4().hex[:10])

    @property
    def exchanges(self):
        return {s: '%s-%s' % (self.tag, s) for s in SERVICES}

    @property
    def topics(self):
        return {'notifications': '%s-notifications' % self.tag,
                'versioned_notifications': '%s-versioned' % self.tag}

    @property
    def pool(self):
        return self.tag

    @property
    def out_exchange(self):
        return '%s-bootdoctor' % self.tag

    @property
    def out_topic(self):
        return '%s-out' % self.tag

    def queues(self, pools=()):
        names = [self.pool] + list(pools)
        for topic in list(self.topics.values()) + [self.out_topic]:
            names += ['%s.%s' % (topic, p) for p in PRIORITIES]
        return names

    def all_exchanges(self):
        return list(self.exchanges.values()) + [self.out_exchange]


def _channel_call(function):
    with kombu.Connection(AMQP, connect_timeout=5) as connection:
        channel = connection.channel()
        try:
            return function(channel)
        finally:
            channel.close()


def queue_state(name):
    """(messages ready, consumers) of a queue, or None if it is absent."""
    def declare(channel):
        try:
            _, messages, consumers = channel.queue_declare(queue=name,
                                                           passive=True)
        except Exception:  # noqa: the queue does not exist
            return None
        return messages, consumers
    return _channel_call(declare)


def wait_for_consumers(queue, count, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = queue_state(queue)
        if state is not None and state[1] >= count:
            return state
        time.sleep(0.2)
    raise AssertionError('queue %s never had %d consumers: %s'
                         % (queue, count, queue_state(queue)))


def cleanup(names, pools=()):
    """Delete the test's queues and exchanges."""
    def delete(channel):
        for queue in names.queues(pools):
            try:
                channel.queue_delete(queue)
            except Exception:  # noqa: absent
                pass
        for exchange in names.all_exchanges():
            try:
                channel.exchange_delete(exchange)
            except Exception:  # noqa: absent
                pass
    try:
        _channel_call(delete)
    except Exception:  # noqa: the broker may be gone already
        pass


def restart_broker(timeout=120):
    """rabbitmqctl stop_app, then start_app, then wait until it answers."""
    subprocess.run(['rabbitmqctl', 'stop_app'], check=True,
                   capture_output=True, timeout=timeout)
    subprocess.run(['rabbitmqctl', 'start_app'], check=True,
                   capture_output=True, timeout=timeout)
    subprocess.run(['rabbitmqctl', 'await_startup'], check=False,
                   capture_output=True, timeout=timeout)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            _channel_call(lambda channel: None)
            return
        except Exception:  # noqa: not yet
            time.sleep(0.5)
    raise AssertionError('RabbitMQ did not come back')
