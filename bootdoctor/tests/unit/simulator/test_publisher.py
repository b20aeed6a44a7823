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

"""The publisher, through oslo.messaging's in-memory fake transport."""

import json
import time
import uuid

import oslo_messaging
import pytest

from bootdoctor.cmd import manage
from bootdoctor import simulator
from bootdoctor.simulator import publisher as publisher_mod


class Recorder:
    """A batch endpoint keeping what it gets, with the priority."""

    def __init__(self):
        self.messages = []

    def _keep(self, priority):
        def endpoint(messages):
            for message in messages:
                self.messages.append(dict(message, priority=priority))
            return oslo_messaging.NotificationResult.HANDLED
        return endpoint

    def __getattr__(self, name):
        if name in ('info', 'error', 'warn', 'critical'):
            return self._keep(name.upper())
        raise AttributeError(name)


@pytest.fixture
def names():
    tag = uuid.uuid4().hex[:8]
    return ({s: 'ex-%s-%s' % (tag, s) for s in
             publisher_mod.DEFAULT_EXCHANGES},
            {'notifications': 'n-%s' % tag,
             'versioned_notifications': 'v-%s' % tag})


def _listen(exchanges, topics, recorder):
    conf = publisher_mod.transport_conf('openstack')
    transport = oslo_messaging.get_notification_transport(conf,
                                                          url='fake://')
    targets = {}
    for service, exchange in exchanges.items():
        for kind, topic in topics.items():
            targets[(service, kind)] = oslo_messaging.Target(
                exchange=exchange, topic=topic)
    listener = oslo_messaging.get_batch_notification_listener(
        transport, list(targets.values()), [recorder], batch_size=10,
        batch_timeout=0.1)
    listener.start()
    return transport, listener


def _wait_for(recorder, count):
    deadline = time.monotonic() + 10
    while len(recorder.messages) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return recorder.messages


def test_messages_arrive_as_services_send_them(names):
    exchanges, topics = names
    recorder = Recorder()
    transport, listener = _listen(exchanges, topics, recorder)
    boots = simulator.plan(2, ['volume_backed', 'port_binding_failure'],
                           seed=11)
    emissions = [e for _, e in simulator.interleave(boots, seed=1)]
    publisher = simulator.Publisher('fake://', exchanges=exchanges,
                                    topics=topics)
    try:
        assert publisher.publish(emissions) == len(emissions)
        got = _wait_for(recorder, len(emissions))
    finally:
        publisher.close()
        listener.stop()
        listener.wait()
        transport.cleanup()
    assert len(got) == len(emissions) == publisher.sent
    sent = sorted((e.event_type, e.publisher_id, e.priority) for e in
                  emissions)
    received = sorted((m['event_type'], m['publisher_id'], m['priority'])
                      for m in got)
    assert received == sent
    for message in got:
        assert set(message['metadata']) == {'message_id', 'timestamp'}
        assert isinstance(message['ctxt'], dict)
    ids = {m['metadata']['message_id'] for m in got}
    assert len(ids) == len(got)
    contexts = {m['ctxt'].get('request_id') for m in got
                if m['event_type'].startswith(('compute', 'instance'))}
    assert contexts == {b.identity.request_id for b in boots}


def test_each_service_has_its_exchange_and_nova_two_topics(names):
    exchanges, topics = names
    seen = []
    for service in ('nova', 'neutron', 'cinder'):
        for kind in ('notifications', 'versioned_notifications'):
            recorder = Recorder()
            transport, listener = _listen({service: exchanges[service]},
                                          {kind: topics[kind]}, recorder)
            seen.append((service, kind, recorder, transport, listener))
    boot = simulator.plan(1, 'volume_backed', seed=2)[0]
    publisher = simulator.Publisher('fake://', exchanges=exchanges,
                                    topics=topics)
    try:
        publisher.publish(boot.emissions)
        for service, kind, recorder, _, _ in seen:
            expected = [e for e in boot.emissions
                        if e.service == service and e.topic == kind]
            got = _wait_for(recorder, len(expected))
            assert sorted(m['event_type'] for m in got) == sorted(
                e.event_type for e in expected), (service, kind)
    finally:
        publisher.close()
        for _, _, _, transport, listener in seen:
            listener.stop()
            listener.wait()
            transport.cleanup()
    # Neutron and Cinder have no versioned notifications here.
    assert not [e for e in boot.emissions
                if e.service != 'nova' and e.format == 'versioned']


