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

"""Batches against a real SQLite database: ack, requeue, reject."""

import copy
import datetime
import threading
import time

import pytest

from bootdoctor.collector import backlog as backlog_mod
from bootdoctor.collector import counters as counters_mod
from bootdoctor.collector import processor as processor_mod
from bootdoctor.db import exceptions as db_exc
from bootdoctor.tests.unit.collector import conftest

DEADLINES = {'scheduling': 300, 'networking': 300,
             'block_device_mapping': 600, 'spawning': 600}
NOW = conftest.START + datetime.timedelta(minutes=2)


class Flaky:
    """A real connection whose named methods fail the first ``times``."""

    def __init__(self, connection, method, error, times=1):
        self._connection = connection
        self._method = method
        self._error = error
        self.left = times

    def __getattr__(self, name):
        real = getattr(self._connection, name)
        if name != self._method:
            return real

        def call(*args, **kwargs):
            if self.left:
                self.left -= 1
                raise self._error
            return real(*args, **kwargs)
        return call


def _processor(connection, emitter=None, checks=None):
    counters = counters_mod.Counters()
    backoff = processor_mod.Backoff(0.01, 0.02)
    return processor_mod.BatchProcessor(
        connection, counters, backoff, lambda: DEADLINES, emitter=emitter,
        checks=checks, clock=lambda: NOW)


def feed(processor, views):
    """Hand the messages over per priority, as oslo.messaging does."""
    results = []
    for priority in sorted({p for p, _ in views}):
        results.append(processor.process(
            [m for p, m in views if p == priority], priority))
    return results


def test_a_boot_is_stored_and_acknowledged(connection):
    boot = conftest.boot('success')
    processor = _processor(connection)
    assert set(feed(processor, conftest.views(boot))) == {
        processor_mod.HANDLED}
    record = connection.get_record(boot.instance_uuid)
    assert record['status'] == 'active'
    totals = processor.counters.totals()
    assert totals['received'] == totals['processed'] == len(boot.emissions)
    assert totals['duplicates'] == totals['rejected'] == 0


def test_duplicates_change_nothing(connection):
    boot = conftest.boot('port_binding_failure')
    views = conftest.views(boot)
    processor = _processor(connection)
    feed(processor, views)
    first = connection.get_record(boot.instance_uuid)
    counts = connection.counts()
    assert set(feed(processor, copy.deepcopy(views))) == {
        processor_mod.HANDLED}
    assert connection.get_record(boot.instance_uuid) == first
    assert connection.counts() == counts
    totals = processor.counters.totals()
    assert totals['duplicates'] == len(boot.emissions)
    assert totals['processed'] == len(boot.emissions)


def test_an_unparsable_message_is_rejected_and_acknowledged(connection):
    boot = conftest.boot('success')
    views = conftest.views(boot)
    priority, broken = views[4]
    broken = copy.deepcopy(broken)
    broken['payload'] = {'nothing': 'useful'}
    broken_id = broken['metadata']['message_id']
    views[4] = (priority, broken)
    processor = _processor(connection)
    assert set(feed(processor, views)) == {processor_mod.HANDLED}
    rejections = connection.rejections()
    assert [r['message_id'] for r in rejections] == [broken_id]
    assert processor.counters.totals()['rejected'] == 1
    # The rest of the boot is there.
    assert connection.get_record(boot.instance_uuid)['status'] == 'active'


def test_a_down_database_requeues_then_succeeds(connection):
    boot = conftest.boot('no_valid_host')
    views = conftest.views(boot)
    flaky = Flaky(connection, 'add_observations',
                  db_exc.DBUnavailable('connection refused'))
    processor = _processor(flaky)
    messages = [m for _, m in views]
    assert processor.process(messages, 'INFO') == processor_mod.REQUEUE
    assert processor.backoff.delay == pytest.approx(0.01)
    assert connection.get_record(boot.instance_uuid) is None
    assert processor.counters.totals()['requeued'] == len(messages)
    assert processor.process(messages, 'INFO') == processor_mod.HANDLED
    assert processor.backoff.delay == 0
    assert connection.get_record(boot.instance_uuid)['status'] == 'error'


def test_a_batch_requeued_after_its_observations_still_builds(connection):
    # The observations commit, then saving the record fails: on
    # redelivery they are duplicates, and the record must still appear.
    boot = conftest.boot('success')
    flaky = Flaky(connection, 'rebuild_many',
                  db_exc.DBUnavailable('server closed the connection'))
    processor = _processor(flaky)
    messages = [m for _, m in conftest.views(boot)]
    assert processor.process(messages, 'INFO') == processor_mod.REQUEUE
    assert connection.get_record(boot.instance_uuid) is None
    assert processor.process(messages, 'INFO') == processor_mod.HANDLED
    assert connection.get_record(boot.instance_uuid)['status'] == 'active'
    assert processor.counters.totals()['duplicates'] == len(messages)


