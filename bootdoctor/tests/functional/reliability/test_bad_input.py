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

"""Bad input through bootdoctor-manage replay, between real boot streams.

Every kind of bad notification is interleaved with the recorded Nova
streams. Each must be rejected with its reason (counted, logged and
stored), the lines after it must still be read, and the boot records must
be exactly those of the clean streams.
"""

import copy
import datetime
import json
import logging
import os
import re
import subprocess
import sys

import pytest

from bootdoctor import notification
from bootdoctor.tests.functional.reliability import streams
from bootdoctor.tests.unit.notification import test_bad_input as unit_cases

SUCCESS, NO_VALID_HOST, SPAWN_FAIL = streams.STREAMS
TEN_MB = 10 * 1024 * 1024


def _dump(value):
    return json.dumps(value).encode('utf-8')


def _envelope(message, version='2.0'):
    return {'oslo.version': version, 'oslo.message': json.dumps(message)}


def _set(tree, path, value):
    for key in path[:-1]:
        tree = tree[key]
    tree[path[-1]] = value


def _get(tree, path):
    for key in path:
        tree = tree[key]
    return tree


def bad_lines():
    """(label, raw line, reason pattern) for every kind of bad input.

    The spoiled messages are copies of real ones and keep their message
    ids: a rejection must not stand in the way of the good copy.
    """
    by_stream = {os.path.basename(p)[:-len('.jsonl')]: streams.messages(p)
                 for p in streams.STREAMS}
    legacy_end = by_stream['a_boot_success'][20]
    versioned_end = by_stream['a_boot_success'][21]
    spec = by_stream['a_boot_success'][0]
    cases = [
        ('not JSON', b'compute.instance.update instance_id=1 state=building',
         r'line \d+: not JSON \(Expecting value at column 1\)'),
        ('truncated JSON', _dump(legacy_end)[:200],
         r'line \d+: not JSON \(Unterminated string'),
        ('NaN', b'{"event_type": "compute.instance.update", "x": NaN}',
         r'line \d+: not JSON \(NaN is not a JSON number\)'),
        ('JSON null', b'null', r'not a notification: null, not an object'),
        ('JSON string', b'"compute.instance.update"',
         r'not a notification: a string, not an object'),
        ('array of a number', b'[1]',
         r'not a notification: an integer, not an object'),
        ('empty object', b'{}', r'event_type: missing'),
        ('oslo.version 3.0', _dump(_envelope(legacy_end, '3.0')),
         r"oslo\.version: unsupported envelope version '3\.0'"),
        ('oslo.version 1.0', _dump(_envelope(legacy_end, '1.0')),
         r"oslo\.version: unsupported envelope version '1\.0'"),
        ('oslo.version a number',
         _dump({'oslo.version': 2.0, 'oslo.message': '{}'}),
         r'oslo\.version: expected a string, got a number'),
        ('oslo.message missing', _dump({'oslo.version': '2.0'}),
         r'oslo\.message: missing'),
        ('oslo.message an object',
         _dump({'oslo.version': '2.0', 'oslo.message': legacy_end}),
         r'oslo\.message: expected a JSON string, got an object'),
        ('oslo.message a number',
         _dump({'oslo.version': '2.0', 'oslo.message': 42}),
         r'oslo\.message: expected a JSON string, got an integer'),
        ('oslo.message not JSON',
         _dump({'oslo.version': '2.0', 'oslo.message': '{"event_type": '}),
         r'oslo\.message: not JSON'),
        ('unknown event type',
         _dump(dict(legacy_end, event_type='compute.instance.resize.end')),
         r"event_type: unknown event type 'compute\.instance\.resize\.end'"),
        ('long unknown event type',
         _dump(dict(legacy_end, event_type='x' * 5000)),
         r"event_type: unknown event type 'xxx"),
        ('invalid UTF-8',
         _dump(legacy_end).replace(b'"display_name": "',
                                   b'"display_name": "\xff\xfe', 1),
         r'line \d+: not valid UTF-8 \(byte \d+\)'),
        ('lone surrogate',
         _dump(legacy_end).replace(b'"display_name": "',
                                   b'"display_name": "\\udcff', 1),
         r'payload\.display_name: not valid UTF-8 '
         r'\(lone surrogate\)'),
        ('10 MB payload',
         _dump(dict(legacy_end, payload=dict(legacy_end['payload'],
                                             blob='x' * TEN_MB))),
         r'line \d+: larger than 1048576 bytes'),
        ('10 MB envelope',
         _dump(_envelope(dict(legacy_end, payload=dict(
             legacy_end['payload'], blob='x' * TEN_MB)))),
         r'line \d+: larger than 1048576 bytes'),
        ('nesting beyond the decoder',
         b'{"event_type": ' + b'[' * 100000 + b']' * 100000 + b'}',
         r'line \d+: nesting too deep to decode'),
        ('nesting beyond the limit',
         _dump(dict(legacy_end, payload=dict(
             legacy_end['payload'],
             metadata=json.loads('{"x": ' * 200 + '1' + '}' * 200)))),
         r'message: nesting deeper than 48 levels'),
        ('nesting beyond the decoder in an envelope',
         _dump({'oslo.version': '2.0',
                'oslo.message': '[' * 100000 + ']' * 100000}),
         r'oslo\.message: nesting too deep to decode'),
        ('legacy instance id not a UUID',
         _dump(_changed(legacy_end, ('payload', 'instance_id'), 'i-123')),
         r"payload\.instance_id: not a UUID \('i-123'\)"),
        ('versioned uuid not a UUID',
         _dump(_changed(versioned_end,
                        ('payload', 'nova_object.data', 'uuid'), '42')),
         r"payload\.nova_object\.data\.uuid: not a UUID \('42'\)"),
        ('request spec uuid not a UUID',
         _dump(_changed(spec, ('payload', 'request_spec',
                               'instance_properties', 'uuid'),
                        'instance-00000001')),
         r"payload\.request_spec\.instance_properties\.uuid: not a UUID"),
        ('timestamp a year ahead',
         _dump(dict(legacy_end, timestamp='2027-11-25 08:42:21.665574')),
         r'timestamp: 2027-11-25T08:42:21\.665574\+00:00 is \d+ s after '
         r'the message was received'),
        ('timestamp far ahead with a zone',
         _dump(dict(legacy_end, timestamp='2099-01-01T09:00:00+09:00')),
         r'timestamp: 2099-01-01T00:00:00\+00:00 is \d+ s after'),
        ('context timestamp far ahead',
         _dump(_without_timestamp(legacy_end, '2099-01-01T00:00:00')),
         r'timestamp: 2099-01-01T00:00:00\+00:00 is \d+ s after'),
        ('user id of 100 characters',
         _dump(_changed(legacy_end, ('ctxt', 'user_id'), 'u' * 100)),
         r"user_id: longer than 64 characters \('uuu"),
        ('publisher id of 300 characters',
         _dump(dict(legacy_end, publisher_id='compute.' + 'h' * 300)),
         r'publisher_id: longer than 255 characters'),
        ('host of 300 characters',
         _dump(_changed(legacy_end, ('payload', 'host'), 'h' * 300)),
         r"host: longer than 255 characters \('hhh"),
        ('timestamp not a time',
         _dump(dict(legacy_end, timestamp='yesterday')),
         r"timestamp: not a date and time \('yesterday'\)"),
        ('timestamp a number',
         _dump(dict(legacy_end, timestamp=1795596141.6)),
         r'timestamp: expected a string, got a number'),
        ('timestamp month 13',
         _dump(dict(legacy_end, timestamp='2026-13-25 08:42:21')),
         r'timestamp: not a date and time .*month must be in 1\.\.12'),
        ('timestamp zone out of range',
         _dump(dict(legacy_end, timestamp='2026-11-25T08:42:21+25:00')),
         r'timestamp: not a date and time .*zone offset out of range'),
    ]
    # Wrong types in every field the parser reads: the fields found by the
    # parser's own tests, each replaced by a list holding its value.
    for name, index, path in unit_cases.FIELDS_READ:
        message = copy.deepcopy(by_stream[name][index])
        _set(message, path, [_get(message, path)])
        cases.append(('%s[%d] %s' % (name, index, '.'.join(path)),
                      _dump(message), '^' + re.escape('.'.join(path))))
    return cases


