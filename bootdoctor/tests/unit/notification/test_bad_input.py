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

"""Bad input: each kind is a ParseError with a reason naming the field."""

import collections
import copy
import datetime
import json

import pytest

from bootdoctor import notification
from bootdoctor.notification import envelope
from bootdoctor.tests.unit.notification import samples

UTC = datetime.timezone.utc


def row(name='a_boot_success', index=20):
    return samples.jsonl('recorded', name + '.jsonl')[index]


def v2(message):
    return {'oslo.version': '2.0', 'oslo.message': json.dumps(message)}


def reason(message, **kw):
    with pytest.raises(notification.ParseError) as exc:
        notification.parse(message, **kw)
    assert not exc.value.reason.startswith('internal error')
    return exc.value.reason


@pytest.mark.parametrize('value,expected', [
    ([], 'message: not an object (got a list)'),
    ('{"event_type": "x"}', 'message: not an object (got a string)'),
    (None, 'message: not an object (got null)'),
    (42, 'message: not an object (got an integer)'),
])
def test_not_an_object(value, expected):
    assert reason(value) == expected


@pytest.mark.parametrize('envelope_,expected', [
    ({'oslo.version': '3.0', 'oslo.message': '{}'},
     "oslo.version: unsupported envelope version '3.0' (only 2.x is known)"),
    ({'oslo.version': '1.0', 'oslo.message': '{}'},
     "oslo.version: unsupported envelope version '1.0' (only 2.x is known)"),
    ({'oslo.version': 2.0, 'oslo.message': '{}'},
     'oslo.version: expected a string, got a number'),
    ({'oslo.message': '{}'}, 'oslo.version: missing beside oslo.message'),
    ({'oslo.version': '2.0'}, 'oslo.message: missing'),
    ({'oslo.version': '2.0', 'oslo.message': None}, 'oslo.message: missing'),
    ({'oslo.version': '2.0', 'oslo.message': {'event_type': 'x'}},
     'oslo.message: expected a JSON string, got an object'),
    ({'oslo.version': '2.0', 'oslo.message': '{"event_type": '},
     'oslo.message: not JSON (Expecting value at column 16)'),
    ({'oslo.version': '2.0', 'oslo.message': '[1, 2]'},
     'oslo.message: expected a JSON object, got a list'),
    ({'oslo.version': '2.0', 'oslo.message': '{"a": NaN}'},
     'oslo.message: not JSON (NaN is not a JSON number)'),
    ({'oslo.version': '2.0',
      'oslo.message': json.dumps({'oslo.version': '2.0',
                                  'oslo.message': '{}'})},
     'oslo.message: holds another envelope'),
])
def test_bad_envelopes(envelope_, expected):
    assert reason(envelope_) == expected


def test_envelope_minor_versions_are_accepted():
    message = v2(row())
    message['oslo.version'] = '2.1'
    assert notification.parse(message).observations


@pytest.mark.parametrize('change,expected', [
    ({'event_type': None}, 'event_type: missing'),
    ({'event_type': ''}, 'event_type: empty'),
    ({'event_type': ['compute.instance.create.end']},
     'event_type: expected a string, got a list'),
    ({'event_type': 'compute.instance.resize.end'},
     "event_type: unknown event type 'compute.instance.resize.end'"),
    ({'publisher_id': None}, 'publisher_id: missing'),
    ({'publisher_id': {'host': 'compute1'}},
     'publisher_id: expected a string, got an object'),
    ({'payload': None}, 'payload: missing'),
    ({'payload': 'instance_id=1'},
     'payload: expected an object, got a string'),
    ({'priority': 'LOUD'}, "priority: unknown value 'LOUD'"),
    ({'priority': 3}, 'priority: expected a string, got an integer'),
    ({'message_id': 7}, 'message_id: expected a string, got an integer'),
    ({'message_id': 'x' * 300}, 'message_id: longer than 255 characters'),
    ({'timestamp': 1764060141.6},
     'timestamp: expected a string, got a number'),
    ({'timestamp': 'yesterday'},
     "timestamp: not a date and time ('yesterday')"),
    ({'timestamp': '2026-13-25 08:42:21.665574'},
     "timestamp: not a date and time ('2026-13-25 08:42:21.665574': month "
     "must be in 1..12)"),
    ({'ctxt': 'req-1'}, 'ctxt: expected an object, got a string'),
    ({'metadata': []}, 'metadata: expected an object, got a list'),
])
def test_bad_top_level_fields(change, expected):
    message = row()
    message.update(change)
    assert reason(message) == expected


