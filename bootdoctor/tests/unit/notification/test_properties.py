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

"""Property tests: parsing never fails with anything but ParseError.

Arbitrary JSON, notification-shaped dicts and real upstream messages
with random mutations at random places must either parse into valid
observations or be rejected with a ParseError whose reason is not an
internal error.
"""

import copy
import io
import json

from hypothesis import given
from hypothesis import HealthCheck
from hypothesis import settings
from hypothesis import strategies as st

from bootdoctor import notification
from bootdoctor import observation
from bootdoctor.tests.unit.notification import samples

SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.data_too_large])

TEXT = st.text(max_size=20) | st.sampled_from([
    '', ' ', '\udcff', '\x00', 'compute:nova', 'scheduling', 'error',
    '2026-11-25 08:42:21.665574', '2026-11-25T08:42:21Z', 'NOW',
    '07eae9ba-0682-4b41-a7c4-76ec68eed449', '[[[[UUID_1]]]]', '{',
    "{'kwargs': {'code': 500}, 'class': 'NoValidHost'}", 'nova_object.data'])
SCALARS = (st.none() | st.booleans() | st.integers() |
           st.floats(allow_nan=True, allow_infinity=True) | TEXT)
JSON = st.recursive(
    SCALARS,
    lambda children: (st.lists(children, max_size=4) |
                      st.dictionaries(TEXT, children, max_size=4)),
    max_leaves=25)
EVENT_TYPES = st.sampled_from(sorted(notification.event_types())) | TEXT


def _real_messages():
    messages = []
    for name in ('a_boot_success', 'c_no_valid_host',
                 'e2_spawn_fail_single_host'):
        messages.extend(samples.jsonl('recorded', name + '.jsonl'))
    for number in (24, 65):
        messages.extend(samples.notigen(number)[0][:12])
    for name in samples.NOVA_SAMPLES:
        messages.append(samples.nova_sample(name))
    for events in ('ports', 'volumes'):
        messages.extend(samples.load('other', 'searchlight',
                                     events + '.json').values())
    messages.extend(samples.load('legacy', 'searchlight',
                                 'servers.json').values())
    for name in ('event_notifications.rst_L270_example_notification_'
                 'authentication.json',
                 'event_notifications.rst_L462_example_notification_'
                 'invalid_password_authentication.json'):
        messages.append(samples.load('other', 'keystone', name))
    messages.append(samples.ceilometer('other', 'ceilometer',
                                       'IMAGE_NOTIFICATION_SEND.json'))
    return messages


REAL = _real_messages()
WHEN = '2026-11-25T08:00:00Z'
WRONG = ([], {}, 7, 1.5, True, None, '', 'x')


def _representatives():
    """One real message per event type and payload shape."""
    seen = {}
    for message in REAL:
        payload = message.get('payload') or {}
        seen.setdefault((message.get('event_type'), json.dumps(
            sorted(payload))), message)
    return list(seen.values())


def check(message):
    """Parse; return the result, or None for a clean rejection."""
    try:
        parsed = notification.parse(message, default_timestamp=WHEN)
    except notification.ParseError as exc:
        assert isinstance(exc.reason, str) and exc.reason
        assert not exc.reason.startswith('internal error'), exc.reason
        return None
    json.dumps(parsed.message, allow_nan=False)
    keys = set()
    for obs in parsed.observations:
        assert obs.kind in observation.KINDS
        assert obs.key not in keys
        keys.add(obs.key)
        assert obs.timestamp.utcoffset().total_seconds() == 0
        json.dumps(obs.to_dict(), allow_nan=False)
    return parsed


