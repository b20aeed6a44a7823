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

import datetime
import time

from bootdoctor.collector import clock as clock_mod
from bootdoctor.collector import counters as counters_mod
from bootdoctor.collector import processor as processor_mod
from bootdoctor import pipeline
from bootdoctor.tests.unit.collector import conftest
from bootdoctor.tests.unit.collector import test_processor

START = conftest.START
LATER = START + datetime.timedelta(hours=1)


def _at(seconds):
    return START + datetime.timedelta(seconds=seconds)


def test_the_wall_clock_while_keeping_up():
    clock = clock_mod.StreamClock(wall=lambda: LATER)
    assert clock.now() == LATER
    clock.observe(False, [_at(5), _at(1)])
    assert not clock.behind and clock.now() == LATER


def test_the_newest_time_read_while_behind_never_ahead_of_the_wall():
    clock = clock_mod.StreamClock(wall=lambda: LATER)
    clock.observe(True, [_at(5), _at(9)])
    assert clock.behind and clock.now() == _at(9)
    # An older batch does not move the clock back.
    clock.observe(True, [_at(2)])
    assert clock.now() == _at(9)
    clock.observe(True, [LATER + datetime.timedelta(minutes=5)])
    assert clock.now() == LATER
    # A batch that was not full: caught up.
    clock.observe(False, [])
    assert clock.now() == LATER


def test_never_after_the_oldest_batch_being_handled_arrived():
    wall = [_at(100)]
    clock = clock_mod.StreamClock(wall=lambda: wall[0])
    first = clock.begin()
    wall[0] = _at(101)
    second = clock.begin()
    # The batches take long: the wall clock runs on, the judged time
    # stays at the arrival of the oldest one still being handled.
    wall[0] = _at(160)
    assert clock.now() == _at(100)
    clock.end(first)
    assert clock.now() == _at(101)
    clock.end(second)
    assert clock.now() == _at(160)
    # Ending twice, or an unknown token, changes nothing.
    clock.end(second)
    assert clock.now() == _at(160)


def test_a_stuck_search_during_a_slow_batch_waits_for_it(connection):
    # A boot's next messages are in a batch that takes long to store: a
    # stuck search meanwhile must not judge it by the wall clock.
    boot = conftest.boot('success')
    # Published as they arrive: no backlog.
    infos = [m for p, m in conftest.views(boot, start=LATER) if p == 'INFO']
    wall = [LATER]
    stream_clock = clock_mod.StreamClock(wall=lambda: wall[0])
    judged = []

    class Slow(test_processor.Flaky):
        def __getattr__(self, name):
            real = getattr(self._connection, name)
            if name != 'rebuild_many':
                return real

            def call(*args, **kwargs):
                # The search runs while this batch is being stored, an
                # hour of wall clock after it arrived.
                wall[0] = LATER + datetime.timedelta(hours=1)
                judged.append(stream_clock.now())
                return real(*args, **kwargs)
            return call

    processor = processor_mod.BatchProcessor(
        Slow(connection, None, None), counters_mod.Counters(),
        processor_mod.Backoff(0.01, 0.02), lambda: test_processor.DEADLINES,
        clock=lambda: wall[0], stream_clock=stream_clock, batch_size=1000)
    assert processor.process(infos, 'INFO') == processor_mod.HANDLED
    assert judged == [LATER]
    assert stream_clock.now() == LATER + datetime.timedelta(hours=1)


def _backlog_processor(connection, batch_size, arrived=LATER,
                       monotonic=time.monotonic):
    """A processor whose batches arrive at ``arrived``, judging stuck
    boots an hour after the first test boot's messages (``LATER``).
    """
    stream_clock = clock_mod.StreamClock(wall=lambda: LATER,
                                         monotonic=monotonic)
    return processor_mod.BatchProcessor(
        connection, counters_mod.Counters(),
        processor_mod.Backoff(0.01, 0.02), lambda: test_processor.DEADLINES,
        clock=lambda: arrived, stream_clock=stream_clock,
        batch_size=batch_size)


