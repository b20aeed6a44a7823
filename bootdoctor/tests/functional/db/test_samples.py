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


"""Real notification streams, parsed and stored on every backend.

The recorded Nova streams and Keystone's documented authentication events
(bootdoctor/tests/data/samples, see PROVENANCE.rst there) go through the
real parser into storage: every raw message comes back exactly as parsing
made it, every observation intact, and storing the stream again adds
nothing.
"""

import glob
import os

import pytest

from bootdoctor import notification

SAMPLES = os.path.join(os.path.dirname(__file__), '..', '..', 'data',
                       'samples')
STREAMS = sorted(glob.glob(os.path.join(SAMPLES, 'recorded', '*.jsonl')))


def _parse(paths):
    parsed = []
    for path in paths:
        for line, item in notification.read_messages(path):
            assert not isinstance(item, notification.ParseError), (path,
                                                                   line)
            parsed.append(notification.parse(item))
    return parsed


def test_samples_are_there():
    assert len(STREAMS) >= 3


@pytest.mark.parametrize('path', STREAMS, ids=os.path.basename)
def test_recorded_stream_round_trip(connection, path):
    parsed = _parse([path])
    observations = [o for p in parsed for o in p.observations]
    stored = connection.add_observations(parsed)
    assert sorted(o.key for o in stored) == sorted(
        {o.key for o in observations})
    assert connection.add_observations(parsed) == []

    for uuid in {o.instance_uuid for o in observations if o.instance_uuid}:
        mine = sorted((o for o in observations if o.instance_uuid == uuid),
                      key=lambda o: o.sort_key())
        assert [o.to_dict() for o in connection.observations_for(uuid)] == [
            o.to_dict() for o in mine]
        connection.save_records([{'instance_uuid': uuid, 'status': 'active',
                                  'created_at': mine[0].timestamp}])
        events = connection.events_for(uuid)
        expected = {p.message['message_id']: p.message for p in parsed
                    if any(o.instance_uuid == uuid for o in p.observations)}
        assert sorted(e['message_id'] for e in events) == sorted(expected)
        for event in events:
            assert event == expected[event['message_id']]


def test_keystone_authentications_are_related(connection):
    paths = sorted(glob.glob(os.path.join(SAMPLES, 'other', 'keystone',
                                          '*.json')))
    parsed = _parse(paths)
    auths = [o for p in parsed for o in p.observations]
    assert auths and all(o.instance_uuid is None for o in auths)
    connection.add_observations(parsed)
    users = {o.user_id for o in auths if o.user_id}
    found = connection.related_for([], sorted(users))
    # Keystone's federated example reuses the first example's message id:
    # stored once.
    assert sorted(o.key for o in found) == sorted(
        {o.key for o in auths if o.user_id})
    assert len(found) == len(auths) - 1
