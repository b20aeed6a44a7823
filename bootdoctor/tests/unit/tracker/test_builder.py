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

"""The tracker on boots built event by event, as Nova reports them."""

import datetime

import pytest

from bootdoctor.tests.unit.tracker import factory
from bootdoctor import tracker

DEADLINES = {'scheduling': 300, 'networking': 300,
             'block_device_mapping': 600, 'spawning': 600}


def build(stream, **kw):
    return tracker.build_record(stream.observations, **kw).to_dict()


def test_successful_boot():
    s = factory.Stream().scheduled().claimed('compute1')
    s.build_to('compute1').succeed('compute1')
    r = build(s)
    assert r['status'] == 'active'
    assert r['phase'] is None
    assert r['host'] == 'compute1'
    assert r['step'] == 29
    assert r['root_cause'] is None
    assert [(a['host'], a['outcome']) for a in r['attempts']] == [
        ('compute1', 'success')]
    states = {st['number']: st['state'] for st in r['steps']}
    assert states[22] == 'observed' and states[28] == 'observed'
    assert states[29] == 'observed'
    assert 'pending' not in states.values()
    assert set(r['phases']) == {'scheduling', 'networking',
                                'block_device_mapping', 'spawning'}
    assert all(p['duration_s'] >= 0 for p in r['phases'].values())
    assert r['finished_at'] is not None and r['duration_s'] > 0
    assert r['request_id'] == factory.REQ


def test_create_error_then_reschedule_is_not_terminal():
    s = factory.Stream().scheduled().claimed('compute1')
    s.build_to('compute1')
    s.fail('compute1', 'ComputeResourcesUnavailable', 'spawn failed')
    s.reschedule('compute1')
    r = build(s)
    assert r['status'] == 'building'
    assert r['phase'] == 'scheduling'
    assert [a['outcome'] for a in r['attempts']] == ['failed']
    # Twins of create.error merge into one attempt.
    assert len(r['attempts']) == 1
    s.claimed('compute2').build_to('compute2').succeed('compute2')
    r = build(s)
    assert r['status'] == 'active'
    assert r['host'] == 'compute2'
    assert [(a['host'], a['outcome']) for a in r['attempts']] == [
        ('compute1', 'failed'), ('compute2', 'success')]
    assert r['attempts'][0]['fault']['exception'] == \
        'ComputeResourcesUnavailable'


def test_retries_exhausted_blames_the_last_attempt():
    s = factory.Stream().scheduled().claimed('compute1')
    s.build_to('compute1')
    s.fail('compute1', 'ComputeResourcesUnavailable', 'spawn failed')
    s.reschedule('compute1')
    s.bury('MaxRetriesExceeded', 'Exceeded maximum number of retries.')
    r = build(s)
    assert r['status'] == 'error'
    assert r['fault']['exception'] == 'MaxRetriesExceeded'
    assert r['root_cause']['exception'] == 'ComputeResourcesUnavailable'
    assert r['root_cause']['host'] == 'compute1'
    assert r['phase'] == 'spawning'
    assert r['attempts'][0]['outcome'] == 'failed'
    failed = [st for st in r['steps'] if st['state'] == 'failed']
    assert [st['number'] for st in failed] == [r['root_cause']['step']]


def test_no_valid_host_without_scheduler_notifications():
    s = factory.Stream()
    s.bury('NoValidHost', 'No valid host was found. ')
    r = build(s)
    assert r['status'] == 'error'
    assert r['phase'] == 'scheduling'
    assert r['attempts'] == []
    assert r['root_cause']['exception'] == 'NoValidHost'
    assert r['root_cause']['component'] == 'nova-scheduler'
    assert r['root_cause']['host'] == 'controller'
    assert r['host'] is None


def test_build_abort_is_terminal_without_conductor_message():
    s = factory.Stream().scheduled().claimed('compute1')
    s.build_to('compute1', last='block_device_mapping')
    s.fail('compute1', 'BuildAbortException',
           'Failure prepping block device.', task='block_device_mapping')
    s.update('block_device_mapping', None, state='error',
             publisher_host='compute1')
    r = build(s)
    assert r['status'] == 'error'
    assert r['phase'] == 'block_device_mapping'
    assert r['root_cause']['component'] == 'cinder'
    assert r['root_cause']['host'] == 'compute1'
    assert r['fault']['exception'] == 'BuildAbortException'


