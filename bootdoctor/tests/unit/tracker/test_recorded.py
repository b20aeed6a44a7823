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

"""Replaying streams a real Nova emitted gives the outcome Nova reported.

The streams and Nova's own account of each server (``.expected.json``)
ship in bootdoctor/data/streams (see PROVENANCE.rst there).
"""

import json
import os
import random

import pytest

from bootdoctor.manage import replay
from bootdoctor import notification
from bootdoctor import tracker

STATUS = {'ACTIVE': 'active', 'ERROR': 'error'}


def load(path):
    observations = []
    for _, message in notification.read_messages(path):
        assert not isinstance(message, notification.ParseError), message
        observations.extend(notification.parse(message).observations)
    return observations


def expected(path):
    with open(path.replace('.jsonl', '.expected.json')) as f:
        return json.load(f)


STREAMS = replay.bundled_streams()


def test_every_bundled_stream_is_tested():
    assert len(STREAMS) >= 3


@pytest.mark.parametrize('path', STREAMS, ids=os.path.basename)
def test_replay_gives_novas_outcome(path):
    truth = expected(path)
    records = {r.instance_uuid: r.to_dict()
               for r in tracker.build_records(load(path))}
    assert sorted(records) == sorted(s['id'] for s in truth['servers'])
    for server in truth['servers']:
        record = records[server['id']]
        assert record['status'] == STATUS[server['status']]
        assert record['host'] == server['host']
        if server['fault']:
            assert record['fault']['message'] == server['fault']['message']
            assert record['root_cause'] is not None
        else:
            assert record['fault'] is None
            assert record['root_cause'] is None
            assert record['step'] == 29


def test_success_stream_sees_every_phase():
    path = [p for p in STREAMS if 'a_boot_success' in p][0]
    (record,) = [r.to_dict() for r in tracker.build_records(load(path))]
    assert set(record['phases']) == {'scheduling', 'networking',
                                     'block_device_mapping', 'spawning'}
    assert [a['outcome'] for a in record['attempts']] == ['success']
    assert record['diagnosis']['notes'] == []


def test_no_valid_host_is_the_schedulers():
    path = [p for p in STREAMS if 'c_no_valid_host' in p][0]
    (record,) = [r.to_dict() for r in tracker.build_records(load(path))]
    assert record['root_cause']['exception'] == 'NoValidHost'
    assert record['root_cause']['component'] == 'nova-scheduler'
    assert record['phase'] == 'scheduling'
    assert record['attempts'] == []


def test_spawn_failure_on_the_only_host_blames_that_host():
    path = [p for p in STREAMS if 'e2_spawn_fail' in p][0]
    (record,) = [r.to_dict() for r in tracker.build_records(load(path))]
    assert record['fault']['exception'] == 'MaxRetriesExceeded'
    cause = record['root_cause']
    assert cause['exception'] == 'ComputeResourcesUnavailable'
    assert cause['host'] == 'compute1'
    assert record['phase'] == 'spawning'
    assert [(a['host'], a['outcome']) for a in record['attempts']] == [
        ('compute1', 'failed')]


@pytest.mark.parametrize('path', STREAMS, ids=os.path.basename)
def test_recorded_streams_shuffled_and_duplicated(path):
    observations = load(path)
    reference = [r.to_dict() for r in tracker.build_records(observations)]
    rng = random.Random(path)
    for _ in range(20):
        mixed = observations + rng.sample(observations,
                                          len(observations) // 3)
        rng.shuffle(mixed)
        assert [r.to_dict() for r in tracker.build_records(mixed)] == \
            reference