def test_a_message_failing_alone_is_rejected_the_rest_stored(connection):
    good = conftest.boot('success', seed=1)
    bad = conftest.boot('success', seed=2)

    class Picky(Flaky):
        def __getattr__(self, name):
            real = getattr(self._connection, name)
            if name != 'rebuild_many':
                return real

            def call(uuids, *args):
                if bad.instance_uuid in uuids:
                    raise RuntimeError('cannot read this one')
                return real(uuids, *args)
            return call

    processor = _processor(Picky(connection, None, None))
    bad_views = conftest.views(bad)
    messages = [m for _, m in conftest.views(good) + bad_views
                if m['priority'] == 'INFO']
    assert processor.process(messages, 'INFO') == processor_mod.HANDLED
    assert connection.get_record(good.instance_uuid)['status'] == 'active'
    rejected = {r['message_id'] for r in connection.rejections(limit=1000)}
    # The bad boot's messages, and the Glance downloads of its image to
    # its project (both boots': the bad boot may be the one each belongs
    # to, so storing one rebuilds the bad boot too).
    expected = {m['metadata']['message_id'] for _, m in bad_views} | {
        m['metadata']['message_id'] for m in messages
        if m['event_type'] == 'image.send'}
    assert rejected and rejected <= expected
    assert all('cannot read this one' in r['reason']
               for r in connection.rejections(limit=1000))


def test_stopping_cuts_a_backoff_short(connection):
    stopping = threading.Event()
    backoff = processor_mod.Backoff(60, 60, stopping)
    backoff.failed()
    stopping.set()
    assert backoff.wait() is False
    processor = processor_mod.BatchProcessor(
        connection, counters_mod.Counters(), backoff, lambda: DEADLINES)
    boot = conftest.boot('success')
    messages = [m for _, m in conftest.views(boot)]
    assert processor.process(messages, 'INFO') == processor_mod.REQUEUE
    assert connection.counts()['observations'] == 0


def test_backoff_doubles_up_to_its_maximum_and_resets():
    clock = [0.0]
    backoff = processor_mod.Backoff(1, 5, clock=lambda: clock[0])
    assert [backoff.failed() for _ in range(5)] == [1, 2, 4, 5, 5]
    backoff.succeeded()
    assert backoff.delay == 0
    assert backoff.wait() is True
    assert backoff.failed() == 1


def test_heartbeats_are_stored_per_exchange(connection):
    boot = conftest.boot('volume_backed')
    processor = _processor(connection)
    feed(processor, conftest.views(boot))
    processor.flush_heartbeats()
    beats = {b['exchange']: b['received'] for b in connection.heartbeats()}
    services = {}
    for emission in boot.emissions:
        services[emission.service] = services.get(emission.service, 0) + 1
    assert beats == services


def test_the_exchange_is_the_publishing_service():
    cases = {
        ('compute.cmp1', 'compute.instance.update'): 'nova',
        ('nova-compute:cmp1', 'instance.update'): 'nova',
        ('nova-conductor:ctl', 'compute_task.build_instances.error'): 'nova',
        ('network.ctl', 'port.create.end'): 'neutron',
        ('volume.st1@lvm', 'volume.attach.end'): 'cinder',
        ('image.localhost', 'image.send'): 'glance',
        ('identity.ctl', 'identity.authenticate'): 'keystone',
        ('images.example.com', 'image.send'): 'glance',
        (None, 'something.else'): 'unknown',
    }
    for (publisher, event_type), exchange in cases.items():
        assert counters_mod.exchange_of(publisher, event_type) == exchange


def test_publish_to_record_delays_are_measured(connection):
    boot = conftest.boot('success')
    processor = _processor(connection)
    now = datetime.datetime.now(datetime.timezone.utc)
    views = conftest.views(boot, start=now - datetime.timedelta(seconds=30))
    processor.clock = lambda: now
    feed(processor, views)
    delays = processor.counters.delays()
    assert delays['count'] == len(boot.emissions)
    # Sent 30 s ago, one a second: the delays run from about 30 s down.
    assert 30 - len(boot.emissions) < delays['p50'] < 31
    assert delays['p50'] <= delays['p99'] <= delays['max'] < 31
    # Duplicates are not delays.
    feed(processor, views)
    assert processor.counters.delays()['count'] == len(boot.emissions)


