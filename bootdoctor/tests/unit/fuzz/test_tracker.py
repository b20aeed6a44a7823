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

"""Property-based fuzzing of the tracker: any valid observations, a record.

Observations are drawn with every kind, source, publisher, state, task
state, fault and detail parsing can produce, at any times (ties
included), with duplicates and unrelated evidence. build_record must
never fail on them, and the record must stay within the boot record
schema: the status and phase enums, 29 steps, a step in 1..29, attempt
outcomes, ISO 8601 UTC times, JSON all through, and the same record
whatever the order of the observations.
"""

import dataclasses
import datetime
import json
import os

from hypothesis import given
from hypothesis import HealthCheck
from hypothesis import settings
from hypothesis import strategies as st

from bootdoctor import catalogue
from bootdoctor import notification
from bootdoctor.observation import CINDER_KINDS
from bootdoctor.observation import Fault
from bootdoctor.observation import NEUTRON_KINDS
from bootdoctor.observation import NOVA_KINDS
from bootdoctor.observation import Observation
from bootdoctor.observation import RECONCILE_KINDS
from bootdoctor import simulator
from bootdoctor import tracker
from bootdoctor.tracker import record as rec

FUZZ = settings(max_examples=int(os.environ.get('BOOTDOCTOR_FUZZ_EXAMPLES',
                                                300)),
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow,
                                       HealthCheck.data_too_large])
UTC = datetime.timezone.utc
T0 = datetime.datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
UUID = '07eae9ba-0682-4b41-a7c4-76ec68eed449'
IMAGE = '155d900f-4e14-4e4c-a73d-069cbf4541e6'
DEADLINES = {'scheduling': 300, 'networking': 300,
             'block_device_mapping': 600, 'spawning': 600}
SOURCE = dict([(k, 'nova') for k in NOVA_KINDS + RECONCILE_KINDS] +
              [(k, 'neutron') for k in NEUTRON_KINDS] +
              [(k, 'cinder') for k in CINDER_KINDS])
PUBLISHERS = ('nova-compute', 'nova-conductor', 'nova-scheduler', 'nova-api',
              'neutron', 'cinder', 'glance', 'keystone', None)
HOSTS = (None, 'compute1', 'compute2', 'controller')
STATES = (None, 'building', 'active', 'error', 'deleted', 'soft-delete',
          'stopped', 'rescued')
TASK_STATES = (None, 'scheduling', 'networking', 'block_device_mapping',
               'spawning', 'deleting', 'soft-deleting', 'rebuilding')
EXCEPTIONS = (None, 'NoValidHost', 'MaxRetriesExceeded', 'PortBindingFailed',
              'RescheduledException', 'BuildAbortException',
              'UnexpectedDeletingTaskStateError', 'InstanceNotFound',
              'ComputeResourcesUnavailable', 'FlavorDiskTooSmall',
              'VolumeNotCreated', 'ImageNotFound', 'SomethingNobodyKnows')
COMPONENTS = set(catalogue.components())

times = st.integers(0, 7200).map(lambda s: T0 + datetime.timedelta(
    seconds=s / 4))
faults = st.one_of(st.none(), st.builds(
    Fault, exception=st.sampled_from(EXCEPTIONS),
    message=st.one_of(st.none(), st.text(max_size=30)),
    code=st.one_of(st.none(), st.integers(0, 600)),
    traceback=st.one_of(st.none(), st.just('Traceback (most recent...')),
    module=st.one_of(st.none(), st.just('nova.compute.manager')),
    function=st.one_of(st.none(), st.just('_build_and_run_instance'))))
details = st.fixed_dictionaries({}, optional={
    'image_id': st.sampled_from([IMAGE, None]),
    'boot_from_volume': st.one_of(st.none(), st.booleans()),
    'block_devices': st.integers(0, 3),
    'vif_type': st.sampled_from(['ovs', 'binding_failed', 'unbound']),
    'port_status': st.sampled_from(['ACTIVE', 'DOWN', 'BUILD']),
    'port_id': st.just('6a7c4f2b-8d1e-4c7a-9f0e-3b2d1c0a9e8f'),
    'binding_host': st.sampled_from(HOSTS[1:]),
    'volume_id': st.just('5f2c1a3e-7b9d-4e6f-8a0b-1c2d3e4f5a6b'),
    'volume_status': st.sampled_from(['creating', 'available', 'in-use',
                                      'error', 'attaching']),
    'attach_status': st.sampled_from(['attached', 'attaching', 'detached']),
    'found': st.booleans(),
    'status': st.sampled_from(['BUILD', 'ACTIVE', 'ERROR']),
    'vm_state': st.sampled_from(STATES[1:]),
    'selected_host': st.sampled_from(HOSTS[1:]),
    'flavor': st.sampled_from(['m1.tiny', 'm1.large']),
    'num_instances': st.integers(1, 3),
})