def mutate(data, message):
    """Apply one random change at a random place in ``message``."""
    where = data.draw(st.sampled_from(list(samples.paths(message))))
    if not where:
        return data.draw(JSON)
    parent = message
    for key in where[:-1]:
        parent = parent[key]
    key = where[-1]
    action = data.draw(st.sampled_from(
        ['replace', 'delete', 'wrap', 'insert', 'stringify']))
    if action == 'replace':
        parent[key] = data.draw(JSON)
    elif action == 'delete':
        del parent[key]
    elif action == 'wrap':
        parent[key] = [parent[key]]
    elif action == 'stringify':
        parent[key] = json.dumps(parent[key])
    elif isinstance(parent, dict):
        parent[data.draw(TEXT)] = data.draw(JSON)
    else:
        parent.insert(key, data.draw(JSON))
    return message


def test_every_place_of_real_messages_with_wrong_values():
    """Exhaustive: each value of each real shape, replaced by each type."""
    count = 0
    for original in _representatives():
        message = copy.deepcopy(original)
        for where in list(samples.paths(message))[1:]:
            parent = message
            for key in where[:-1]:
                parent = parent[key]
            saved = parent[where[-1]]
            for value in WRONG:
                parent[where[-1]] = value
                check(message)
                count += 1
            parent[where[-1]] = saved
    assert count > 10000


@SETTINGS
@given(JSON)
def test_arbitrary_json(value):
    check(value)


@SETTINGS
@given(st.fixed_dictionaries(
    {'event_type': EVENT_TYPES, 'payload': JSON, 'publisher_id': JSON},
    optional={'priority': JSON, 'message_id': JSON, 'timestamp': JSON,
              'ctxt': JSON, 'metadata': JSON, '_context_request_id': JSON,
              '_unique_id': JSON}))
def test_notification_shaped_dicts(message):
    check(message)


@SETTINGS
@given(st.data())
def test_mutated_real_messages(data):
    message = copy.deepcopy(data.draw(st.sampled_from(REAL)))
    for _ in range(data.draw(st.integers(1, 3))):
        message = mutate(data, message)
    check(message)


@SETTINGS
@given(st.data())
def test_mutated_real_messages_in_the_envelope(data):
    message = mutate(data, copy.deepcopy(data.draw(st.sampled_from(REAL))))
    try:
        body = json.dumps(message)
    except ValueError:
        return
    check({'oslo.version': '2.0', 'oslo.message': body})


@SETTINGS
@given(st.sampled_from(REAL))
def test_accepted_messages_are_stable(message):
    """Parsing is deterministic and the kept message parses the same."""
    first = check(copy.deepcopy(message))
    if first is None:
        return
    second = check(copy.deepcopy(message))
    again = check(first.message)
    for other in (second, again):
        assert other.message == first.message
        assert [o.to_dict() for o in other.observations] == \
            [o.to_dict() for o in first.observations]


@SETTINGS
@given(st.text(max_size=200) | st.builds(json.dumps, JSON))
def test_arbitrary_envelope_bodies(body):
    check({'oslo.version': '2.0', 'oslo.message': body})


@SETTINGS
@given(st.binary(max_size=400) | st.lists(
    st.sampled_from([b'[', b']', b'{', b'}', b',', b'\n', b'"a"', b':',
                     b'\xff', b'1', b'null', b' ']), max_size=40).map(
    b''.join))
def test_read_messages_never_raises(data):
    for line, item in notification.read_messages(io.BytesIO(data)):
        assert isinstance(line, int) and line >= 1
        assert isinstance(item, (dict, notification.ParseError))


@SETTINGS
@given(st.data())
def test_read_messages_on_mutated_lines(data):
    lines = [json.dumps(m).encode()
             for m in data.draw(st.lists(st.sampled_from(REAL[:20]),
                                         max_size=4))]
    for _ in range(data.draw(st.integers(0, 3))):
        if not lines:
            break
        i = data.draw(st.integers(0, len(lines) - 1))
        cut = data.draw(st.integers(0, len(lines[i])))
        lines[i] = lines[i][:cut] + data.draw(st.binary(max_size=5)) + \
            lines[i][cut:]
    items = list(notification.read_messages(io.BytesIO(b'\n'.join(lines))))
    assert all(isinstance(item, (dict, notification.ParseError))
               for _line, item in items)
    for _line, item in items:
        if isinstance(item, dict):
            check(item)