def test_the_reason_carries_the_message_id():
    message = row()
    message['payload']['instance_id'] = 'i-123'
    with pytest.raises(notification.ParseError) as exc:
        notification.parse(message)
    assert exc.value.reason == "payload.instance_id: not a UUID ('i-123')"
    assert exc.value.message_id == message['message_id']
    assert str(exc.value) == exc.value.reason


def paths(value, prefix=()):
    """Every (path, value) in a JSON tree."""
    yield prefix, value
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from paths(sub, prefix + (key,))


def _fields_read():
    """(stream, index, path) for each scalar a handler reads.

    Replacing a value with a list changes the result only if parsing
    reads it; those are the fields the parser must type-check.
    """
    cases = []
    for name, index in (('a_boot_success', 18), ('a_boot_success', 19),
                        ('a_boot_success', 20), ('a_boot_success', 21),
                        ('c_no_valid_host', 2), ('c_no_valid_host', 3),
                        ('e2_spawn_fail_single_host', 24),
                        ('e2_spawn_fail_single_host', 25),
                        ('a_boot_success', 0), ('a_boot_success', 1)):
        base = row(name, index)
        reference = notification.parse(base)
        for path, value in paths(base):
            if not path or path[0] not in ('payload', 'ctxt'):
                continue
            if isinstance(value, (dict, list)) and path[-1] != 'ctxt':
                continue
            changed = copy.deepcopy(base)
            _set(changed, path, [value])
            try:
                result = notification.parse(changed)
            except notification.ParseError:
                cases.append((name, index, path))
                continue
            if _summary(result) != _summary(reference):
                cases.append((name, index, path))
    return cases


def _set(tree, path, value):
    for key in path[:-1]:
        tree = tree[key]
    tree[path[-1]] = value


def _summary(parsed):
    return [o.to_dict() for o in parsed.observations]


FIELDS_READ = _fields_read()


def test_fields_read_cover_the_boot_facts():
    read = {'.'.join(p) for _n, _i, p in FIELDS_READ}
    for field in ('payload.instance_id', 'payload.host', 'payload.state',
                  'payload.old_task_state', 'payload.new_task_state',
                  'payload.exception', 'payload.code', 'payload.reason',
                  'payload.nova_object.data.uuid',
                  'payload.nova_object.data.host',
                  'payload.nova_object.data.task_state',
                  'payload.nova_object.data.instance_uuid',
                  'payload.nova_object.data.reason.nova_object.data.'
                  'exception',
                  'payload.request_spec.instance_properties.uuid',
                  'ctxt.request_id', 'ctxt.project_id', 'ctxt.user_id'):
        assert field in read, field


@pytest.mark.parametrize('name,index,path', FIELDS_READ)
def test_a_field_of_the_wrong_type_is_named(name, index, path):
    """Every field the parser reads refuses a value of the wrong type."""
    message = row(name, index)
    original = message
    for key in path[:-1]:
        original = original[key]
    _set(message, path, [original[path[-1]]])
    text = reason(message)
    assert text.startswith('.'.join(path)), text


def test_deep_nesting_is_refused():
    message = row()
    deep = {}
    node = deep
    for _ in range(200):
        node['x'] = {}
        node = node['x']
    message['payload']['metadata'] = deep
    assert reason(message) == 'message: nesting deeper than 48 levels'
    limits = notification.Limits(max_depth=500)
    assert notification.parse(message, limits=limits).observations


def test_deep_nesting_inside_an_envelope_is_refused():
    text = '{"event_type": ' + '[' * 100000 + ']' * 100000 + '}'
    assert reason({'oslo.version': '2.0', 'oslo.message': text}) == \
        'oslo.message: nesting too deep to decode'


def test_ten_megabyte_payload_is_refused():
    message = row()
    message['payload']['metadata'] = {'blob': 'x' * (10 * 1024 * 1024)}
    assert reason(message) == 'message: larger than 1048576 bytes'
    assert reason(v2(message)) == 'oslo.message: larger than 1048576 bytes'
    limits = notification.Limits(max_bytes=20 * 1024 * 1024)
    assert notification.parse(message, limits=limits).observations


def test_many_small_values_count_towards_the_bound():
    message = row()
    message['payload']['metadata'] = {'k%d' % i: i for i in range(100000)}
    assert reason(message) == 'message: larger than 1048576 bytes'


def test_lone_surrogates_are_refused():
    message = row()
    message['payload']['display_name'] = 'rec-\udcff'
    assert reason(message) == \
        'payload.display_name: not valid UTF-8 (lone surrogate)'


