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

"""Property-based fuzzing of parsing: only ParseError, never a crash.

Arbitrary JSON, real notifications with values replaced, dropped, added
or wrapped, the same inside an oslo.messaging envelope, and arbitrary bytes
through read_messages. Whatever comes in, parsing either gives valid
observations or raises ParseError with a reason; a handler failing on it
(an 'internal error' ParseError) is a bug too.
"""

import datetime
import io
import json
import os
import re

from hypothesis import example
from hypothesis import given
from hypothesis import HealthCheck
from hypothesis import settings
from hypothesis import strategies as st

from bootdoctor import notification
from bootdoctor.observation import KINDS
from bootdoctor.tests.unit.fuzz import seeds

# BOOTDOCTOR_FUZZ_EXAMPLES=20000 for a longer hunt than the test run's.
FUZZ = settings(max_examples=int(os.environ.get('BOOTDOCTOR_FUZZ_EXAMPLES',
                                                400)),
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow,
                                       HealthCheck.data_too_large])
UUID = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-'
                  r'[0-9a-f]{12}$')
RECEIVED_AT = datetime.datetime(2026, 11, 25, 9, 0,
                                tzinfo=datetime.timezone.utc)


def outcome(message, **kwargs):
    """Parsed, or the ParseError; any other exception fails the test."""
    kwargs.setdefault('default_timestamp', seeds.DEFAULT_TIMESTAMP)
    try:
        return notification.parse(message, **kwargs)
    except notification.ParseError as exc:
        assert isinstance(exc.reason, str) and exc.reason
        assert exc.message_id is None or isinstance(exc.message_id, str)
        return exc


def check(result):
    """A ParseError that is not a handler failure, or valid observations."""
    if isinstance(result, notification.ParseError):
        assert not result.reason.startswith('internal error'), result.reason
        return
    json.dumps(result.message, allow_nan=False)
    keys = set()
    for obs in result.observations:
        assert obs.kind in KINDS
        assert obs.message_id == result.message_id
        assert obs.instance_uuid is None or UUID.match(obs.instance_uuid)
        assert obs.timestamp.utcoffset() == datetime.timedelta(0)
        assert obs.key not in keys
        keys.add(obs.key)
        json.dumps(obs.to_dict(), allow_nan=False)
    # The kept message parses again to the same observations.
    again = notification.parse(result.message)
    assert [o.to_dict() for o in again.observations] == \
        [o.to_dict() for o in result.observations]


def test_the_seeds_cover_every_service():
    sources = {o.source for m in seeds.SEEDS
               for o in notification.parse(
                   m, default_timestamp=seeds.DEFAULT_TIMESTAMP).observations}
    assert sources == {'nova', 'neutron', 'cinder', 'glance', 'keystone'}
    assert len(seeds.SEEDS) > 70


@FUZZ
@given(seeds.json_values)
@example(float('nan'))
@example({'oslo.version': '2.0', 'oslo.message': '[' * 5000})
def test_any_json_value(value):
    check(outcome(value))


@FUZZ
@given(seeds.mutated())
def test_real_notifications_mutated(message):
    check(outcome(message))
    check(outcome(message, received_at=RECEIVED_AT))


@FUZZ
@given(seeds.mutated(), st.sampled_from(['2.0', '2.1', '1.0', '3', '']))
def test_mutated_notifications_in_an_envelope(message, version):
    text = json.dumps(message)
    result = outcome({'oslo.version': version, 'oslo.message': text})
    check(result)
    if version.startswith('2') and isinstance(message, dict):
        plain = outcome(message)
        # Inside or outside the envelope, the same verdict.
        assert isinstance(result, notification.ParseError) == \
            isinstance(plain, notification.ParseError)
        if not isinstance(plain, notification.ParseError):
            assert [o.to_dict() for o in result.observations] == \
                [o.to_dict() for o in plain.observations]


@FUZZ
@given(st.builds(dict, ctxt=seeds.json_values,
                 publisher_id=seeds.json_values,
                 event_type=st.one_of(seeds.json_values, st.sampled_from(
                     sorted(notification.event_types()))),
                 payload=seeds.json_values, metadata=seeds.json_values,
                 priority=seeds.json_values))
def test_listener_arguments(arguments):
    try:
        result = notification.parse_listener(
            default_timestamp=seeds.DEFAULT_TIMESTAMP, **arguments)
    except notification.ParseError as exc:
        result = exc
    check(result)


@FUZZ
@given(st.lists(st.one_of(
    st.binary(max_size=200),
    seeds.mutated().map(lambda m: json.dumps(m).encode('utf-8',
                                                       'surrogatepass')),
    st.sampled_from([b'[', b'{', b']', b'\xef\xbb\xbf', b'\r', b'[{},',
                     b'  {"a":', b'\xff'])), max_size=8))
def test_read_messages_on_any_bytes(chunks):
    data = b'\n'.join(chunks)
    seen = 0
    for number, item in notification.read_messages(io.BytesIO(data)):
        assert isinstance(number, int) and number >= 1
        assert number <= data.count(b'\n') + 1
        assert isinstance(item, (dict, notification.ParseError))
        seen += 1
        if isinstance(item, dict):
            check(outcome(item))
    assert seen <= max(1, len(data))
