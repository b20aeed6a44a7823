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


"""Storage API tests shared by every backend.

The unit tests run these on SQLite, the functional tests on PostgreSQL and
MariaDB: each test package provides a ``connection`` fixture (an upgraded,
empty :class:`bootdoctor.db.api.Connection`) and imports these classes.
"""

import datetime

import pytest

from bootdoctor.db import exceptions
from bootdoctor.db import statements
from bootdoctor.tests.unit.db import fakes

T0 = fakes.T0
U1, U2, U3 = fakes.uuid(1), fakes.uuid(2), fakes.uuid(3)


def at(seconds):
    """The time ``seconds`` after T0."""
    return T0 + datetime.timedelta(seconds=seconds)


class ObservationCases:

    def test_new_observations_are_returned_and_stored(self, connection):
        a = fakes.obs('m1', U1, seconds=1)
        b = fakes.obs('m2', U1, seconds=2)
        stored = connection.add_observations(
            [fakes.parsed(b), fakes.parsed(a)])
        assert stored == [a, b]
        assert connection.observations_for(U1) == [a, b]

    def test_duplicate_is_a_no_op(self, connection):
        a = fakes.obs('m1', U1)
        assert connection.add_observations([fakes.parsed(a)]) == [a]
        assert connection.add_observations([fakes.parsed(a)]) == []
        assert connection.observations_for(U1) == [a]
        assert connection.counts()['notifications'] == 1

    def test_duplicates_in_one_batch_are_stored_once(self, connection):
        a = fakes.obs('m1', U1)
        assert connection.add_observations(
            [fakes.parsed(a), fakes.parsed(a), a]) == [a]
        assert connection.counts()['observations'] == 1

    def test_only_the_new_part_of_a_batch_is_returned(self, connection):
        a, b = fakes.obs('m1', U1), fakes.obs('m2', U1, seconds=1)
        connection.add_observations([fakes.parsed(a)])
        assert connection.add_observations(
            [fakes.parsed(a), fakes.parsed(b)]) == [b]

    def test_one_message_for_several_instances(self, connection):
        a, b = fakes.obs('m1', U1), fakes.obs('m1', U2)
        assert connection.add_observations([fakes.parsed(a, b)]) == [a, b]
        assert connection.observations_for(U2) == [b]
        assert connection.counts()['notifications'] == 1

    def test_observation_round_trip_keeps_every_field(self, connection):
        from bootdoctor import observation
        a = fakes.obs(
            'm1', U1, kind='instance.create.error', priority='ERROR',
            host='compute1', node='node1', state='building',
            task_state='spawning', old_task_state='networking',
            fault=observation.Fault(exception='PortBindingFailed',
                                    message='Binding failed', code=500,
                                    traceback='Traceback...\nline'),
            details={'image_id': 'img-1', 'nested': {'list': [1, 2]}})
        connection.add_observations([fakes.parsed(a)])
        (back,) = connection.observations_for(U1)
        assert back.to_dict() == a.to_dict()
        assert back.timestamp == a.timestamp
        assert back.timestamp.microsecond == 123456

    def test_bare_observations_are_stored_without_raw(self, connection):
        a = fakes.obs('m1', U1)
        assert connection.add_observations([a]) == [a]
        assert connection.counts()['notifications'] == 0

    def test_invalid_batch_stores_nothing(self, connection):
        good = fakes.obs('m1', U1)
        too_long = fakes.obs('x' * 300, U1)
        with pytest.raises(exceptions.InvalidInput) as err:
            connection.add_observations(
                [fakes.parsed(good), fakes.parsed(too_long)])
        assert 'message_id' in str(err.value)
        assert connection.observations_for(U1) == []
        assert connection.counts()['notifications'] == 0

    def test_not_a_parsed_result_is_refused(self, connection):
        with pytest.raises(exceptions.InvalidInput):
            connection.add_observations([{'message_id': 'm1'}])

    def test_unicode_payload_is_kept(self, connection):
        a = fakes.obs('m1', U1,
                      details={'display_name': 'vm-\u00e9\U0001f680'})
        p = fakes.parsed(a)
        p.message['payload']['name'] = '\U0001f680 caf\u00e9'
        connection.save_records([fakes.record(1)])
        connection.add_observations([p])
        assert connection.events_for(U1)[0]['payload']['name'] == (
            '\U0001f680 caf\u00e9')
        assert connection.observations_for(U1)[0].details[
            'display_name'] == 'vm-\u00e9\U0001f680'

    def test_observations_for_empty_uuid_is_refused(self, connection):
        with pytest.raises(exceptions.InvalidFilter):
            connection.observations_for('')

    def test_related_by_image_and_user_within_window(self, connection):
        send = fakes.obs('g1', None, kind='image.send', seconds=10,
                         user_id=None, project_id=None,
                         details={'image_id': 'img-1',
                                  'receiver_user_id': 'user-a',
                                  'receiver_tenant_id': 'project-a'})
        auth = fakes.obs('k1', None, kind='identity.authenticate',
                         seconds=5, user_id='user-b', project_id=None)
        late = fakes.obs('k2', None, kind='identity.authenticate',
                         seconds=500, user_id='user-b')
        other = fakes.obs('g2', None, kind='image.send', seconds=10,
                          user_id='user-c', details={'image_id': 'img-2'})
        own = fakes.obs('m1', U1, seconds=10,
                        details={'image_id': 'img-1'})
        connection.add_observations(
            [fakes.parsed(o) for o in (send, auth, late, other, own)])
        found = connection.related_for(['img-1'], ['user-b'], at(0),
                                       at(60))
        assert found == [auth, send]
        # The receiving user of a download matches too.
        assert connection.related_for([], ['user-a'], at(0),
                                      at(60)) == [send]
        assert connection.related_for(['img-1'], [], at(0), at(60),
                                      project_ids=['project-b']) == []
        assert connection.related_for([], []) == []

    def test_download_candidates_are_the_boots_spawning_then(
            self, connection):
        def boot(n, project='project-a', image='img-1', seconds=10):
            return fakes.parsed(fakes.obs(
                'b%d' % n, fakes.uuid(n), seconds=seconds,
                project_id=project, details={'image_id': image}))

        connection.add_observations([
            boot(1), boot(2), boot(3, project='project-b'), boot(4),
            boot(5, seconds=60), boot(6, image='img-2'),
            boot(7, seconds=-8000)])
        connection.save_records([
            fakes.record(1, seconds=0, duration_s=100),
            fakes.record(2, seconds=0, duration_s=20),
            fakes.record(5, seconds=60, duration_s=10),
            fakes.record(6, status='building', seconds=0)])
        found = connection.download_candidates(
            'img-1', 'project-a', at(50), datetime.timedelta(hours=2))
        # 1 still building then; 4 has no record yet; 2 had finished, 5
        # not started, 3 is another project's, 6 another image's, 7 is
        # outside the window.
        assert found == {fakes.uuid(1), fakes.uuid(4)}
        assert connection.download_candidates(
            'img-1', None, at(50), datetime.timedelta(hours=2)) == {
                fakes.uuid(1), fakes.uuid(3), fakes.uuid(4)}
        hours = datetime.timedelta(hours=2)
        assert connection.candidates(downloads=[
            ('img-1', 'project-a', at(50), hours),
            ('img-2', None, at(0), hours)]) == {
                fakes.uuid(1), fakes.uuid(4), fakes.uuid(6)}

    def test_authentication_candidates_stop_at_the_next_success(
            self, connection):
        def auth(name, seconds, outcome='success', user='user-a'):
            return fakes.parsed(fakes.obs(
                name, None, kind='identity.authenticate', seconds=seconds,
                user_id=user, details={'outcome': outcome}))

        def seen(n, *times, user='user-a'):
            return [fakes.parsed(fakes.obs('u%d-%d' % (n, t), fakes.uuid(n),
                                           seconds=t, user_id=user))
                    for t in times]

        connection.add_observations(
            [auth('k0', 0), auth('k1', 30, 'failure'), auth('k2', 50),
             auth('k3', 20, user='user-b')] +
            seen(1, 10, 70) + seen(2, -5, 20) + seen(3, 60) +
            seen(4, 4000) + seen(5, 10, user='user-b') + seen(6, 40))
        window = datetime.timedelta(hours=1)
        # 1 and 6 began after k0 and before the next success (k2; the
        # failure k1 does not count); 2 began before k0, 3 after k2, 4
        # more than an hour later, 5 is another user's.
        assert connection.authentication_candidates(
            'user-a', at(0), window) == {fakes.uuid(1), fakes.uuid(6)}
        assert connection.authentication_candidates(
            'user-a', at(50), window) == {fakes.uuid(3)}
        assert connection.authentication_candidates(
            'user-b', at(20), window) == set()
        # Many at once, in one read: the union of the single answers.
        assert connection.candidates(authentications=[
            ('user-a', at(0), window), ('user-a', at(50), window),
            ('user-a', at(0), window), ('user-b', at(20), window)]) == {
                fakes.uuid(1), fakes.uuid(6), fakes.uuid(3)}
        assert connection.candidates() == set()

    def test_events_are_the_raw_messages_in_time_order(self, connection):
        a, b = fakes.obs('m1', U1, seconds=5), fakes.obs('m2', U1)
        connection.add_observations([fakes.parsed(a), fakes.parsed(b)])
        connection.save_records([fakes.record(1)])
        events = connection.events_for(U1)
        assert [e['message_id'] for e in events] == ['m2', 'm1']
        assert events[1] == fakes.raw([a])

    def test_events_hidden_from_another_project(self, connection):
        connection.add_observations([fakes.parsed(fakes.obs('m1', U1))])
        connection.save_records([fakes.record(1, project_id='project-a')])
        assert len(connection.events_for(U1, project_id='project-a')) == 1
        with pytest.raises(exceptions.NotFound):
            connection.events_for(U1, project_id='project-b')
        with pytest.raises(exceptions.NotFound):
            connection.events_for(U2)

    def test_rejections_are_bounded_and_newest_first(self, connection):
        from bootdoctor.db import models
        connection.add_rejection('not JSON', 'x' * (models.RAW_LIMIT + 10),
                                 source='file a.jsonl line 3',
                                 received_at=at(0))
        connection.add_rejection('unknown event type', {'event_type': 'x'},
                                 message_id='m9',
                                 source='exchange nova topic notifications',
                                 received_at=at(1))
        newest, oldest = connection.rejections()
        assert newest['raw'] == '{"event_type": "x"}'
        assert newest['message_id'] == 'm9'
        assert newest['source'] == 'exchange nova topic notifications'
        assert len(oldest['raw']) == models.RAW_LIMIT
        assert oldest['raw'].endswith('[truncated 10 characters]')
        assert oldest['reason'] == 'not JSON'
        assert connection.rejections(limit=1) == [newest]
        assert connection.rejections(since=at(1)) == [newest]