def test_delete_during_build_is_a_deletion_not_a_failure():
    s = factory.Stream().scheduled().claimed('compute1')
    s.build_to('compute1')
    s.fail('compute1', 'UnexpectedDeletingTaskStateError',
           'Conflict updating instance: expected spawning, got deleting')
    s.emit('instance.delete.start', state='building', task_state='deleting')
    s.emit('instance.delete.end', state='deleted')
    r = build(s)
    assert r['status'] == 'deleted'
    assert r['phase'] is None
    assert r['root_cause'] is None
    assert r['attempts'][0]['outcome'] == 'aborted'
    assert 'in spawning' in r['diagnosis']['summary']


def test_delete_after_error_stays_a_failure():
    s = factory.Stream()
    s.bury('NoValidHost', 'No valid host was found. ')
    s.tick(60)
    s.emit('instance.delete.start', service='nova-api',
           publisher_host='controller', state='error', task_state='deleting')
    assert build(s)['status'] == 'error'


def test_without_state_updates_phases_are_not_visible():
    s = factory.Stream()
    s.emit('instance.create.start', state='building')
    s.emit('instance.create.end', state='active', host='compute1',
           node='compute1')
    r = build(s)
    assert r['status'] == 'active'
    assert r['host'] == 'compute1'
    assert any('notify_on_state_change' in n
               for n in r['diagnosis']['notes'])


def test_host_cleared_before_create_error_is_kept_from_the_claim():
    s = factory.Stream(twins=False).scheduled().claimed('compute7')
    s.build_to('compute7')
    s.update('spawning', 'spawning', host=None, publisher_host='compute7')
    s.fail('compute7', 'InstanceDeployFailure', 'boom')
    s.update('spawning', None, state='error', publisher_host='compute7')
    r = build(s)
    assert r['attempts'][0]['host'] == 'compute7'
    assert r['root_cause']['host'] == 'compute7'


@pytest.mark.parametrize('phase,component', [
    ('networking', 'neutron'),
    ('block_device_mapping', 'cinder'),
    ('spawning', 'hypervisor'),
])
def test_stuck_in_a_compute_phase(phase, component):
    s = factory.Stream().scheduled().claimed('compute1')
    s.build_to('compute1', last=phase)
    last = s.observations[-1].timestamp
    limit = DEADLINES[phase]
    early = last + datetime.timedelta(seconds=limit - 1)
    late = last + datetime.timedelta(seconds=limit + 1)
    assert build(s, now=early, deadlines=DEADLINES)['status'] == 'building'
    r = build(s, now=late, deadlines=DEADLINES)
    assert r['status'] == 'stuck'
    assert r['phase'] == phase
    assert r['root_cause']['component'] == component
    assert r['root_cause']['host'] == 'compute1'


def test_scheduled_but_never_started_is_stuck_on_the_compute():
    s = factory.Stream().scheduled()
    now = s.now + datetime.timedelta(seconds=1000)
    r = build(s, now=now, deadlines=DEADLINES)
    assert r['status'] == 'stuck'
    assert r['phase'] == 'scheduling'
    assert r['root_cause']['component'] == 'nova-compute'
    assert 'no compute started' in r['root_cause']['message']


def test_scheduler_that_never_answers_is_blamed():
    s = factory.Stream()
    s.emit('scheduler.select_destinations.start', service='nova-scheduler',
           publisher_host='controller')
    r = build(s, now=s.now + datetime.timedelta(seconds=1000),
              deadlines=DEADLINES)
    assert r['root_cause']['component'] == 'nova-scheduler'
    assert r['root_cause']['host'] == 'controller'


def test_no_clock_means_no_stuck():
    s = factory.Stream().scheduled()
    assert build(s)['status'] == 'building'


def test_several_instances_of_one_request():
    a = factory.Stream(uuid='11111111-1111-4111-8111-111111111111')
    b = factory.Stream(uuid='22222222-2222-4222-8222-222222222222')
    a.scheduled().claimed('compute1').build_to('compute1')
    a.succeed('compute1')
    b.scheduled()
    b.bury('NoValidHost', 'No valid host was found.')
    records = tracker.build_records(a.observations + b.observations)
    assert [(r.instance_uuid, r.status) for r in records] == [
        (a.uuid, 'active'), (b.uuid, 'error')]
    assert records[0].request_id == records[1].request_id