def _burn(seconds):
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def test_the_cpu_of_parsing_and_of_handling_is_counted_apart(
        connection, monkeypatch):
    from bootdoctor import notification
    from bootdoctor import pipeline
    parse, rebuild = notification.parse_listener, pipeline.rebuild
    calls = {'rebuild': 0}

    def slow_parse(*args, **kwargs):
        _burn(0.01)
        return parse(*args, **kwargs)

    def slow_rebuild(*args, **kwargs):
        calls['rebuild'] += 1
        _burn(0.3)
        return rebuild(*args, **kwargs)

    monkeypatch.setattr(notification, 'parse_listener', slow_parse)
    monkeypatch.setattr(pipeline, 'rebuild', slow_rebuild)
    boot = conftest.boot('success')
    processor = _processor(connection)
    assert processor.counters.cpu(process_seconds=0.0) == {
        'parsing': 0.0, 'handling': 0.0, 'periodic': 0.0, 'rest': 0.0}
    views = conftest.views(boot)
    feed(processor, views)
    cpu = processor.counters.cpu()
    # Each part holds what was burnt in it, and little more.
    assert 0.01 * len(views) <= cpu['parsing'] < 0.01 * len(views) + 0.25
    assert 0.3 * calls['rebuild'] <= cpu['handling'] < (
        0.3 * calls['rebuild'] + 0.25)
    assert cpu['periodic'] == 0.0
    assert cpu['rest'] == pytest.approx(
        time.process_time() - cpu['parsing'] - cpu['handling'], abs=0.05)
    line = counters_mod.describe_cpu(cpu, len(views))
    assert line.startswith('CPU per notification received: parsing %.0f '
                           'us, handling groups %.0f us' % (
                               cpu['parsing'] / len(views) * 1e6,
                               cpu['handling'] / len(views) * 1e6))
    assert counters_mod.describe_cpu(cpu, 0) == (
        'CPU per notification: none received yet')


def test_percentiles():
    counters = counters_mod.Counters()
    assert counters.delays() is None
    now = datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)
    counters.add_delays([now - datetime.timedelta(seconds=s)
                         for s in range(1, 101)], now)
    assert counters.delays() == {'count': 100, 'p50': 51.0, 'p99': 100.0,
                                 'max': 100.0}


def test_a_batch_nothing_can_be_stored_of_goes_back(connection):
    class Broken(Flaky):
        def __getattr__(self, name):
            if name in ('rebuild_many', 'add_rejection'):
                def fail(*args, **kwargs):
                    raise RuntimeError('disk on fire')
                return fail
            return getattr(self._connection, name)

    processor = _processor(Broken(connection, None, None))
    messages = [m for _, m in conftest.views(conftest.boot('success'))]
    assert processor.process(messages, 'INFO') == processor_mod.REQUEUE
    assert processor.backoff.delay > 0
    assert processor.counters.totals()['requeued'] == len(messages)


def _hold_first_group(processor):
    """Hold the processor's first group until the returned Event is set."""
    release = threading.Event()
    real = processor._process

    def held(batches):
        if processor.combiner.groups == 1:
            assert release.wait(10)
        return real(batches)

    processor.combiner._handle = held
    return release


def _until(condition):
    """Wait up to 5 s for ``condition()``; the caller asserts what it needs."""
    for _ in range(1000):
        if condition():
            return
        time.sleep(0.005)


def test_batches_arriving_together_are_handled_as_one_group(connection):
    """Concurrent batches (any priorities) go through one group commit and
    each gets its own acknowledgement; the records are those of the whole
    boot.
    """
    boot = conftest.boot('bdm_failure')
    views = conftest.views(boot)
    processor = _processor(connection)
    # Hold the first group until every other batch waits behind it.
    release = _hold_first_group(processor)
    first, rest = views[:1], views[1:]
    results = []
    threads = [threading.Thread(target=lambda p=p, m=m: results.append(
        processor.process([m], p))) for p, m in first + rest]
    threads[0].start()
    _until(lambda: processor.combiner.groups)
    for thread in threads[1:]:
        thread.start()
    _until(lambda: len(processor.combiner._waiting) == len(rest))
    assert len(processor.combiner._waiting) == len(rest)
    release.set()
    for thread in threads:
        thread.join(10)
    assert results == [processor_mod.HANDLED] * len(views)
    # One group for the first batch, one for all the others.
    assert processor.combiner.groups == 2
    assert processor.counters.snapshot()['batches'] == len(views)
    assert processor.counters.totals()['processed'] == len(views)
    assert connection.get_record(boot.instance_uuid)['status'] == 'error'
    assert {p for p, _ in rest} == {'INFO', 'ERROR'}