class RecordCases:

    def test_save_and_get_round_trip(self, connection):
        rec = fakes.record(1, status='error', root_cause={
            'exception': 'NoValidHost', 'message': 'No valid host',
            'step': 9, 'component': 'nova-scheduler', 'host': None})
        assert connection.save_records([rec]) == [U1]
        assert connection.get_record(U1) == rec
        assert connection.get_record(U2) is None

    def test_records_as_stored_json_text(self, connection):
        import json
        rec = fakes.record(1)
        connection.save_records([rec])
        text = connection.get_record(U1, decode=False)
        assert isinstance(text, str) and json.loads(text) == rec
        (listed,) = connection.list_records(decode=False)
        assert json.loads(listed) == rec

    def test_save_updates(self, connection):
        connection.save_records([fakes.record(1, status='building')])
        connection.save_records([fakes.record(1, status='active')])
        assert connection.get_record(U1)['status'] == 'active'
        assert connection.counts()['boots'] == 1

    def test_another_projects_boot_is_none(self, connection):
        connection.save_records([fakes.record(1, project_id='project-a')])
        assert connection.get_record(U1, project_id='project-a')
        assert connection.get_record(U1, project_id='project-b') is None

    def test_fewer_observations_do_not_overwrite(self, connection):
        connection.save_records([fakes.record(1, status='active')],
                                observation_counts={U1: 5})
        assert connection.save_records(
            [fakes.record(1, status='building')],
            observation_counts={U1: 4}) == []
        assert connection.get_record(U1)['status'] == 'active'
        connection.save_records([fakes.record(1, status='deleted')],
                                observation_counts={U1: 6})
        assert connection.get_record(U1)['status'] == 'deleted'

    @pytest.mark.parametrize('change, message', [
        ({'status': 'unknown'}, 'status'),
        ({'instance_uuid': None}, 'instance_uuid'),
        ({'created_at': None, 'updated_at': None, 'finished_at': None},
         'created_at'),
        ({'created_at': 'yesterday'}, 'ISO 8601'),
        ({'host': 'h' * 256}, 'boots.host'),
        ({'step': 'three'}, 'step'),
    ])
    def test_invalid_records_are_refused(self, connection, change,
                                         message):
        rec = fakes.record(1)
        rec.update(change)
        with pytest.raises(exceptions.InvalidInput) as err:
            connection.save_records([fakes.record(2), rec])
        assert message in str(err.value)
        assert connection.counts()['boots'] == 0

    def test_created_at_falls_back_to_updated_at(self, connection):
        rec = fakes.record(1, created_at=None)
        connection.save_records([rec])
        (row,) = connection.list_records(detail=False)
        assert row['created_at'] == rec['updated_at']

    def _three_projects(self, connection):
        recs = [
            fakes.record(1, status='active', seconds=0),
            fakes.record(2, status='error', seconds=10, host='compute2',
                         request_id='req-x', root_cause={
                             'exception': 'PortBindingFailed',
                             'message': 'm', 'step': 14,
                             'component': 'neutron', 'host': 'compute2'}),
            fakes.record(3, status='building', seconds=20,
                         project_id='project-b'),
        ]
        connection.save_records(recs)
        return recs

    @pytest.mark.parametrize('filters, expected', [
        ({}, [3, 2, 1]),
        ({'status': 'error'}, [2]),
        ({'status': ['error', 'active']}, [2, 1]),
        ({'phase': 'spawning'}, [3, 2]),
        ({'host': 'compute2'}, [2]),
        ({'failed_component': 'neutron'}, [2]),
        ({'request_id': 'req-x'}, [2]),
        ({'project_id': 'project-b'}, [3]),
        ({'project_id': 'project-a', 'status': 'active'}, [1]),
        ({'since': at(10)}, [3, 2]),
        ({'until': at(10)}, [1]),
        ({'since': at(0).isoformat(), 'until': at(11).isoformat()},
         [2, 1]),
        ({'status': None}, [3, 2, 1]),
    ])
    def test_list_filters(self, connection, filters, expected):
        self._three_projects(connection)
        found = connection.list_records(filters)
        assert [r['instance_uuid'] for r in found] == [
            fakes.uuid(n) for n in expected]

    @pytest.mark.parametrize('filters, sort, limit, marker, parameter', [
        ({'colour': 'red'}, None, None, None, 'colour'),
        ({'status': 'lost'}, None, None, None, 'status'),
        ({'phase': 'booting'}, None, None, None, 'phase'),
        ({'status': []}, None, None, None, 'status'),
        ({'since': 'last week'}, None, None, None, 'since'),
        ({}, 'name', None, None, 'sort'),
        ({}, 'created_at:up', None, None, 'sort'),
        ({}, None, 0, None, 'limit'),
        ({}, None, 'ten', None, 'limit'),
        ({}, None, None, fakes.uuid(99), 'marker'),
        ({'project_id': 'project-a'}, None, None, fakes.uuid(3), 'marker'),
    ])
    def test_list_refuses_bad_parameters(self, connection, filters, sort,
                                         limit, marker, parameter):
        self._three_projects(connection)
        with pytest.raises(exceptions.InvalidFilter) as err:
            connection.list_records(filters, sort, limit, marker)
        assert err.value.parameter == parameter

    def _walk(self, connection, sort, limit, filters=None):
        pages, marker = [], None
        while True:
            page = connection.list_records(filters, sort, limit, marker,
                                           detail=False)
            if not page:
                return pages
            pages.append([r['instance_uuid'] for r in page])
            marker = page[-1]['instance_uuid']

    @pytest.mark.parametrize('sort', [
        'created_at', 'created_at:asc', 'created_at:desc',
        'updated_at:asc', 'updated_at:desc',
        'duration_s:asc', 'duration_s:desc'])
    def test_keyset_pagination_visits_each_boot_once(self, connection,
                                                     sort):
        recs = []
        for n in range(1, 24):
            # Ties on created_at (n // 3) and durations, some unfinished.
            status = 'building' if n % 5 == 0 else 'active'
            recs.append(fakes.record(n, status=status, seconds=n // 3,
                                     duration_s=float(n % 4)))
        connection.save_records(recs)
        pages = self._walk(connection, sort, 4)
        assert [len(p) for p in pages] == [4] * 5 + [3]
        order = [u for page in pages for u in page]
        assert order == [r['instance_uuid'] for r in
                         connection.list_records(sort=sort, detail=False)]
        assert sorted(order) == sorted(r['instance_uuid'] for r in recs)
        key, _, direction = sort.partition(':')
        by_uuid = {r['instance_uuid']: r for r in recs}

        def sort_key(uuid):
            value = by_uuid[uuid][key]
            return value
        values = [sort_key(u) for u in order]
        finished = [v for v in values if v is not None]
        assert finished == sorted(finished,
                                  reverse=direction != 'asc')
        if key == 'duration_s':
            # Unfinished boots come last, whatever the direction.
            assert values[len(finished):] == [None] * (
                len(values) - len(finished))

    def test_pagination_with_filters(self, connection):
        recs = [fakes.record(n, status='error' if n % 2 else 'active',
                             seconds=n) for n in range(1, 11)]
        connection.save_records(recs)
        pages = self._walk(connection, None, 2, {'status': 'error'})
        assert pages == [[fakes.uuid(9), fakes.uuid(7)],
                         [fakes.uuid(5), fakes.uuid(3)],
                         [fakes.uuid(1)]]

    def test_one_statement_serves_each_shape_of_list(self, connection):
        # The same filters with other values, another marker or limit run
        # the statement built the first time, with the new values bound.
        self._three_projects(connection)
        statements.clear()

        def listed(filters, limit=None, marker=None):
            return [r['instance_uuid'] for r in connection.list_records(
                filters, None, limit, marker, detail=False)]
        assert listed({'status': 'error'}) == [U2]
        assert listed({'status': 'active'}) == [fakes.uuid(1)]
        assert listed({'status': 'building'}, 5) == [fakes.uuid(3)]
        built = statements.count()
        assert listed({'status': 'active'}, 1) == [fakes.uuid(1)]
        assert listed({'status': 'error'}) == [U2]
        assert statements.count() == built
        # Another shape: several statuses, one IN with its values expanded.
        assert listed({'status': ['active', 'building']}) == [
            fakes.uuid(3), fakes.uuid(1)]
        assert listed({'status': ['active', 'error']}) == [U2, fakes.uuid(1)]
        assert listed({}, 1, fakes.uuid(3)) == [U2]
        assert listed({}, 1, U2) == [fakes.uuid(1)]
        assert statements.count() == built + 3  # IN, marker, page after
        assert connection.get_record(U2)['instance_uuid'] == U2
        assert connection.get_record(fakes.uuid(1))['instance_uuid'] == (
            fakes.uuid(1))
        assert connection.get_record(U2, 'project-b') is None

    def test_summaries_come_from_columns(self, connection):
        recs = self._three_projects(connection)
        summary = connection.list_records({'status': 'error'},
                                          detail=False)[0]
        assert summary == {
            'instance_uuid': U2, 'project_id': 'project-a',
            'user_id': 'user-a', 'request_id': 'req-x', 'status': 'error',
            'phase': 'spawning', 'step': 20, 'host': 'compute2',
            'failed_step': 14, 'failed_component': 'neutron',
            'failed_host': 'compute2',
            'created_at': recs[1]['created_at'],
            'updated_at': recs[1]['updated_at'],
            'finished_at': recs[1]['finished_at'], 'duration_s': 10.0}

    def test_stale_building(self, connection):
        connection.save_records([
            fakes.record(1, status='building', seconds=0),
            fakes.record(2, status='building', seconds=100),
            fakes.record(3, status='active', seconds=0)])
        stale = connection.stale_building(
            now=at(200), min_age=datetime.timedelta(seconds=150))
        assert [r['instance_uuid'] for r in stale] == [U1]
        assert [r['instance_uuid'] for r in connection.stale_building(
            now=at(200))] == [U1, U2]
        assert connection.stale_building(now=at(200), limit=1)[0][
            'instance_uuid'] == U1

    def test_unannounced_failures(self, connection):
        connection.save_records([
            fakes.record(1, status='error', seconds=0),
            fakes.record(2, status='error', seconds=100),
            fakes.record(3, status='error', seconds=190),
            fakes.record(4, status='active', seconds=100)])
        grace = datetime.timedelta(seconds=30)
        window = datetime.timedelta(seconds=150)
        # U1 is older than the window, U3 within the grace.
        found = connection.unannounced_failures(grace, window, now=at(200))
        assert [r['instance_uuid'] for r in found] == [U2]
        everything = datetime.timedelta(days=1)
        found = connection.unannounced_failures(grace, everything,
                                                now=at(200))
        assert [r['instance_uuid'] for r in found] == [U1, U2]
        assert [r['instance_uuid'] for r in connection.unannounced_failures(
            grace, everything, now=at(200), limit=1)] == [U1]
        # Announced: left out, as is a stuck mark's boot that failed.
        marks = [(U1, 'error'), (U2, 'stuck')]
        assert connection.mark_emitted_many(marks) == set(marks)
        found = connection.unannounced_failures(grace, everything,
                                                now=at(200))
        assert [r['instance_uuid'] for r in found] == [U2]


