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

"""bootdoctor-api over SQLite, PostgreSQL and MariaDB.

Visibility, filters, pages and statistics, and no query string that
reaches a 500, on each backend; a server that is not running makes its
tests skip with the reason.
"""

import datetime
from urllib import parse

from hypothesis import given
from hypothesis import HealthCheck
from hypothesis import settings
from hypothesis import strategies as st
from oslo_config import fixture as config_fixture
from prometheus_client import parser as prom_parser
import pytest
import webtest

from bootdoctor.api import app as api_app
from bootdoctor.api import policy
from bootdoctor.api import storage as api_storage
from bootdoctor import catalogue
from bootdoctor.db import api as db_api
from bootdoctor.db import stats as db_stats
from bootdoctor.tests.functional.db import servers
from bootdoctor.tests.unit.api import conftest as c
from bootdoctor.tests.unit.api import data
from bootdoctor.tracker import record as tracker_record


@pytest.fixture(scope='module', params=servers.BACKENDS)
def backend(request, tmp_path_factory):
    with servers.database(request.param, tmp_path_factory) as url:
        dataset = data.build(url, c.PROJECT_A, c.PROJECT_B)
        conf = c.make_conf()
        fixture = config_fixture.Config(conf)
        fixture.setUp()
        fixture.config(state_path=str(tmp_path_factory.mktemp('s')))
        fixture.config(connection=url, group='database')
        fixture.config(auth_strategy='noauth', group='api')
        fixture.config(metrics_enabled=True, stats_default_window=10 ** 9,
                       group='api')
        connection = db_api.Connection(url)
        application = api_app.build_wsgi_app(
            conf, storage=api_storage.Storage(connection),
            enforcer=policy.make_enforcer(conf))
        try:
            yield webtest.TestApp(application), dataset
        finally:
            connection.close()
            fixture.cleanUp()


def uuids(body):
    return sorted(b['instance_uuid'] for b in body['boots'])


def test_projects_and_filters(backend):
    app, dataset = backend
    mine = dataset.of_project(c.PROJECT_A)
    body = app.get('/v1/boots?limit=1000', headers=c.READER_A).json
    assert uuids(body) == sorted(r['instance_uuid'] for r in mine)
    body = app.get('/v1/boots?status=error&host=compute1,compute2',
                   headers=c.MEMBER_A).json
    assert uuids(body) == sorted(
        r['instance_uuid'] for r in mine
        if r['status'] == 'error' and r['host'] in ('compute1', 'compute2'))
    body = app.get('/v1/boots', params={'since': '2024-05-01T12:02:00Z',
                                        'until': '2024-05-01T12:05:00Z'},
                   headers=c.READER_A).json
    assert len(body['boots']) == 3
    other = dataset.of_project(c.PROJECT_B)[0]['instance_uuid']
    app.get('/v1/boots/%s' % other, headers=c.READER_A, status=404)
    all_body = app.get('/v1/boots?all_projects=1&limit=1000',
                       headers=c.ADMIN).json
    assert uuids(all_body) == sorted(dataset.records)


@pytest.mark.parametrize('sort', ['created_at', 'updated_at:asc',
                                  'duration_s', 'duration_s:asc'])
def test_pages_cover_every_boot_once(backend, sort):
    app, dataset = backend
    seen = []
    url = '/v1/boots?all_projects=true&limit=4&sort=%s' % sort
    while url:
        body = app.get(url, headers=c.ADMIN).json
        seen += [b['instance_uuid'] for b in body['boots']]
        links = [link['href'] for link in body['links']]
        url = None
        if links:
            split = parse.urlsplit(links[0])
            url = split.path + '?' + split.query
    assert len(seen) == len(set(seen)) == len(dataset.records)