def test_a_batch_is_parsed_while_the_group_before_it_is_stored(connection):
    """Parsing needs no storage: a batch parses in its own thread before
    it waits for its turn, not inside the group that follows.
    """
    views = conftest.views(conftest.boot('success'))
    processor = _processor(connection)
    release = _hold_first_group(processor)
    real_parse = processor._parse
    parsed_while_held = []

    def parse(messages, priority):
        result = real_parse(messages, priority)
        if processor.combiner.groups == 1 and not release.is_set():
            parsed_while_held.append(len(messages))
        return result

    processor._parse = parse
    (p1, m1), (p2, m2) = views[0], views[1]
    results = []
    first = threading.Thread(
        target=lambda: results.append(processor.process([m1], p1)))
    first.start()
    _until(lambda: processor.combiner.groups)
    second = threading.Thread(
        target=lambda: results.append(processor.process([m2], p2)))
    second.start()
    _until(lambda: processor.combiner._waiting)
    # The second batch waits for its turn, already parsed.
    assert len(processor.combiner._waiting) == 1
    assert parsed_while_held == [1]
    release.set()
    first.join(10)
    second.join(10)
    assert results == [processor_mod.HANDLED] * 2
    assert processor.counters.totals()['processed'] == 2


def test_a_batch_of_several_priorities_is_one_group(connection):
    boot = conftest.boot('no_valid_host')
    views = conftest.views(boot)
    slices = [(priority, [m for p, m in views if p == priority])
              for priority in sorted({p for p, _ in views})]
    assert len(slices) > 1
    processor = _processor(connection)
    assert processor.process_batch(slices) == processor_mod.HANDLED
    assert processor.combiner.groups == 1
    assert connection.get_record(boot.instance_uuid)['status'] == 'error'
    totals = processor.counters.totals()
    assert totals['received'] == totals['processed'] == len(boot.emissions)


def test_only_full_batches_show_a_backlog(connection):
    processor = processor_mod.BatchProcessor(
        connection, counters_mod.Counters(), processor_mod.Backoff(1, 2),
        lambda: DEADLINES, clock=lambda: NOW, batch_size=10)
    seen = []
    processor.combiner._handle = lambda batches: seen.extend(
        (backlog_mod.full(batch[2], processor.batch_size),
         processor.backlog(batch))
        for batch in batches)
    processor.process_batch([('INFO', [])], received=9)
    processor.process_batch([('INFO', [])], received=10)
    # Without received, the messages given are what counts.
    processor.process_batch([('INFO', [])])
    assert seen == [(False, False), (True, True), (False, False)]
    unbounded = _processor(connection)
    unbounded.combiner._handle = lambda batches: seen.extend(
        (backlog_mod.full(batch[2], unbounded.batch_size),
         unbounded.backlog(batch))
        for batch in batches)
    unbounded.process_batch([('INFO', [])], received=1)
    assert seen[-1] == (True, True)


def _published_before(seconds, naive=False):
    stamp = NOW - datetime.timedelta(seconds=seconds)
    if naive:
        # oslo.messaging's Notifier writes str(utcnow()): naive UTC.
        stamp = stamp.replace(tzinfo=None)
    return {'event_type': 'compute.instance.update', 'payload': {},
            'publisher_id': 'compute.c1', 'ctxt': {},
            'metadata': {'message_id': 'm-%s' % seconds,
                         'timestamp': str(stamp)}}


def test_a_partial_batch_that_waited_in_the_broker_shows_a_backlog(
        connection):
    # A worker the stream outruns gets partial batches (its group holds
    # the interpreter while the listener receives): their age shows it.
    processor = processor_mod.BatchProcessor(
        connection, counters_mod.Counters(), processor_mod.Backoff(1, 2),
        lambda: DEADLINES, clock=lambda: NOW, batch_size=500)
    seen = []
    processor.combiner._handle = lambda batches: seen.extend(
        (backlog_mod.full(batch[2], processor.batch_size),
         backlog_mod.lagging(batch[3]), processor.backlog(batch))
        for batch in batches)
    limit = backlog_mod.AGE.total_seconds()
    for messages in ([_published_before(limit + 1)],
                     [_published_before(limit + 60, naive=True)],
                     [_published_before(limit - 1)],
                     # The first message is the one that waited longest.
                     [_published_before(0.1), _published_before(600)],
                     [{'event_type': 'x', 'metadata': {}}]):
        processor.process_batch([('INFO', messages)])
    assert seen == [(False, True, True), (False, True, True),
                    (False, False, False), (False, False, False),
                    (False, False, False)]