@pytest.mark.parametrize('value', [float('nan'), float('inf')])
def test_non_finite_numbers_are_refused(value):
    message = row()
    message['payload']['vcpus'] = value
    assert reason(message) == 'payload.vcpus: not a finite number'


def test_python_objects_are_refused():
    message = row()
    message['payload']['launched_at'] = datetime.datetime.now()
    assert reason(message) == \
        'payload.launched_at: datetime is not a JSON value'
    message = row()
    message['payload'][1] = 'one'
    assert reason(message) == \
        'payload: object key 1 is not a string'


def test_errors_name_fields_inside_lists():
    message = row()
    message['payload']['tags'] = ['ok', {'inner': float('nan')}]
    assert reason(message) == 'payload.tags[1].inner: not a finite number'


def test_subclasses_of_json_types_are_walked_as_those_types():
    # A decoder may hand over an OrderedDict or a str subclass; they are
    # checked like the plain types, not refused.
    class Text(str):
        pass

    message = row()
    message['payload'] = collections.OrderedDict(message['payload'])
    message['payload']['display_name'] = Text('vm-1')
    message['payload']['nested'] = collections.OrderedDict(
        bad=Text('x-\udcff'))
    assert reason(message) == \
        'payload.nested.bad: not valid UTF-8 (lone surrogate)'


@pytest.mark.parametrize('text,expected', [
    ('2026-11-25 08:42:21.665574', '2026-11-25T08:42:21.665574+00:00'),
    ('2026-11-25T08:42:21.665574', '2026-11-25T08:42:21.665574+00:00'),
    ('2026-11-25T08:42:21Z', '2026-11-25T08:42:21+00:00'),
    ('2026-11-25T09:42:21.5+01:00', '2026-11-25T08:42:21.500000+00:00'),
    ('2026-11-25T03:42:21-0500', '2026-11-25T08:42:21+00:00'),
    ('2099-01-01 00:00:00', '2099-01-01T00:00:00+00:00'),
])
def test_timestamps_with_and_without_zones(text, expected):
    message = row()
    message['timestamp'] = text
    (obs,) = notification.parse(message).observations
    assert obs.timestamp.isoformat() == expected
    assert obs.timestamp.tzinfo == UTC


def test_context_timestamp_then_default():
    message = row()
    del message['timestamp']
    (obs,) = notification.parse(message).observations
    assert message['ctxt']['timestamp'] == '2026-11-25T08:42:21.665550'
    assert obs.timestamp.isoformat() == '2026-11-25T08:42:21.665550+00:00'
    del message['ctxt']['timestamp']
    assert reason(message).startswith('timestamp: missing')
    when = datetime.datetime(2026, 1, 1, 12, 0)
    (obs,) = notification.parse(message,
                                default_timestamp=when).observations
    assert obs.timestamp == when.replace(tzinfo=UTC)
    message['ctxt']['timestamp'] = 'soon'
    assert reason(message) == "ctxt.timestamp: not a date and time ('soon')"


def test_bad_default_timestamp():
    message = row()
    del message['timestamp']
    del message['ctxt']['timestamp']
    assert reason(message, default_timestamp='later') == \
        "default_timestamp: not a date and time ('later')"


def test_limits_defaults():
    assert envelope.DEFAULT_LIMITS == notification.Limits(
        max_bytes=1024 * 1024, max_depth=48, max_future_s=3600)


def test_a_timestamp_far_after_reception_is_a_broken_clock():
    message = row()
    sent = datetime.datetime(2026, 11, 25, 8, 42, 21, 665574, tzinfo=UTC)
    minutes = datetime.timedelta(minutes=5)
    # Minutes of drift either way are accepted.
    for received in (sent - minutes, sent + minutes, sent):
        assert notification.parse(message, received_at=received).observations
    text = reason(message, received_at=sent - datetime.timedelta(days=365))
    assert text.startswith('timestamp: 2026-11-25T08:42:21.665574+00:00 is '
                           '31536000 s after the message was received')
    limits = notification.Limits(max_future_s=10)
    assert reason(message, received_at=sent - minutes, limits=limits) \
        .endswith('more than 10 s ahead is a broken clock')
    args = (message['ctxt'], message['publisher_id'], message['event_type'],
            message['payload'], {'message_id': message['message_id'],
                                 'timestamp': message['timestamp']})
    with pytest.raises(notification.ParseError) as exc:
        notification.parse_listener(
            *args, 'info', received_at=sent - datetime.timedelta(days=1))
    assert exc.value.message_id == message['message_id']