@st.composite
def observations(draw, instance=UUID):
    kind = draw(st.sampled_from(sorted(SOURCE)))
    source = SOURCE[kind]
    fmt = draw(st.sampled_from(('legacy', 'versioned'))) \
        if source == 'nova' and kind not in RECONCILE_KINDS else (
            'api' if kind in RECONCILE_KINDS else 'legacy')
    publisher = draw(st.sampled_from(PUBLISHERS))
    publisher_host = draw(st.sampled_from(HOSTS))
    return Observation(
        message_id='msg-%d' % draw(st.integers(0, 60)), kind=kind,
        event_type=kind, source=source, format=fmt,
        priority=draw(st.sampled_from(('INFO', 'ERROR', 'WARN'))),
        publisher_id='%s:%s' % (publisher, publisher_host),
        publisher_service=publisher, publisher_host=publisher_host,
        timestamp=draw(times), instance_uuid=instance,
        request_id=draw(st.sampled_from((None, 'req-1', 'req-2'))),
        project_id=draw(st.sampled_from((None, 'p1', 'p2'))),
        user_id=draw(st.sampled_from((None, 'u1', 'u2'))),
        host=draw(st.sampled_from(HOSTS)), node=draw(st.sampled_from(HOSTS)),
        state=draw(st.sampled_from(STATES)),
        old_state=draw(st.sampled_from(STATES)),
        task_state=draw(st.sampled_from(TASK_STATES)),
        old_task_state=draw(st.sampled_from(TASK_STATES)),
        fault=draw(faults), details=draw(details))


@st.composite
def related(draw):
    kind = draw(st.sampled_from(('image.send', 'identity.authenticate',
                                 'volume.create.end')))
    source = {'image.send': 'glance', 'identity.authenticate': 'keystone',
              'volume.create.end': 'cinder'}[kind]
    extra = {'image.send': {'image_id': IMAGE, 'bytes_sent': 10,
                            'receiver_project': draw(st.sampled_from(
                                ('p1', 'p2'))),
                            'short_transfer': draw(st.booleans())},
             'identity.authenticate': {'outcome': draw(st.sampled_from(
                 ('success', 'failure')))},
             'volume.create.end': {'volume_status': 'available'}}[kind]
    return Observation(
        message_id='rel-%d' % draw(st.integers(0, 20)), kind=kind,
        event_type=kind, source=source, format='legacy', priority='INFO',
        publisher_id='%s.controller' % source, publisher_service=source,
        publisher_host='controller', timestamp=draw(times),
        user_id=draw(st.sampled_from((None, 'u1', 'u2'))),
        project_id=draw(st.sampled_from((None, 'p1', 'p2'))),
        details=extra)


def _time(text, nullable=True):
    if text is None:
        assert nullable
        return None
    value = datetime.datetime.fromisoformat(text)
    assert value.utcoffset() == datetime.timedelta(0), text
    return value


def check_schema(data, uuid=UUID):
    json.dumps(data, allow_nan=False)
    assert data['instance_uuid'] == uuid
    assert data['status'] in rec.STATUSES
    assert data['phase'] is None or data['phase'] in catalogue.PHASES
    if data['status'] in ('active', 'deleted'):
        assert data['phase'] is None
    else:
        assert data['phase'] in catalogue.PHASES, data['status']
    assert isinstance(data['step'], int) and 1 <= data['step'] <= 29
    assert [s['number'] for s in data['steps']] == list(range(1, 30))
    for step in data['steps']:
        assert step['state'] in rec.STEP_STATES
        assert step['phase'] in catalogue.PHASES
        assert set(step['components']) <= COMPONENTS
        _time(step['at'])
    reached = [s for s in data['steps']
               if s['state'] in ('observed', 'inferred', 'failed')]
    assert data['step'] in [s['number'] for s in reached]
    for attempt in data['attempts']:
        assert attempt['outcome'] in rec.OUTCOMES
        started, ended = _time(attempt['started_at']), _time(
            attempt['ended_at'])
        if attempt['outcome'] != 'in_progress':
            assert ended is not None
        if started is not None and ended is not None:
            assert started <= ended, attempt
    assert set(data['phases']) <= set(catalogue.PHASES)
    for span in data['phases'].values():
        _time(span['started_at'])
        _time(span['ended_at'])
        assert span['duration_s'] is None or span['duration_s'] >= 0
    created, updated = _time(data['created_at'], False), _time(
        data['updated_at'], False)
    assert created <= updated
    finished = _time(data['finished_at'])
    if data['status'] in ('building', 'stuck'):
        assert finished is None
    if finished is not None:
        assert created <= finished <= updated
        assert data['duration_s'] == round(
            (finished - created).total_seconds(), 6)
    cause = data['root_cause']
    if data['status'] in ('active', 'building'):
        assert cause is None
    if cause is not None:
        assert cause['step'] is None or 1 <= cause['step'] <= 29
        assert cause['component'] is None or cause['component'] in \
            COMPONENTS
    if data['fault'] is not None:
        assert data['status'] == 'error'
        assert set(data['fault']) == {'exception', 'message', 'code',
                                      'traceback'}
    assert isinstance(data['diagnosis'], dict)


