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

"""read_messages(): JSON Lines, arrays and documents, bad lines reported."""

import io
import json

import pytest

from bootdoctor import notification
from bootdoctor.tests.unit.notification import samples


def read(data, **kw):
    return list(notification.read_messages(io.BytesIO(data), **kw))


def rows(name='a_boot_success'):
    return samples.jsonl('recorded', name + '.jsonl')


def describe(items):
    return [(line, item.reason if isinstance(item, notification.ParseError)
             else item['message_id']) for line, item in items]


def test_recorded_jsonl_by_path():
    items = list(notification.read_messages(
        samples.path('recorded', 'a_boot_success.jsonl')))
    assert [line for line, _item in items] == list(range(1, 23))
    assert [item for _line, item in items] == rows()


def test_bad_lines_do_not_stop_the_file():
    good = rows()[:2]
    data = b'\n'.join([
        json.dumps(good[0]).encode(),
        b'{"event_type": "compute.instance.update", ',
        b'',
        b'   ',
        b'\xff\xfe not utf-8 \x80',
        b'[1, 2]',
        b'"just a string"',
        json.dumps(good[1]).encode(),
    ]) + b'\n'
    assert describe(read(data)) == [
        (1, good[0]['message_id']),
        (2, 'line 2: not JSON (Expecting property name enclosed in double '
            'quotes at column 43)'),
        (5, 'line 5: not valid UTF-8 (byte 0)'),
        (6, 'not a notification: an integer, not an object'),
        (6, 'not a notification: an integer, not an object'),
        (7, 'not a notification: a string, not an object'),
        (8, good[1]['message_id']),
    ]


def test_invalid_utf8_inside_a_string_spoils_only_its_line():
    good = rows()[0]
    bad = json.dumps(good).replace('controller', 'contr\udcffoller', 1)
    data = (bad.encode('utf-8', 'surrogateescape') + b'\n' +
            json.dumps(good).encode() + b'\n')
    items = read(data)
    assert isinstance(items[0][1], notification.ParseError)
    assert items[1] == (2, good)


def test_a_line_with_an_array_yields_its_elements():
    good = rows()[:3]
    data = json.dumps(good).encode() + b'\n'
    assert read(data) == [(1, good[0]), (1, good[1]), (1, good[2])]


def test_several_pretty_printed_arrays_report_element_lines():
    good = rows()[:3]
    text = json.dumps(good[:2], indent=1) + '\n' + \
        json.dumps(good[2:], indent=1) + '\n'
    items = read(text.encode())
    starts = [i + 1 for i, line in enumerate(text.splitlines())
              if line == ' {']
    assert [line for line, _item in items] == starts
    assert [item for _line, item in items] == good


def test_a_broken_array_element_skips_to_the_next_array():
    good = rows()[:3]
    first = json.dumps(good[:2], indent=1)
    broken = first.replace('"event_type"', '"event_type" "x"', 1)
    second = json.dumps(good[2:], indent=1)
    items = read((broken + '\n' + second + '\n').encode())
    assert isinstance(items[0][1], notification.ParseError)
    assert 'the rest of it is skipped' in items[0][1].reason
    assert items[-1][1] == good[2]
    assert items[-1][0] == broken.count('\n') + 3
    assert len(items) == 2


def test_an_unclosed_array_is_reported():
    good = rows()[:1]
    text = json.dumps(good, indent=1)[:-2]
    items = read(text.encode())
    assert items[-1][1].reason.startswith('line ')
    assert 'not closed' in items[-1][1].reason or \
        'skipped' in items[-1][1].reason


def test_stacktach_template_file():
    items = list(notification.read_messages(samples.path(
        'legacy', 'stacktach-notigen',
        'compute.instance.create.start_24.json')))
    assert len(items) == 25
    assert isinstance(items[0][1], notification.ParseError)
    assert items[1][0] == 220
    assert items[1][1]['event_type'] == 'compute.instance.update'


def test_pretty_printed_single_message():
    items = list(notification.read_messages(
        samples.path('nova-samples', 'instance-create-end.json')))
    assert len(items) == 1
    line, item = items[0]
    assert line == 1
    assert item['event_type'] == 'instance.create.end'
    assert item['payload'] == {
        '$ref': 'common_payloads/InstanceCreatePayload.json#'}


def test_oversized_line_is_refused_without_decoding():
    good = rows()[0]
    big = dict(good, payload={'blob': 'x' * 5000})
    data = (json.dumps(big) + '\n' + json.dumps(good) + '\n').encode()
    assert describe(read(data, max_bytes=4096)) == [
        (1, 'line 1: larger than 4096 bytes'), (2, good['message_id'])]


def test_byte_order_mark_and_crlf():
    good = rows()[:2]
    data = b'\xef\xbb\xbf' + b'\r\n'.join(
        json.dumps(r).encode() for r in good) + b'\r\n'
    assert read(data) == [(1, good[0]), (2, good[1])]


def test_text_streams_are_read_too():
    good = rows()[:2]
    text = io.StringIO('\n'.join(json.dumps(r) for r in good) + '\n')
    assert list(notification.read_messages(text)) == [
        (1, good[0]), (2, good[1])]


def test_empty_file():
    assert read(b'') == []
    assert read(b'\n\n  \n') == []


def test_error_positions_are_file_lines():
    data = b'\n\n{\n"event_type": \n'
    assert describe(read(data)) == [
        (3, 'line 3: not JSON (Expecting value at line 5 column 1); skipped '
            'to the next line starting with [ or {')]


@pytest.mark.parametrize('data', [b'[', b'[1,', b'[{"a": 1} {"b": 2}]',
                                  b'{\n"a": \n', b'[\n{"a": NaN}\n]'])
def test_truncated_documents_end_in_an_error(data):
    items = read(data)
    assert items
    assert isinstance(items[-1][1], notification.ParseError)
