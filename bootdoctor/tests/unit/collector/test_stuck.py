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

"""Stuck search and the bootdoctor.boot.* notifications it sends."""

import datetime
import time

import oslo_messaging
import pytest
import requests_mock

from bootdoctor.collector import counters as counters_mod
from bootdoctor.collector import emitter as emitter_mod
from bootdoctor.collector import processor as processor_mod
from bootdoctor.collector import reconcile
from bootdoctor.collector import stuck as stuck_mod
from bootdoctor.notification import listener
from bootdoctor.tests.unit.collector import conftest
from bootdoctor.tests.unit.collector import test_processor

DEADLINES = test_processor.DEADLINES


class Inbox:
    """Listens where the collector's own notifications go."""

    def __init__(self, conf):
        self.messages = []
        transport = listener.get_transport(conf)
        target = oslo_messaging.Target(
            exchange=conf.control_exchange,
            topic=conf.oslo_messaging_notifications.topics[0])
        self.server = oslo_messaging.get_notification_listener(
            transport, [target], [self])

    def warn(self, ctxt, publisher_id, event_type, payload, metadata):
        self.messages.append(('WARN', ctxt, publisher_id, event_type,
                              payload))

    def error(self, ctxt, publisher_id, event_type, payload, metadata):
        self.messages.append(('ERROR', ctxt, publisher_id, event_type,
                              payload))

    def wait_for(self, count, timeout=10):
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)   # and nothing more
        return self.messages

    def nothing(self):
        return self.wait_for(1, timeout=1)


@pytest.fixture
def inbox(conf):
    box = Inbox(conf)
    box.server.start()
    yield box
    box.server.stop()
    box.server.wait()


def _setup(conf, connection):
    counters = counters_mod.Counters()
    emitter = emitter_mod.Emitter(conf, listener.get_transport(conf),
                                  connection, counters, host='ctl1')
    processor = processor_mod.BatchProcessor(
        connection, counters, processor_mod.Backoff(0.01, 0.02),
        lambda: DEADLINES, emitter=emitter,
        clock=lambda: test_processor.NOW)
    return counters, emitter, processor


def test_a_silent_stall_becomes_stuck_once(conf, connection, inbox):
    counters, emitter, processor = _setup(conf, connection)
    boot = conftest.boot('stall_networking')
    test_processor.feed(processor, conftest.views(boot))
    assert connection.get_record(boot.instance_uuid)['status'] == 'building'
    detector = stuck_mod.StuckDetector(connection, lambda: DEADLINES,
                                       lambda: 100, counters,
                                       emitter=emitter)
    soon = conftest.START + datetime.timedelta(seconds=60)
    assert detector.run(now=soon) == []
    late = conftest.START + datetime.timedelta(hours=1)
    found = detector.run(now=late)
    assert [r.instance_uuid for r in found] == [boot.instance_uuid]
    record = connection.get_record(boot.instance_uuid)
    assert record['status'] == 'stuck'
    assert record['phase'] == 'networking'
    # A second search does not find it again, nor send anything.
    assert detector.run(now=late + datetime.timedelta(hours=1)) == []
    got = inbox.wait_for(1)
    assert len(got) == 1
    priority, ctxt, publisher, event_type, payload = got[0]
    assert (priority, event_type) == ('WARN', 'bootdoctor.boot.stuck')
    assert publisher == 'bootdoctor-collector:ctl1'
    assert payload['instance_uuid'] == boot.instance_uuid
    assert payload['phase'] == 'networking'
    assert payload['summary']
    assert ctxt['project_id'] == boot.identity.project_id
    assert ctxt['global_request_id'] == boot.identity.request_id
    assert counters.snapshot()['stuck_checks'] == 3


def test_a_failure_is_announced_once_across_collectors(
        conf, connection, inbox):
    boot = conftest.boot('bdm_failure')
    views = conftest.views(boot)
    # Two collectors on one database, each receiving the whole boot.
    for _ in range(2):
        _, _, processor = _setup(conf, connection)
        test_processor.feed(processor, views)
    got = inbox.wait_for(1)
    assert [(m[0], m[3]) for m in got] == [('ERROR',
                                            'bootdoctor.boot.failed')]
    payload = got[0][4]
    assert payload['status'] == 'error'
    assert payload['fault']['exception'] == 'BuildAbortException'
    assert payload['phase'] == 'block_device_mapping'


