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

"""GET /v1/boots and /v1/boots/{uuid}: visibility, filters, pages."""

import json
from urllib import parse
import uuid

import pytest

from bootdoctor.tests.unit.api import conftest as c


def boots(app, headers, **params):
    response = app.get('/v1/boots', params=params, headers=headers)
    assert response.status_int == 200
    return response.json


def uuids(body):
    return [b['instance_uuid'] for b in body['boots']]


def walk(app, headers, **params):
    """Every boot across every page, following next links."""
    seen = []
    body = boots(app, headers, **params)
    pages = 1
    while True:
        seen.extend(uuids(body))
        nxt = [link['href'] for link in body['links']
               if link['rel'] == 'next']
        if not nxt:
            return seen, pages
        url = parse.urlsplit(nxt[0])
        body = app.get(url.path + '?' + url.query, headers=headers).json
        pages += 1


class TestVisibility:
    def test_reader_sees_only_own_project(self, app, dataset):
        body = boots(app, c.READER_A, limit=1000)
        assert body['boots']
        assert {b['project_id'] for b in body['boots']} == {c.PROJECT_A}
        assert sorted(uuids(body)) == sorted(
            r['instance_uuid'] for r in dataset.of_project(c.PROJECT_A))

    def test_member_of_b_sees_only_b(self, app, dataset):
        body = boots(app, c.MEMBER_B, limit=1000)
        assert sorted(uuids(body)) == sorted(
            r['instance_uuid'] for r in dataset.of_project(c.PROJECT_B))

    def test_admin_without_all_projects_sees_own_project(self, app):
        assert boots(app, c.ADMIN)['boots'] == []

    def test_admin_all_projects_sees_every_boot(self, app, dataset):
        body = boots(app, c.ADMIN, all_projects='true', limit=1000)
        assert sorted(uuids(body)) == sorted(dataset.records)

    def test_admin_filters_another_project(self, app, dataset):
        body = boots(app, c.ADMIN, project_id=c.PROJECT_B, limit=1000)
        assert {b['project_id'] for b in body['boots']} == {c.PROJECT_B}

    def test_reader_cannot_list_all_projects(self, app):
        response = app.get('/v1/boots?all_projects=true',
                           headers=c.READER_A, status=403)
        assert response.json['error']['parameter'] == 'all_projects'

    def test_reader_cannot_name_another_project(self, app):
        response = app.get('/v1/boots', params={'project_id': c.PROJECT_B},
                           headers=c.MEMBER_A, status=403)
        assert response.json['error']['parameter'] == 'project_id'

    def test_reader_may_name_own_project(self, app):
        body = boots(app, c.READER_A, project_id=c.PROJECT_A)
        assert {b['project_id'] for b in body['boots']} == {c.PROJECT_A}

    def test_no_role_is_forbidden(self, app):
        app.get('/v1/boots', headers=c.who(c.PROJECT_A, 'observer'),
                status=403)

    def test_no_project_is_forbidden(self, app):
        app.get('/v1/boots', headers={'X-Roles': 'reader'}, status=403)

    def test_show_own_boot(self, app, dataset):
        record = dataset.of_project(c.PROJECT_A)[0]
        body = app.get('/v1/boots/%s' % record['instance_uuid'],
                       headers=c.READER_A).json
        assert body['instance_uuid'] == record['instance_uuid']
        assert len(body['steps']) == 29
        assert body['diagnosis'] == record['diagnosis']

    def test_other_projects_boot_is_404_like_unknown(self, app, dataset):
        record = dataset.of_project(c.PROJECT_B)[0]
        hidden = app.get('/v1/boots/%s' % record['instance_uuid'],
                         headers=c.MEMBER_A, status=404).json
        unknown = app.get('/v1/boots/%s' % uuid.uuid4(),
                          headers=c.MEMBER_A, status=404).json
        assert set(hidden['error']) == set(unknown['error'])
        assert hidden['error']['title'] == unknown['error']['title']

    def test_admin_shows_any_boot(self, app, dataset):
        record = dataset.of_project(c.PROJECT_B)[0]
        app.get('/v1/boots/%s' % record['instance_uuid'], headers=c.ADMIN,
                status=200)

    def test_uuid_without_dashes_or_upper_case(self, app, dataset):
        record = dataset.of_project(c.PROJECT_A)[0]
        for form in (record['instance_uuid'].upper(),
                     uuid.UUID(record['instance_uuid']).hex):
            body = app.get('/v1/boots/%s' % form, headers=c.READER_A).json
            assert body['instance_uuid'] == record['instance_uuid']