def test_a_boot_read_from_a_backlog_is_not_taken_for_stuck(connection):
    # The first half of a boot, an hour old, read in a full batch: its
    # next messages are still in the queue, it is not stuck.
    boot = conftest.boot('success')
    first = [m for p, m in conftest.views(boot) if p == 'INFO'][:10]
    processor = _backlog_processor(connection, batch_size=len(first))
    assert processor.process(first, 'INFO') == processor_mod.HANDLED
    assert connection.get_record(boot.instance_uuid)['status'] == 'building'


def test_a_boot_silent_once_caught_up_is_stuck(connection):
    # Its messages arrived as they were published, in a partial batch;
    # nothing came since: judged an hour later, it is stuck.
    boot = conftest.boot('success')
    first = [m for p, m in conftest.views(boot) if p == 'INFO'][:10]
    processor = _backlog_processor(connection, batch_size=len(first) + 1,
                                   arrived=_at(1))
    assert processor.process(first, 'INFO') == processor_mod.HANDLED
    assert not processor.stream_clock.behind
    assert connection.get_record(boot.instance_uuid)['status'] == 'stuck'


def test_a_partial_batch_of_old_messages_is_a_backlog_until_it_lapses(
        connection):
    # A busy worker draining an hour-old backlog: its listener's batches
    # are partial, but their messages waited an hour in the broker. The
    # boot's next messages may still be there: not stuck.
    boot = conftest.boot('success')
    first = [m for p, m in conftest.views(boot) if p == 'INFO'][:10]
    mono = [1000.0]
    processor = _backlog_processor(connection, batch_size=len(first) + 1,
                                   monotonic=lambda: mono[0])
    stream_clock = processor.stream_clock
    assert processor.process(first, 'INFO') == processor_mod.HANDLED
    assert stream_clock.behind
    assert connection.get_record(boot.instance_uuid)['status'] == 'building'
    newest = stream_clock.now()
    assert newest < LATER
    # Nothing arrives: after LAPSE seconds the broker had nothing more.
    mono[0] += clock_mod.LAPSE - 0.5
    assert stream_clock.now() == newest
    mono[0] += 1
    assert not stream_clock.behind and stream_clock.now() == LATER
    records = pipeline.rebuild(connection, [boot.instance_uuid],
                               now=stream_clock.now(),
                               deadlines=test_processor.DEADLINES)
    assert [r.status for r in records] == ['stuck']


def test_no_lapse_while_a_batch_is_being_handled():
    mono = [0.0]
    clock = clock_mod.StreamClock(wall=lambda: LATER,
                                  monotonic=lambda: mono[0])
    token = clock.begin()
    clock.observe(True, [_at(5)])
    # A slow database: the batch is handled for longer than LAPSE.
    mono[0] += clock_mod.LAPSE * 3
    assert clock.behind and clock.now() == _at(5)
    clock.end(token)
    mono[0] += clock_mod.LAPSE - 0.5
    assert clock.behind
    mono[0] += 1
    assert not clock.behind


def test_partial_batches_handled_as_one_group_are_no_backlog(connection):
    # Two partial batches of one boot merged into a group as large as a
    # batch: the listener had caught up, the stream has ended, and the
    # silent boot is judged by the wall clock (it is stuck).
    boot = conftest.boot('success')
    first = [m for p, m in conftest.views(boot) if p == 'INFO'][:10]
    processor = _backlog_processor(connection, batch_size=len(first))
    stream_clock = processor.stream_clock
    half = len(first) // 2
    items = [(part, processor._parse(part, 'INFO'), len(part), None)
             for part in (first[:half], first[half:])]
    assert processor._process(items) == processor_mod.HANDLED
    assert not stream_clock.behind
    assert connection.get_record(boot.instance_uuid)['status'] == 'stuck'
    # The newest batch full: behind.
    processor._process([(first, processor._parse(first, 'INFO'),
                         len(first), None)])
    assert stream_clock.behind