def test_no_notification_when_disabled(conf, connection, inbox):
    conf.set_override('emit_notifications', False, group='collector')
    _, _, processor = _setup(conf, connection)
    test_processor.feed(processor, conftest.views(
        conftest.boot('no_valid_host')))
    assert inbox.nothing() == []


def test_healthy_boots_send_nothing(conf, connection, inbox):
    _, _, processor = _setup(conf, connection)
    for name in ('success', 'reschedule_success', 'deleted_during_build'):
        test_processor.feed(processor, conftest.views(conftest.boot(name)))
    assert inbox.nothing() == []


def test_a_stuck_search_asks_the_reconciler(conf, connection):
    asked = []

    class Reconciler:
        def reconcile(self, records):
            asked.extend(r['instance_uuid'] for r in records)

    counters, _, processor = _setup(conf, connection)
    boot = conftest.boot('deleted_while_scheduling')
    test_processor.feed(processor, conftest.views(boot))
    detector = stuck_mod.StuckDetector(connection, lambda: DEADLINES,
                                       lambda: 100, counters,
                                       reconciler=Reconciler())
    detector.run(now=conftest.START + datetime.timedelta(hours=1))
    assert asked == [boot.instance_uuid]


def test_a_boot_nova_no_longer_knows_is_deleted_not_stuck(
        conf, connection, inbox):
    # A server deleted while scheduling sends nothing: the search finds
    # its boot silent, Nova answers 404, and the boot is a deletion, not
    # a stall; nothing is announced.
    nova = 'http://nova.test:8774/v2.1'
    conf.set_override('reconcile', True, group='nova')
    conf.set_override('auth_type', 'none', group='nova')
    conf.set_override('endpoint_override', nova, group='nova')
    counters, emitter, processor = _setup(conf, connection)
    boot = conftest.boot('deleted_while_scheduling')
    test_processor.feed(processor, conftest.views(boot))
    asked_at = conftest.START + datetime.timedelta(hours=1)
    reconciler = reconcile.NovaReconciler(conf, connection,
                                          clock=lambda: asked_at,
                                          host='ctl1')
    detector = stuck_mod.StuckDetector(connection, lambda: DEADLINES,
                                       lambda: 100, counters,
                                       emitter=emitter, reconciler=reconciler)
    with requests_mock.Mocker() as mock:
        mock.get('%s/servers/%s' % (nova, boot.instance_uuid),
                 status_code=404, json={'itemNotFound': {'code': 404}})
        assert detector.run(now=asked_at) == []
    record = connection.get_record(boot.instance_uuid)
    assert record['status'] == 'deleted'
    assert record['root_cause'] is None
    assert record['finished_at'] == asked_at.isoformat()
    # Nova's answer stands among the boot's events, and as a finding.
    answer = connection.events_for(boot.instance_uuid)[-1]
    assert answer['event_type'] == 'api.server.show'
    assert answer['payload'] == {'found': False,
                                 'instance_uuid': boot.instance_uuid}
    assert reconcile.FINDING % boot.instance_uuid in {
        f['key'] for f in connection.findings()}
    assert inbox.nothing() == []


class _CountingMarks:
    """A storage counting the marks asked of it, and its calls."""

    def __init__(self, connection):
        self.connection = connection
        self.calls = 0
        self.asked = []

    def mark_emitted_many(self, keys):
        self.calls += 1
        self.asked += keys
        return self.connection.mark_emitted_many(keys)


def test_a_known_mark_does_not_ask_storage_again(
        conf, connection, inbox, monkeypatch):
    storage = _CountingMarks(connection)
    emitter = emitter_mod.Emitter(conf, listener.get_transport(conf),
                                  storage, host='ctl1')
    where = {'step': 10, 'component': 'nova-scheduler'}
    failed = {'instance_uuid': 'u1', 'status': 'error', 'root_cause': where}
    # Another collector marked u2 before: storage refuses, once.
    assert connection.mark_emitted_many([('u2', 'error')])
    other = {'instance_uuid': 'u2', 'status': 'error', 'root_cause': where}
    # Both asked in one call; a boot named twice is asked and sent once.
    assert [u for _, u in emitter.emit_for([failed, other, failed])] == [
        'u1']
    assert (storage.calls, storage.asked) == (
        1, [('u1', 'error'), ('u2', 'error')])
    assert emitter.emit_for([failed, other, failed]) == []
    assert storage.calls == 1
    # The memo is bounded: past the bound the least recently seen marks
    # are forgotten and asked again, and storage still refuses them.
    monkeypatch.setattr(emitter_mod, 'MARKS_REMEMBERED', 1)
    third = {'instance_uuid': 'u3', 'status': 'error', 'root_cause': where}
    assert [u for _, u in emitter.emit_for([third])] == ['u3']
    assert (storage.calls, storage.asked[2:]) == (2, [('u3', 'error')])
    assert emitter.emit_for([failed]) == []
    assert (storage.calls, storage.asked[3:]) == (3, [('u1', 'error')])
    assert len(inbox.wait_for(2)) == 2