@FUZZ
@given(st.lists(observations(), min_size=1, max_size=25),
       st.lists(related(), max_size=4),
       st.one_of(st.none(), times.map(
           lambda t: t + datetime.timedelta(minutes=30))),
       st.booleans(), st.randoms(use_true_random=False))
def test_any_observations_give_a_record_within_the_schema(
        own, others, now, stuck_detection, random):
    deadlines = DEADLINES if stuck_detection else None
    if not tracker.is_boot(own):
        # A running server's port, volume or state change is no boot.
        assert tracker.build_records(own + others, now=now,
                                     deadlines=deadlines) == []
        return
    record = tracker.build_record(own, now=now, deadlines=deadlines,
                                  related=others).to_dict()
    check_schema(record)
    if now is None or deadlines is None:
        assert record['status'] != 'stuck'
    # The same set in another order, with repeats, gives the same record.
    shuffled = list(own) + own[:3]
    random.shuffle(shuffled)
    again = tracker.build_record(shuffled, now=now, deadlines=deadlines,
                                 related=list(reversed(others)))
    assert again.to_dict() == record


@FUZZ
@given(st.lists(st.one_of(
    observations(),
    observations(instance='11111111-1111-4111-8111-111111111111'),
    related()), min_size=1, max_size=30))
def test_build_records_groups_any_mix(mixed):
    records = tracker.build_records(mixed, now=T0 + datetime.timedelta(
        hours=3), deadlines=DEADLINES)
    uuids = sorted({o.instance_uuid for o in mixed if o.instance_uuid and
                    tracker.is_boot([m for m in mixed
                                     if m.instance_uuid == o.instance_uuid])})
    assert [r.instance_uuid for r in records] == uuids
    for record in records:
        data = record.to_dict()
        json.dumps(data, allow_nan=False)
        assert data['status'] in rec.STATUSES
        assert len(data['steps']) == 29


def _scenario_observations():
    """Each simulator scenario's boot, parsed: realistic starting points."""
    start = T0
    boots = simulator.plan(len(simulator.SCENARIOS), 'mix', seed=5,
                           start=start)
    result = []
    for boot in boots:
        own, others = [], []
        for number, emission in enumerate(boot.emissions):
            message = simulator.listener_view(
                emission, message_id='%s-%d' % (boot.scenario.name, number),
                timestamp=start + datetime.timedelta(seconds=number))
            for obs in notification.parse(message).observations:
                (own if obs.instance_uuid else others).append(obs)
        result.append((boot.scenario.name, own, others))
    return result


SCENARIOS = _scenario_observations()


@FUZZ
@given(st.sampled_from(SCENARIOS), st.data())
def test_real_boots_with_messages_lost_repeated_and_late(scenario, data):
    """Drop, repeat and re-date (by up to 15 minutes) any messages."""
    _, own, others = scenario
    kept = [o for o in own if data.draw(st.booleans())] or own[:1]
    shifted = []
    for obs in kept:
        seconds = data.draw(st.sampled_from((0, 0, 0, -900, -61, -1, 1, 61,
                                             900)))
        shifted.append(dataclasses.replace(
            obs, timestamp=obs.timestamp + datetime.timedelta(
                seconds=seconds)))
    now = max(o.timestamp for o in shifted) + datetime.timedelta(
        seconds=data.draw(st.integers(0, 3600)))
    records = tracker.build_records(shifted + others, now=now,
                                    deadlines=DEADLINES)
    if not tracker.is_boot(shifted):
        assert records == []
        return
    (record,) = records
    check_schema(record.to_dict(), record.instance_uuid)
    order = data.draw(st.permutations(shifted + others))
    assert [r.to_dict() for r in tracker.build_records(
        order, now=now, deadlines=DEADLINES)] == [record.to_dict()]