def _changed(message, path, value):
    message = copy.deepcopy(message)
    _set(message, path, value)
    return message


def _without_timestamp(message, context_time):
    message = copy.deepcopy(message)
    del message['timestamp']
    message['ctxt']['timestamp'] = context_time
    return message


BAD = bad_lines()


def _dirty_files(tmp_path):
    """Each stream with its share of bad lines.

    A third come before any good line (the bad copy arrives first), the
    rest between the good lines.
    """
    paths, expected = [], []
    share = len(BAD) // len(streams.STREAMS) + 1
    for number, path in enumerate(streams.STREAMS):
        bad = BAD[number * share:(number + 1) * share]
        first = bad[:len(bad) // 3]
        rest = bad[len(bad) // 3:]
        raw = [line for _, line, _ in first] + streams.interleave(
            streams.lines(path), [line for _, line, _ in rest])
        paths.append(streams.write(tmp_path / os.path.basename(path), raw))
        expected.append((paths[-1], raw, bad))
    return paths, expected


def test_every_kind_of_bad_input_is_covered():
    labels = ' '.join(label for label, _, _ in BAD)
    for kind in ('not JSON', 'oslo.version', 'oslo.message missing',
                 'oslo.message an object', '10 MB', 'nesting',
                 'invalid UTF-8', 'unknown event type', 'not a UUID',
                 'timestamp a year ahead', 'ctxt.request_id',
                 'payload.nova_object.data.host'):
        assert kind in labels, kind
    assert len(BAD) > 150


def test_bad_input_is_rejected_and_records_stay_clean(tmp_path, caplog):
    clean_feed, clean = streams.run(streams.STREAMS)
    assert len(clean) == 3 and not clean_feed.rejected

    paths, expected = _dirty_files(tmp_path)
    caplog.set_level(logging.WARNING, logger='bootdoctor.manage.replay')
    feed, dirty = streams.run(paths)

    # Every bad line rejected, once, with its own reason, at its own line.
    rejected = {item['where']: item['reason'] for item in feed.rejected}
    assert len(feed.rejected) == len(BAD) == len(rejected)
    for path, raw, bad in expected:
        for label, line, pattern in bad:
            number = raw.index(line) + 1
            reason = rejected['%s:%d' % (path, number)]
            assert re.search(pattern, reason), (label, reason)
            assert not reason.startswith('internal error'), (label, reason)
    # ... logged, and stored with its reason.
    logged = [r.getMessage() for r in caplog.records
              if r.getMessage().startswith('Rejected ')]
    assert len(logged) == len(BAD)
    assert sorted(logged) == sorted('Rejected %s: %s' % item
                                    for item in rejected.items())
    stored = feed.connection.rejections(limit=None)
    assert sorted((r['source'], r['reason']) for r in stored) == \
        sorted(rejected.items())
    assert all(len(r['raw'] or '') < 2 * 1024 * 1024 for r in stored)

    # The stream went on: every good message was read and kept, none of
    # the rejected copies counted as a duplicate, and the records are the
    # clean ones, byte for byte.
    assert feed.received == clean_feed.received + len(BAD)
    assert feed.duplicates == clean_feed.duplicates == 0
    assert dirty == clean
    assert feed.connection.counts() == clean_feed.connection.counts() | {
        'rejections': len(BAD)}


@pytest.mark.parametrize('form', [
    lambda t: t.strftime('%Y-%m-%dT%H:%M:%S.%fZ'),
    lambda t: t.isoformat(),
    lambda t: t.astimezone(datetime.timezone(datetime.timedelta(
        hours=5, minutes=30))).isoformat(),
    lambda t: t.astimezone(datetime.timezone(-datetime.timedelta(
        hours=8))).strftime('%Y-%m-%d %H:%M:%S.%f-0800'),
    lambda t: t.replace(tzinfo=None).isoformat(),
], ids=['Z', '+00:00', '+05:30', '-0800', 'no zone, T'])
def test_timestamps_with_and_without_zones_give_the_same_records(
        tmp_path, form):
    """oslo.messaging writes UTC with no zone; other tools add one."""
    _, clean = streams.run(streams.STREAMS)
    paths = []
    for path in streams.STREAMS:
        rewritten = []
        for message in streams.messages(path):
            when = notification.parse(message).observations[0].timestamp
            rewritten.append(_dump(dict(message, timestamp=form(when))))
        paths.append(streams.write(tmp_path / os.path.basename(path),
                                   rewritten))
    feed, records = streams.run(paths)
    assert not feed.rejected
    assert records == clean


def test_a_clock_minutes_ahead_is_accepted_an_hour_ahead_is_not():
    _, clean = streams.run(streams.STREAMS)
    first = min(notification.parse(m).observations[0].timestamp
                for p in streams.STREAMS for m in streams.messages(p))
    # The services' clocks run ten minutes ahead of the reader's.
    feed, records = streams.run(
        streams.STREAMS,
        clock=lambda: first - datetime.timedelta(minutes=10))
    assert not feed.rejected and records == clean
    # Two hours ahead: every message is refused, nothing is recorded.
    feed, records = streams.run(
        streams.STREAMS, clock=lambda: first - datetime.timedelta(hours=2))
    assert len(feed.rejected) == feed.received == 60
    assert records == {}
    assert all('after the message was received' in r['reason']
               for r in feed.rejected)


def _manage(*args):
    return subprocess.run(
        [sys.executable, '-c',
         'import sys; from bootdoctor.cmd import manage; '
         'sys.exit(manage.main())', 'replay', '--format', 'json',
         '--now', streams.NOW.isoformat()] + list(args),
        capture_output=True, text=True, timeout=120, check=False)


def test_the_replay_command_reports_each_rejection_and_goes_on(tmp_path):
    clean = _manage(*streams.STREAMS)
    assert clean.returncode == 0, clean.stderr
    paths, _ = _dirty_files(tmp_path)
    dirty = _manage('--strict', *paths)
    # --strict: the command fails because input was rejected ...
    assert dirty.returncode == 1, dirty.stderr
    # ... after printing the same boots as the clean streams ...
    assert json.loads(dirty.stdout) == json.loads(clean.stdout)
    assert len(json.loads(dirty.stdout)['boots']) == 3
    # ... and counting and naming every rejection.
    assert '60 notifications read, 0 duplicates, 0 rejected, 3 boots' in \
        clean.stderr
    assert ('%d notifications read, 0 duplicates, %d rejected, 3 boots'
            % (60 + len(BAD), len(BAD))) in dirty.stderr
    assert len(re.findall(r'^rejected \S+:\d+: ', dirty.stderr,
                          re.MULTILINE)) == len(BAD)
    assert len(re.findall(r'WARNING bootdoctor\.manage\.replay .*Rejected ',
                          dirty.stderr)) == len(BAD)


def test_a_message_storage_refuses_does_not_lose_its_batch(
        tmp_path, monkeypatch):
    """A message storage cannot hold is rejected alone.

    Should one pass parsing, replay stores the good messages batched with
    it and rejects it with storage's reason.
    """
    from bootdoctor.notification import parser
    monkeypatch.setattr(parser, 'FIELD_LENGTHS', ())
    _, clean = streams.run(streams.STREAMS)
    message = streams.messages(SUCCESS)[20]
    message = _changed(message, ('ctxt', 'user_id'), 'u' * 100)
    message['message_id'] = 'a-new-message-id'
    raw = streams.lines(SUCCESS)
    path = streams.write(tmp_path / 'refused.jsonl',
                         raw[:10] + [_dump(message)] + raw[10:])
    feed, records = streams.run([path] + streams.STREAMS[1:])
    assert [r['where'] for r in feed.rejected] == ['%s:11' % path]
    assert feed.rejected[0]['reason'].startswith(
        'refused by storage: message a-new-message-id instance ')
    assert 'user_id is 100 characters long' in feed.rejected[0]['reason']
    assert records == clean