def _updated_at(connection, instance_uuid):
    return datetime.datetime.fromisoformat(
        connection.get_record(instance_uuid)['updated_at'])


def test_a_failure_is_announced_once_it_says_where(conf, connection, inbox):
    counters, emitter, processor = _setup(conf, connection)
    boot = conftest.boot('no_valid_host')
    views = conftest.views(boot)
    # Nova's update to the error state, before the conductor's fault.
    processor.process([views[0][1]], views[0][0])
    record = connection.get_record(boot.instance_uuid)
    assert record['status'] == 'error' and not record['fault']
    assert not emitter_mod.says_where(record)
    assert inbox.nothing() == []
    test_processor.feed(processor, views[1:])
    got = inbox.wait_for(1)
    assert len(got) == 1
    priority, _, _, event_type, payload = got[0]
    assert (priority, event_type) == ('ERROR', 'bootdoctor.boot.failed')
    assert payload['root_cause']['exception'] == 'NoValidHost'
    assert 'unknown' not in payload['summary']


def _failed_before_its_fault(conf, connection):
    """A NoValidHost boot of which only the error update was handled:
    (its boot, its views, the processor, a detector, its last update).
    """
    counters, emitter, processor = _setup(conf, connection)
    boot = conftest.boot('no_valid_host')
    views = conftest.views(boot)
    processor.process([views[0][1]], views[0][0])
    detector = stuck_mod.StuckDetector(connection, lambda: DEADLINES,
                                       lambda: 100, counters,
                                       emitter=emitter)
    return (boot, views, processor, detector,
            _updated_at(connection, boot.instance_uuid))


def test_the_search_announces_a_failure_whose_fault_never_came(
        conf, connection, inbox):
    boot, views, processor, detector, updated = _failed_before_its_fault(
        conf, connection)
    grace = emitter_mod.ANNOUNCE_GRACE
    detector.run(now=updated + grace / 2)
    assert inbox.nothing() == []
    detector.run(now=updated + grace + datetime.timedelta(seconds=1))
    detector.run(now=updated + grace + datetime.timedelta(seconds=2))
    got = inbox.wait_for(1)
    assert len(got) == 1
    _, _, _, event_type, payload = got[0]
    assert event_type == 'bootdoctor.boot.failed'
    assert payload['instance_uuid'] == boot.instance_uuid
    assert payload['summary'] == 'Failed at an unknown step: unknown error'
    # Its fault, coming after all, sends nothing more.
    test_processor.feed(processor, views[1:])
    assert inbox.wait_for(2, timeout=1) == got


def test_the_search_leaves_old_failures_alone(conf, connection, inbox):
    _, _, _, detector, updated = _failed_before_its_fault(conf, connection)
    # emit_notifications was off when it failed, say: an hour and more
    # later it is history, not news.
    detector.run(now=updated + emitter_mod.ANNOUNCE_WINDOW +
                 datetime.timedelta(seconds=1))
    assert inbox.nothing() == []


def test_with_notifications_off_the_search_does_not_look_for_failures(
        conf, connection, inbox, monkeypatch):
    _, _, _, detector, updated = _failed_before_its_fault(conf, connection)
    asked = []
    unannounced = connection.unannounced_failures
    monkeypatch.setattr(connection, 'unannounced_failures',
                        lambda *a, **kw: asked.append(a) or unannounced(
                            *a, **kw))
    later = updated + emitter_mod.ANNOUNCE_GRACE + datetime.timedelta(
        seconds=1)
    conf.set_override('emit_notifications', False, group='collector')
    detector.run(now=later)
    assert asked == []
    # Turned on again (a SIGHUP): the next search finds and sends it.
    conf.set_override('emit_notifications', True, group='collector')
    detector.run(now=later)
    assert len(asked) == 1
    got = inbox.wait_for(1)
    assert [m[3] for m in got] == ['bootdoctor.boot.failed']