class TestTracebacks:
    def test_reader_gets_null_tracebacks(self, app, dataset):
        record = dataset.with_traceback()
        headers = c.who(record['project_id'], 'reader')
        body = app.get('/v1/boots/%s' % record['instance_uuid'],
                       headers=headers).json
        assert body['fault']['exception'] == record['fault']['exception']
        assert body['fault']['traceback'] is None
        assert all(a['fault'] is None or a['fault']['traceback'] is None
                   for a in body['attempts'])
        assert 'Traceback' not in app.get(
            '/v1/boots/%s' % record['instance_uuid'], headers=headers).text

    def test_reader_gets_a_record_without_tracebacks_as_stored(
            self, app, dataset):
        record = next(r for r in dataset.of_project(c.PROJECT_A)
                      if 'Traceback' not in json.dumps(r))
        body = app.get('/v1/boots/%s' % record['instance_uuid'],
                       headers=c.READER_A).json
        assert body == record

    def test_admin_gets_tracebacks(self, app, dataset):
        record = dataset.with_traceback()
        body = app.get('/v1/boots/%s' % record['instance_uuid'],
                       headers=c.ADMIN).json
        assert body['fault']['traceback'] == record['fault']['traceback']

    def test_list_strips_tracebacks_for_readers(self, app, dataset):
        record = dataset.with_traceback()
        headers = c.who(record['project_id'], 'reader')
        text = app.get('/v1/boots', headers=headers).text
        assert 'Traceback' not in text
        admin = app.get('/v1/boots', params={'all_projects': 'true'},
                        headers=c.ADMIN).text
        assert 'Traceback' in admin

    def test_record_tracebacks_are_only_in_faults(self, dataset):
        # The targeted strip used for records must remove every traceback
        # the generic one does.
        from bootdoctor.api import visibility
        for record in dataset.samples:
            assert visibility.strip_record_tracebacks(record) == \
                visibility.strip_tracebacks(record)
        assert dataset.with_traceback()['fault']['traceback']

    def test_policy_file_can_grant_tracebacks(self, make_app, policy_file,
                                              dataset):
        policy_file({'bootdoctor:boot:get:traceback':
                     'rule:project_reader_api'})
        app = make_app()
        record = dataset.with_traceback()
        body = app.get('/v1/boots/%s' % record['instance_uuid'],
                       headers=c.who(record['project_id'], 'reader')).json
        assert body['fault']['traceback'] == record['fault']['traceback']

    def test_policy_file_can_hide_boots(self, make_app, policy_file,
                                        dataset):
        policy_file({'bootdoctor:boot:get': 'rule:context_is_admin'})
        app = make_app()
        record = dataset.of_project(c.PROJECT_A)[0]
        app.get('/v1/boots/%s' % record['instance_uuid'],
                headers=c.READER_A, status=404)


class TestListShape:
    def test_items_leave_out_steps_and_diagnosis(self, app):
        for item in boots(app, c.READER_A)['boots']:
            assert 'steps' not in item and 'diagnosis' not in item
            assert 'root_cause' in item and 'attempts' in item

    def test_default_order_is_newest_first(self, app):
        created = [b['created_at'] for b in
                   boots(app, c.READER_A, limit=1000)['boots']]
        assert created == sorted(created, reverse=True)

    def test_sort_ascending(self, app):
        created = [b['created_at'] for b in boots(
            app, c.READER_A, sort='created_at:asc', limit=1000)['boots']]
        assert created == sorted(created)

    def test_sort_by_updated_at(self, app):
        updated = [b['updated_at'] for b in boots(
            app, c.READER_A, sort='updated_at', limit=1000)['boots']]
        assert updated == sorted(updated, reverse=True)


