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

"""The collector's listener on the real RabbitMQ hands a batch's
priorities over in one call (bootdoctor.notification.dispatcher).
"""

import threading
import time

import oslo_messaging

from bootdoctor import conf as bd_conf
from bootdoctor.notification import endpoints
from bootdoctor.notification import listener
from bootdoctor import simulator
from bootdoctor.tests.functional.collector import conftest
from bootdoctor.tests.functional.collector import rabbit


def _conf(names, batch_size):
    conf = bd_conf.new_conf()
    conf([], project='bootdoctor', default_config_files=[])
    listener.register_opts(conf)
    conf.set_override('transport_url', rabbit.URL,
                      group='oslo_messaging_notifications')
    conf.set_override('exchanges', list(names.exchanges.values()),
                      group='collector')
    conf.set_override('topics', list(names.topics.values()),
                      group='collector')
    conf.set_override('pool', names.pool, group='collector')
    conf.set_override('batch_size', batch_size, group='collector')
    # The batch ends when it is full, never by its timeout.
    conf.set_override('batch_timeout', 60, group='collector')
    return conf


def test_a_failed_boot_is_one_call_of_every_priority(names):
    boot = simulator.plan(1, 'no_valid_host', seed=7)[0]
    priorities = {e.priority for e in boot.emissions}
    assert priorities == {'INFO', 'ERROR'}
    calls = []
    done = threading.Event()

    def whole(slices, received):
        calls.append(([(p, len(m)) for p, m in slices], received))
        done.set()
        return oslo_messaging.NotificationResult.HANDLED

    def per_priority(messages, priority):
        raise AssertionError('called per priority')

    conf = _conf(names, len(boot.emissions))
    transport = listener.get_transport(conf)
    server = listener.get_listener(
        conf, transport,
        [endpoints.BootEndpoint(per_priority, batch_handler=whole)])
    server.start()
    publisher = conftest.publisher(names)
    try:
        rabbit.wait_for_consumers(names.pool, 1)
        publisher.publish(boot.emissions)
        assert done.wait(60)
        time.sleep(0.5)
    finally:
        publisher.close()
        server.stop()
        server.wait()
        transport.cleanup()
    counts = {p: sum(e.priority == p for e in boot.emissions)
              for p in priorities}
    assert calls == [([('ERROR', counts['ERROR']),
                       ('INFO', counts['INFO'])], len(boot.emissions))]
    # Acknowledged: nothing is left in the pool's queue.
    assert rabbit.queue_state(names.pool)[0] == 0
