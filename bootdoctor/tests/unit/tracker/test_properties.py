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

"""The record is a function of the set of observations.

Shuffling a stream and delivering any message twice must leave every boot
record unchanged: twins arrive on different queues, listeners run
callbacks concurrently, collectors share queues and brokers redeliver.
"""

import datetime

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from bootdoctor.tests.unit.tracker import factory
from bootdoctor import tracker

DEADLINES = {'scheduling': 300, 'networking': 300,
             'block_device_mapping': 600, 'spawning': 600}


def _streams():
    success = factory.Stream(uuid='11111111-1111-4111-8111-111111111111')
    success.scheduled().claimed('compute1').build_to('compute1')
    success.succeed('compute1')

    rescheduled = factory.Stream(
        uuid='22222222-2222-4222-8222-222222222222')
    rescheduled.scheduled().claimed('compute1').build_to('compute1')
    rescheduled.fail('compute1', 'PortBindingFailed', 'Binding failed')
    rescheduled.reschedule('compute1')
    rescheduled.claimed('compute2').build_to('compute2')
    rescheduled.succeed('compute2')

    exhausted = factory.Stream(uuid='33333333-3333-4333-8333-333333333333')
    exhausted.scheduled().claimed('compute1').build_to('compute1')
    exhausted.fail('compute1', 'InstanceDeployFailure', 'no')
    exhausted.reschedule('compute1')
    exhausted.claimed('compute2').build_to('compute2')
    exhausted.fail('compute2', 'InstanceDeployFailure', 'no again')
    exhausted.reschedule('compute2')
    exhausted.bury('MaxRetriesExceeded', 'Exceeded maximum number')

    deleted = factory.Stream(uuid='44444444-4444-4444-8444-444444444444')
    deleted.scheduled().claimed('compute1').build_to('compute1')
    deleted.fail('compute1', 'UnexpectedDeletingTaskStateError', 'gone')
    deleted.emit('instance.delete.start', state='building',
                 task_state='deleting')

    stalled = factory.Stream(uuid='55555555-5555-4555-8555-555555555555')
    stalled.scheduled().claimed('compute3').build_to(
        'compute3', last='networking')
    return [success, rescheduled, exhausted, deleted, stalled]


STREAMS = _streams()
ALL = [o for s in STREAMS for o in s.observations]
NOW = max(o.timestamp for o in ALL) + datetime.timedelta(seconds=400)


def records(observations):
    return [r.to_dict() for r in tracker.build_records(
        observations, now=NOW, deadlines=DEADLINES)]


EXPECTED = records(ALL)


def test_the_reference_streams_cover_every_outcome():
    assert [r['status'] for r in EXPECTED] == [
        'active', 'active', 'error', 'deleted', 'stuck']


@settings(max_examples=200, deadline=None)
@given(st.permutations(ALL),
       st.lists(st.sampled_from(ALL), max_size=40))
def test_shuffled_and_duplicated_streams_give_the_same_records(
        order, duplicates):
    assert records(list(order) + duplicates) == EXPECTED


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_any_prefix_in_any_order_matches_the_same_prefix_in_order(data):
    stream = data.draw(st.sampled_from(STREAMS))
    cut = data.draw(st.integers(min_value=1,
                                max_value=len(stream.observations)))
    prefix = stream.observations[:cut]
    shuffled = data.draw(st.permutations(prefix))
    assert records(list(shuffled) + prefix[:3]) == records(prefix)