class TestPagination:
    def test_pages_cover_every_boot_once(self, app, dataset):
        seen, pages = walk(app, c.READER_A, limit=5)
        expected = dataset.of_project(c.PROJECT_A)
        assert len(seen) == len(set(seen)) == len(expected)
        assert pages == -(-len(expected) // 5)

    def test_next_link_keeps_filters(self, app, dataset):
        body = boots(app, c.READER_A, status='error', limit=2)
        link = body['links'][0]['href']
        query = parse.parse_qs(parse.urlsplit(link).query)
        assert query['status'] == ['error']
        assert query['limit'] == ['2']
        assert query['marker'] == [body['boots'][-1]['instance_uuid']]
        seen, _ = walk(app, c.READER_A, status='error', limit=2)
        expected = [r for r in dataset.of_project(c.PROJECT_A)
                    if r['status'] == 'error']
        assert sorted(seen) == sorted(r['instance_uuid'] for r in expected)

    def test_last_page_has_no_next_link(self, app):
        assert boots(app, c.READER_A, limit=1000)['links'] == []

    def test_default_limit(self, make_app):
        app = make_app(default_limit=3)
        body = boots(app, c.READER_A)
        assert len(body['boots']) == 3
        assert 'limit=3' in body['links'][0]['href']

    def test_marker_of_another_project_is_rejected(self, app, dataset):
        marker = dataset.of_project(c.PROJECT_B)[0]['instance_uuid']
        response = app.get('/v1/boots', params={'marker': marker},
                           headers=c.READER_A, status=400)
        assert response.json['error']['parameter'] == 'marker'


class TestFilters:
    @pytest.mark.parametrize('name', ['status', 'phase', 'host',
                                      'request_id'])
    def test_filter_matches_stored_records(self, app, dataset, name):
        mine = dataset.of_project(c.PROJECT_A)
        value = next(r[name] for r in mine if r[name])
        body = boots(app, c.READER_A, limit=1000, **{name: value})
        expected = sorted(r['instance_uuid'] for r in mine
                          if r[name] == value)
        assert expected and sorted(uuids(body)) == expected

    def test_failed_component(self, app, dataset):
        mine = dataset.of_project(c.PROJECT_A)
        component = next(r['root_cause']['component'] for r in mine
                         if r['root_cause'])
        body = boots(app, c.READER_A, failed_component=component,
                     limit=1000)
        assert sorted(uuids(body)) == sorted(
            r['instance_uuid'] for r in mine if r['root_cause']
            and r['root_cause']['component'] == component)

    def test_several_statuses_comma_or_repeated(self, app, dataset):
        mine = dataset.of_project(c.PROJECT_A)
        expected = sorted(r['instance_uuid'] for r in mine
                          if r['status'] in ('error', 'active'))
        comma = boots(app, c.READER_A, status='error,active', limit=1000)
        repeated = app.get('/v1/boots?status=error&status=active&limit=1000',
                           headers=c.READER_A).json
        assert sorted(uuids(comma)) == sorted(uuids(repeated)) == expected

    def test_since_and_until(self, app, dataset):
        body = boots(app, c.READER_A, since='2024-05-01T12:02:00Z',
                     until='2024-05-01T12:05:00+00:00', limit=1000)
        created = sorted(b['created_at'] for b in body['boots'])
        assert len(created) == 3
        assert created[0].startswith('2024-05-01T12:02:00')

    def test_naive_time_is_utc(self, app):
        aware = boots(app, c.READER_A, since='2024-05-01T12:02:00Z')
        naive = boots(app, c.READER_A, since='2024-05-01T12:02:00')
        assert uuids(aware) == uuids(naive)


BAD = [
    ('status', 'sleeping'),
    ('status', 'error,'),
    ('phase', 'booting'),
    ('failed_component', 'nova-cells'),
    ('host', 'compute 1'),
    ('request_id', 'req-123'),
    ('request_id', '1c6a2aa5-324a-49c0-b559-9760986d6dca'),
    ('project_id', 'a/b'),
    ('since', 'yesterday'),
    ('until', '2024-13-01T00:00:00'),
    ('since', '9999-12-31T23:59:59-23:59'),
    ('limit', '0'),
    ('limit', '-1'),
    ('limit', 'ten'),
    ('limit', '1001'),
    ('limit', '99999999999999999999'),
    ('sort', 'name'),
    ('sort', 'created_at:up'),
    ('marker', 'not-a-uuid'),
    ('marker', str(uuid.UUID(int=7))),
    ('all_projects', 'maybe'),
    ('stauts', 'error'),
    ('limit', ''),
]


@pytest.mark.parametrize('name,value', BAD)
def test_bad_parameter_is_400_naming_it(app, name, value):
    response = app.get('/v1/boots', params={name: value},
                       headers=c.READER_A, status=400)
    error = response.json['error']
    assert error['code'] == 400
    assert error['parameter'] == name
    assert error['request_id'] == response.headers['X-OpenStack-Request-ID']


def test_repeated_single_parameter_is_400(app):
    response = app.get('/v1/boots?limit=1&limit=2', headers=c.READER_A,
                       status=400)
    assert response.json['error']['parameter'] == 'limit'


def test_until_before_since_is_400(app):
    response = app.get('/v1/boots', params={
        'since': '2024-05-02T00:00:00Z', 'until': '2024-05-01T00:00:00Z'},
        headers=c.READER_A, status=400)
    assert response.json['error']['parameter'] == 'until'


@pytest.mark.parametrize('path', ['/v1/boots/not-a-uuid',
                                  '/v1/boots/not-a-uuid/events',
                                  '/v1/boots/%7B12345678-1234-5678-1234-'
                                  '567812345678%7D'])
def test_bad_uuid_is_400(app, path):
    response = app.get(path, headers=c.READER_A, status=400)
    assert response.json['error']['parameter'] == 'instance_uuid'


def test_show_takes_only_all_projects(app, dataset):
    record = dataset.of_project(c.PROJECT_A)[0]
    app.get('/v1/boots/%s?all_projects=true' % record['instance_uuid'],
            headers=c.ADMIN, status=200)
    response = app.get('/v1/boots/%s?limit=1' % record['instance_uuid'],
                       headers=c.READER_A, status=400)
    assert response.json['error']['parameter'] == 'limit'