def test_events_and_stats(backend):
    app, dataset = backend
    sample = dataset.with_traceback()
    events = app.get('/v1/boots/%s/events' % sample['instance_uuid'],
                     headers=c.ADMIN).json['events']
    assert events and all(e['raw'] for e in events)
    stats = app.get('/v1/stats', params={
        'all_projects': 'true', 'group_by': 'host',
        'since': '2024-05-01T00:00:00Z', 'until': '2024-05-02T00:00:00Z'},
        headers=c.ADMIN).json
    assert stats['total'] == 2 * data.COPIES_PER_PROJECT
    assert stats['phases']


def test_metrics_histograms(backend):
    app, dataset = backend
    text = app.get('/metrics', headers=c.ADMIN).text
    (family,) = [f for f in prom_parser.text_string_to_metric_families(text)
                 if f.name == 'bootdoctor_boot_phase_duration_seconds']
    assert family.type == 'histogram'
    samples = {(s.name, s.labels['phase'], s.labels.get('le')): s.value
               for s in family.samples}
    durations = dataset.phase_durations()
    for phase in catalogue.PHASES:
        values = durations.get(phase, [])
        for bound in db_stats.HISTOGRAM_BOUNDS:
            assert samples[(family.name + '_bucket', phase, '%g' % bound)] \
                == sum(1 for v in values if v <= bound)
        assert samples[(family.name + '_bucket', phase, '+Inf')] == \
            samples[(family.name + '_count', phase, None)] == len(values)
        assert samples[(family.name + '_sum', phase, None)] == \
            pytest.approx(sum(values))


TIMES = st.datetimes(
    min_value=datetime.datetime(2024, 4, 30),
    max_value=datetime.datetime(2024, 5, 2),
    timezones=st.sampled_from([datetime.timezone.utc,
                               datetime.timezone(datetime.timedelta(
                                   hours=-5))])).map(lambda d: d.isoformat())
# Mostly plausible values, so that most queries reach the database, and
# now and then anything at all.
VALID = {
    'status': st.lists(st.sampled_from(tracker_record.STATUSES), min_size=1,
                       max_size=3).map(','.join),
    'phase': st.sampled_from(catalogue.PHASES),
    'host': st.sampled_from(['compute0', 'compute1,compute2', 'x' * 255]),
    'failed_component': st.sampled_from(list(catalogue.components())),
    'request_id': st.uuids().map(lambda u: 'req-%s' % u),
    'project_id': st.sampled_from([c.PROJECT_A, c.PROJECT_B, 'p' * 64]),
    'since': TIMES,
    'until': TIMES,
    'sort': st.sampled_from(['created_at', 'updated_at:asc', 'duration_s',
                             'duration_s:asc', 'created_at:desc']),
    'limit': st.integers(min_value=1, max_value=1000).map(str),
    'marker': st.sampled_from(['', 'x']),  # replaced by real uuids below
    'all_projects': st.sampled_from(['true', 'false', '1']),
    'group_by': st.just('host'),
}
BOOTS = ('status', 'phase', 'host', 'failed_component', 'request_id',
         'project_id', 'since', 'until', 'sort', 'limit', 'marker',
         'all_projects')
STATS = ('since', 'until', 'group_by', 'project_id', 'all_projects')


def query(names, markers):
    def pair(name):
        valid = VALID[name]
        if name == 'marker':
            valid = st.sampled_from(markers)
        return st.tuples(st.just(name), st.one_of(
            valid, valid, valid, st.text(max_size=300)))
    return st.lists(st.sampled_from(names).flatmap(pair), max_size=4,
                    unique_by=lambda item: item[0])


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data_=st.data())
def test_no_query_reaches_a_500(backend, data_):
    app, dataset = backend
    markers = sorted(dataset.records)[:20]
    for path, names in (('/v1/boots', BOOTS), ('/v1/stats', STATS)):
        pairs = data_.draw(query(names, markers))
        response = app.get(path + '?' + parse.urlencode(pairs),
                           headers=c.ADMIN, expect_errors=True)
        assert response.status_int in (200, 400, 403), response.text
