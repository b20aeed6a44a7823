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

"""The message's JSON text made by parsing, and the checks made with it.

Parsing checks a message with the masking walk and the C encoder, and
walks it again with check_json only to name a fault. Whatever the value,
it must accept and refuse exactly what check_json on the whole message
does, with the same words.
"""

import copy
import datetime
import json

from hypothesis import given
from hypothesis import HealthCheck
from hypothesis import settings
from hypothesis import strategies as st
import pytest

from bootdoctor.db import types
from bootdoctor import notification
from bootdoctor.notification import envelope
from bootdoctor.notification import fields
from bootdoctor.notification import plain
from bootdoctor.tests.unit.notification import samples


def row(name='a_boot_success', index=20):
    return samples.jsonl('recorded', name + '.jsonl')[index]


def _stored(value):
    """The text storage's JSON column writes for a value."""
    return types.JSONText().process_bind_param(value, None)


RECORDED = ('a_boot_success', 'c_no_valid_host', 'e2_spawn_fail_single_host')
REAL = [m for name in RECORDED
        for m in samples.jsonl('recorded', name + '.jsonl')]


def test_real_messages_carry_the_text_storage_would_write():
    assert len(REAL) >= 60
    for message in REAL:
        parsed = notification.parse(message)
        assert parsed.message_json == _stored(parsed.message)
        assert json.loads(parsed.message_json) == parsed.message


def test_the_text_is_of_the_masked_message():
    message = row()
    message['ctxt']['auth_token'] = 'gAAAAAB-secret'
    parsed = notification.parse(message)
    assert 'gAAAAAB-secret' not in parsed.message_json
    assert json.loads(parsed.message_json)['ctxt']['auth_token'] == '***'


def test_non_ascii_text_is_escaped_as_storage_writes_it():
    message = row()
    message['payload']['display_name'] = 'vm-é-\U0001F600'
    parsed = notification.parse(message)
    assert parsed.message_json.isascii()
    assert parsed.message_json == _stored(parsed.message)
    assert '\\ud83d\\ude00' in parsed.message_json


def test_a_lone_surrogate_is_refused_not_stored():
    message = row()
    message['payload']['display_name'] = 'vm-\ud83d'
    with pytest.raises(notification.ParseError) as exc:
        notification.parse(message)
    assert exc.value.reason == \
        'payload.display_name: not valid UTF-8 (lone surrogate)'


def test_nesting_only_the_flattened_context_makes_too_deep_is_refused():
    # Deep enough for the message, one level too deep once the
    # _context_ keys become the ctxt object.
    message = {'event_type': 'compute.instance.create.start',
               'publisher_id': 'compute.host1', 'priority': 'INFO',
               'timestamp': '2026-11-25 08:42:21.665574',
               'message_id': 'c1b7b1a4-0e6f-4a57-8a0b-6f5f2d1e6a10',
               'payload': {'instance_id':
                           'e0dc8a4b-6a2b-4dd5-a5b2-1d8d5b7c2a10'},
               '_context_deep': {}}
    node = message['_context_deep']
    for _ in range(envelope.DEFAULT_MAX_DEPTH - 2):
        node['x'] = {}
        node = node['x']
    node['x'] = 1
    envelope.check(message)  # the message itself is within the bound
    with pytest.raises(notification.ParseError) as exc:
        notification.parse(message)
    assert exc.value.reason == 'message: nesting too deep'


def test_encode_refuses_what_is_not_json():
    for value in ({'a': float('nan')}, {'a': {1, 2}},
                  {'a': datetime.datetime(2026, 1, 1)}):
        with pytest.raises(fields.NotPlain):
            plain.encode(value, 1000)
    with pytest.raises(notification.ParseError) as exc:
        plain.encode({'a': 'x' * 100}, 50)
    assert exc.value.reason == 'message: larger than 50 bytes'


def test_redact_refuses_keys_tuples_and_depth_it_is_given():
    with pytest.raises(fields.NotPlain):
        fields.redact({'a': {1: 'x'}})
    with pytest.raises(fields.NotPlain):
        fields.redact({'a': [(1, 2)]})
    deep = {'a': {'b': {'c': 1}}}
    assert fields.redact(deep, 3) is deep
    with pytest.raises(fields.NotPlain):
        fields.redact(deep, 2)
    # An empty object is a level itself, and adds none below it.
    assert fields.redact({'a': {}}, 1) == {'a': {}}
    with pytest.raises(fields.NotPlain):
        fields.redact({'a': {'b': {}}}, 1)


_CHARS = st.sampled_from(['a', 'Z', 'é', '\udcff', '\ud83d', '\U0001F600',
                          '"', '\\', '\n', '\x00'])
_TEXT = st.lists(_CHARS, max_size=4).map(''.join)
_SCALARS = (st.none() | st.booleans() | st.integers() | _TEXT
            | st.floats(allow_nan=True, allow_infinity=True)
            | st.just(datetime.datetime(2026, 1, 1)) | st.just({1, 2})
            | st.just(b'bytes'))
_KEYS = _TEXT | st.integers(max_value=9, min_value=0) | st.just(None)
_VALUES = st.recursive(
    _SCALARS,
    lambda children: (st.lists(children, max_size=3)
                      | st.lists(children, max_size=2).map(tuple)
                      | st.dictionaries(_KEYS, children, max_size=3)),
    max_leaves=12)


def _deep(value, levels):
    for _ in range(levels):
        value = {'d': value}
    return value


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(_VALUES, st.sampled_from([0, 0, 0, 44, 45, 46, 47]))
def test_same_verdict_and_words_as_walking_the_whole_message(value, levels):
    message = row()
    message['payload']['extra'] = _deep(value, levels)
    try:
        envelope.check(copy.deepcopy(message))
    except notification.ParseError as exc:
        expected = exc.reason
    else:
        expected = None
    try:
        parsed = notification.parse(message)
    except notification.ParseError as exc:
        assert exc.reason == expected
    else:
        assert expected is None
        assert parsed.message_json == _stored(parsed.message)