def test_build_record_refuses_mixed_instances():
    a = factory.Stream(uuid='11111111-1111-4111-8111-111111111111')
    b = factory.Stream(uuid='22222222-2222-4222-8222-222222222222')
    a.scheduled()
    b.scheduled()
    with pytest.raises(ValueError):
        tracker.build_record(a.observations + b.observations)


def test_related_image_send_proves_the_glance_steps():
    s = factory.Stream().scheduled()
    s.emit('instance.create.start', state='building',
           details={'image_id': 'img'})
    s.build_to('compute1')
    image = factory.Stream(uuid=None, twins=False, start=s.now)
    image.emit('image.send', service='glance', publisher_host='localhost',
               source='glance', instance=False,
               details={'image_id': 'img', 'bytes_sent': 10,
                        'receiver_project': factory.PROJECT})
    s.tick()
    s.succeed('compute1')
    r = tracker.build_record(s.observations, related=image.observations)
    states = {st['number']: st['state'] for st in r.to_dict()['steps']}
    assert states[19] == 'observed'
    other = factory.Stream(uuid=None, twins=False, start=s.now)
    other.emit('image.send', service='glance', publisher_host='localhost',
               source='glance', instance=False,
               details={'image_id': 'img', 'receiver_project': 'someone'})
    other.emit('image.send', service='glance', publisher_host='localhost',
               source='glance', instance=False,
               details={'image_id': 'another',
                        'receiver_project': factory.PROJECT})
    r = tracker.build_record(s.observations, related=other.observations)
    states = {st['number']: st['state'] for st in r.to_dict()['steps']}
    assert states[19] == 'inferred'


def test_nova_saying_the_server_is_gone_makes_a_stuck_boot_deleted():
    # A server deleted while scheduling leaves no notification at all;
    # the collector asks Nova and records the answer as an observation.
    s = factory.Stream(twins=False).scheduled()
    s.tick(900)
    s.emit('api.server.show', service='bootdoctor-collector',
           publisher_host='controller', details={'found': False})
    r = build(s, now=s.now, deadlines=DEADLINES)
    assert r['status'] == 'deleted'
    assert r['root_cause'] is None


def _authentications(user, *offsets_and_outcomes, before):
    auths = factory.Stream(uuid=None, twins=False)
    for minutes, outcome in offsets_and_outcomes:
        auths.now = before - datetime.timedelta(minutes=minutes)
        auths.emit('identity.authenticate', service='identity',
                   publisher_host='keystone', source='keystone',
                   instance=False, user_id=user,
                   details={'outcome': outcome})
    return auths.observations


def _step_one(record):
    return record.to_dict()['steps'][0]


def test_a_boot_takes_its_users_latest_successful_authentication():
    s = factory.Stream().scheduled()
    s.claimed('compute1')
    s.build_to('compute1')
    s.succeed('compute1')
    start = s.observations[0].timestamp
    auths = _authentications(
        'fake', (50, 'success'), (5, 'success'), (1, 'failure'),
        (-1, 'success'), (70, 'success'), before=start)
    auths += _authentications('someone-else', (2, 'success'), before=start)
    r = tracker.build_record(s.observations, related=auths)
    step = _step_one(r)
    assert step['state'] == 'observed'
    # The one five minutes before: not the older one, not the failure
    # after it, not the one after the boot began, not another user's.
    assert step['at'] == (start - datetime.timedelta(minutes=5)).isoformat()
    assert len(step['evidence']) == 1
    # The same whatever else is offered with it, in any order.
    assert tracker.build_record(
        s.observations, related=list(reversed(auths))).to_dict() == (
            r.to_dict())


def test_a_failed_authentication_alone_proves_no_token():
    s = factory.Stream().scheduled()
    start = s.observations[0].timestamp
    r = tracker.build_record(s.observations, related=_authentications(
        'fake', (3, 'failure'), before=start))
    assert _step_one(r)['state'] != 'observed'
