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

"""Targets, the event type filter and the endpoint, on the fake transport."""

import re
import threading
import time

import oslo_messaging
import pytest

from bootdoctor import notification
from bootdoctor.notification import endpoints
from bootdoctor.notification import listener
from bootdoctor import simulator
from bootdoctor.tests.unit.collector import conftest


def test_every_exchange_times_every_topic(conf):
    targets = listener.targets(conf)
    assert len(targets) == 4 * 2
    assert {(t.exchange, t.topic) for t in targets} == {
        (e, t) for e in conf.collector.exchanges
        for t in conf.collector.topics}


def test_default_targets_and_pool():
    from bootdoctor import conf as bd_conf
    conf = bd_conf.new_conf()
    conf([], project='bootdoctor', default_config_files=[])
    assert conf.collector.exchanges == ['nova', 'neutron', 'cinder',
                                        'glance', 'keystone', 'openstack']
    assert conf.collector.topics == ['notifications',
                                     'versioned_notifications']
    assert conf.collector.pool == 'bootdoctor'
    listener.register_opts(conf)
    assert conf.control_exchange == 'bootdoctor'
    # batch_size 500 times prefetch_batches 4.
    assert conf.oslo_messaging_rabbit.rabbit_qos_prefetch_count == 2000


def test_the_pattern_is_anchored_and_escaped():
    pattern = re.compile(endpoints.event_type_pattern(
        ['compute.instance.update', 'port.create.end']))
    assert pattern.match('compute.instance.update')
    assert pattern.match('port.create.end')
    for other in ('compute.instance.update.extra', 'computeXinstance.update',
                  'xcompute.instance.update', 'port.create.endless',
                  'compute.instance'):
        assert not pattern.match(other), other
    with pytest.raises(ValueError):
        endpoints.event_type_pattern([])


def test_the_filter_lets_through_what_the_parser_knows():
    seen = []
    endpoint = endpoints.BootEndpoint(lambda m, p: seen.append(p))
    rule = endpoint.filter_rule
    for event_type in notification.event_types():
        assert rule.match({}, 'compute.h', event_type, {}, {}), event_type
    assert not rule.match({}, 'compute.h', 'compute.instance.exists', {},
                          {})
    for priority in endpoints.PRIORITIES:
        getattr(endpoint, priority)([{}])
    assert seen == [p.upper() for p in endpoints.PRIORITIES]


def test_mask_url_hides_every_password():
    assert listener.mask_url(
        'rabbit://u:secret@h1:5672,v:other@h2:5671/vh') == (
        'rabbit://u:***@h1:5672,v:***@h2:5671/vh')
    assert 'secret' not in listener.mask_url('rabbit://u:secret@h1//')
    assert listener.mask_url('fake://') == 'fake://'
    assert listener.mask_url(None) is None


def test_the_listener_gets_known_types_only(conf):
    got = []
    done = threading.Event()

    def handler(messages, priority):
        got.extend((priority, m['event_type']) for m in messages)
        done.set()
        return oslo_messaging.NotificationResult.HANDLED

    transport = listener.get_transport(conf)
    server = listener.get_listener(
        conf, transport, [endpoints.BootEndpoint(handler)])
    server.start()
    exchanges, topics = conftest.names(conf)
    publisher = simulator.Publisher('fake://', exchanges=exchanges,
                                    topics=topics)
    boot = conftest.boot('no_valid_host')
    try:
        # Nova also sends types bootdoctor does not follow.
        extra = boot.emissions[0].__class__(
            **dict(boot.emissions[0].__dict__,
                   event_type='compute.instance.exists'))
        publisher.publish([extra] + boot.emissions)
        deadline = time.monotonic() + 10
        while len(got) < len(boot.emissions) and (
                time.monotonic() < deadline):
            time.sleep(0.05)
    finally:
        server.stop()
        server.wait()
        publisher.close()
    assert sorted(got) == sorted((e.priority, e.event_type)
                                 for e in boot.emissions)