class StatsCases:

    def _phases(self, seconds):
        return {'scheduling': {'started_at': None, 'ended_at': None,
                               'duration_s': seconds},
                'spawning': {'started_at': None, 'ended_at': None,
                             'duration_s': seconds * 10},
                'networking': {'started_at': None, 'ended_at': None,
                               'duration_s': None}}

    def test_counts_failures_and_percentiles(self, connection):
        recs = [fakes.record(n, seconds=n, phases=self._phases(float(n)),
                             host='compute%d' % (n % 2))
                for n in range(1, 101)]
        recs[0].update(status='error', root_cause={
            'exception': 'NoValidHost', 'message': '', 'step': 9,
            'component': 'nova-scheduler', 'host': None})
        recs[1].update(status='stuck', root_cause={
            'exception': None, 'message': '', 'step': 14,
            'component': 'neutron', 'host': 'compute0'})
        recs[2].update(status='error', root_cause={
            'exception': 'PortBindingFailed', 'message': '', 'step': 14,
            'component': 'neutron', 'host': 'compute1'})
        connection.save_records(recs)
        # Outside the window: must not count.
        connection.save_records([fakes.record(200, seconds=5000)])
        result = connection.stats(since=at(0), until=at(1000))
        assert result['total'] == 100
        assert result['by_status'] == {'building': 0, 'active': 97,
                                       'error': 2, 'stuck': 1,
                                       'deleted': 0}
        failures = result['failures']
        assert failures['total'] == 3
        assert failures['by_step'] == [{'step': 14, 'count': 2},
                                       {'step': 9, 'count': 1}]
        assert failures['by_component'] == [
            {'component': 'neutron', 'count': 2},
            {'component': 'nova-scheduler', 'count': 1}]
        assert failures['by_host'] == [
            {'host': 'compute0', 'count': 1},
            {'host': 'compute1', 'count': 1},
            {'host': 'unknown', 'count': 1}]
        assert list(result['phases']) == ['scheduling', 'spawning']
        sched = result['phases']['scheduling']
        assert sched['count'] == 100
        assert sched['p50'] == pytest.approx(50.5)
        assert sched['p95'] == pytest.approx(95.05)
        assert sched['p99'] == pytest.approx(99.01)
        assert result['phases']['spawning']['p50'] == pytest.approx(505.0)

    def test_group_by_host_and_project(self, connection):
        connection.save_records([
            fakes.record(1, host='compute1', phases=self._phases(1.0)),
            fakes.record(2, host='compute1', phases=self._phases(3.0)),
            fakes.record(3, host='compute2', status='error',
                         phases=self._phases(7.0)),
            fakes.record(4, host='compute2', project_id='project-b',
                         phases=self._phases(9.0))])
        result = connection.stats(project_id='project-a', group_by='host')
        assert result['total'] == 3
        assert result['phases']['scheduling']['p50'] == pytest.approx(3.0)
        groups = {g['host']: g for g in result['groups']}
        assert set(groups) == {'compute1', 'compute2'}
        assert groups['compute1']['total'] == 2
        assert groups['compute1']['phases']['scheduling'] == {
            'count': 2, 'p50': pytest.approx(2.0),
            'p95': pytest.approx(2.9), 'p99': pytest.approx(2.98)}
        assert groups['compute2']['by_status']['error'] == 1

    def test_empty_window_and_bad_group(self, connection):
        result = connection.stats(since=at(0), until=at(1))
        assert result['total'] == 0 and result['phases'] == {}
        with pytest.raises(exceptions.InvalidFilter) as err:
            connection.stats(group_by='colour')
        assert err.value.parameter == 'group_by'
        with pytest.raises(exceptions.InvalidFilter):
            connection.stats(since='tomorrow')

    def test_phases_follow_the_saved_record(self, connection):
        connection.save_records([fakes.record(1, phases=self._phases(2.0))])
        connection.save_records([fakes.record(1, phases={})])
        assert connection.stats()['phases'] == {}