def test_the_context_travels_without_its_token():
    context = publisher_mod.WireContext({'auth_token': 'secret',
                                         'request_id': 'req-1'})
    redacted = context.redacted_copy()
    assert redacted.to_dict() == {'auth_token': None, 'request_id': 'req-1'}
    assert context.to_dict()['auth_token'] == 'secret'
    serializer = publisher_mod.ContextSerializer()
    assert serializer.serialize_context(redacted) == redacted.to_dict()
    assert serializer.serialize_context({}) == {}


class Clock:
    def __init__(self):
        self.now = 100.0
        self.delays = []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.delays.append(seconds)
        self.now += seconds


def test_rate_spaces_the_messages(names, monkeypatch):
    exchanges, topics = names
    clock = Clock()
    monkeypatch.setattr(publisher_mod, 'time', clock)
    publisher = simulator.Publisher('fake://', exchanges=exchanges,
                                    topics=topics)
    boot = simulator.plan(1, 'stall_scheduling', seed=1)[0]
    try:
        publisher.publish(boot.emissions, rate=10)
    finally:
        publisher.close()
    # Six messages at 10/s on a clock that only sleeping moves: five
    # waits of a tenth of a second.
    assert len(boot.emissions) == 6
    assert clock.delays == pytest.approx([0.1] * 5)


def _run(argv, capsys):
    code = manage.main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_simulate_command_lists_scenarios(capsys):
    code, out, _ = _run(['simulate', '--list'], capsys)
    assert code == 0
    for name in simulator.SCENARIOS:
        assert name in out


def test_simulate_command_publishes(names, capsys):
    exchanges, topics = names
    recorder = Recorder()
    transport, listener = _listen(
        {'nova': exchanges['nova']},
        {'notifications': 'notifications',
         'versioned_notifications': 'versioned_notifications'}, recorder)
    try:
        code, out, _ = _run(['simulate', '--transport-url', 'fake://',
                             '--boots', '3', '--seed', '5', '--scenario',
                             'no_valid_host', '--exchange',
                             'nova=%s' % exchanges['nova']], capsys)
        got = _wait_for(recorder, 12)
    finally:
        listener.stop()
        listener.wait()
        transport.cleanup()
    assert code == 0
    assert 'Published 12 notifications for 3 boots.' in out
    assert out.count('no_valid_host') == 3
    assert len(got) == 12


def test_simulate_command_refuses_bad_input(capsys):
    code, _, err = _run(['simulate', '--transport-url', 'fake://',
                         '--scenario', 'nope'], capsys)
    assert code == 2 and 'unknown scenario' in err
    code, _, err = _run(['simulate', '--transport-url', 'fake://',
                         '--exchange', 'swift=x'], capsys)
    assert code == 2 and 'SERVICE=EXCHANGE' in err


def test_simulate_command_writes_a_file_it_can_replay(tmp_path, capsys):
    out = tmp_path / 'boots.jsonl'
    code, summary, _ = _run(['simulate', '--output', str(out), '--boots',
                             '2', '--scenario', 'no_valid_host', '--start',
                             '2025-01-01T00:00:00'], capsys)
    assert code == 0
    assert 'Wrote 8 notifications for 2 boots to %s.' % out in summary
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 8
    stamps = [line['metadata']['timestamp'] for line in lines]
    assert stamps[0] == '2025-01-01 00:00:00'
    assert stamps[1] == '2025-01-01 00:00:00.100000'
    # No seed: fresh message ids every run.
    assert len({line['metadata']['message_id'] for line in lines}) == 8
    code = manage.main(['replay', '--strict', '--format', 'json', str(out)])
    boots = json.loads(capsys.readouterr().out)['boots']
    assert code == 0
    assert [b['status'] for b in boots] == ['error', 'error']


def test_simulate_command_refuses_a_bad_start(tmp_path, capsys):
    with pytest.raises(SystemExit):
        manage.main(['simulate', '--output', str(tmp_path / 'x.jsonl'),
                     '--start', 'yesterday'])
    assert 'ISO 8601' in capsys.readouterr().err
