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

"""Query parameter parsing: a 400 naming the parameter, never a crash."""

import datetime

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
import pytest
from werkzeug import datastructures

from bootdoctor.api import errors
from bootdoctor.api import params
from bootdoctor.tests.unit.api import conftest as c

SPEC = {
    'status': lambda v, n: params.choices(v, n, ('error', 'active')),
    'host': params.hosts,
    'since': params.timestamp,
    'limit': lambda v, n: params.integer(v, n, 1, 1000),
    'marker': params.instance_uuid,
    'all_projects': params.boolean,
    'request_id': params.request_id,
    'project_id': params.identifier,
    'sort': lambda v, n: params.sort(v, n, ('created_at',)),
}


def parse(*pairs):
    return params.parse(datastructures.MultiDict(pairs), SPEC,
                        multi=('status', 'host'))


def test_values():
    result = parse(('status', 'error'), ('status', 'active,error'),
                   ('host', 'c1,c2'), ('since', '2024-05-01T14:00:00+02:00'),
                   ('limit', ' 10 '), ('all_projects', 'Yes'),
                   ('marker', '07EAE9BA-0682-4B41-A7C4-76EC68EED449'),
                   ('sort', 'created_at'))
    assert result['status'] == ['error', 'active']
    assert result['host'] == ['c1', 'c2']
    assert result['since'] == datetime.datetime(
        2024, 5, 1, 12, tzinfo=datetime.timezone.utc)
    assert result['limit'] == 10
    assert result['all_projects'] is True
    assert result['marker'] == '07eae9ba-0682-4b41-a7c4-76ec68eed449'
    assert result['sort'] == 'created_at:desc'


@pytest.mark.parametrize('name,value', [
    ('request_id', 'req-07eae9ba-0682-4b41-a7c4-76ec68eed449\n'),
    ('project_id', 'p\n'),
    ('marker', 'urn:uuid:07eae9ba-0682-4b41-a7c4-76ec68eed449'),
    ('since', 'x' * 2000),
    ('limit', '1e3'),
    ('limit', '١٠'),
])
def test_rejects(name, value):
    with pytest.raises(errors.BadRequest) as info:
        parse((name, value))
    assert info.value.parameter == name


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(sorted(SPEC) + ['other']),
                          st.text()), max_size=4))
def test_any_input_parses_or_names_the_parameter(pairs):
    try:
        parse(*pairs)
    except errors.BadRequest as exc:
        assert exc.parameter in {name for name, _ in pairs}
        assert exc.parameter in exc.message


@settings(max_examples=150, deadline=None)
@given(query=st.lists(st.tuples(
    st.sampled_from(['status', 'phase', 'host', 'failed_component',
                     'request_id', 'project_id', 'since', 'until', 'sort',
                     'limit', 'marker', 'all_projects', 'x']),
    st.text(max_size=40)), max_size=4))
def test_no_query_reaches_a_500(app_for_hypothesis, query):
    from urllib import parse as urlparse
    response = app_for_hypothesis.get(
        '/v1/boots?' + urlparse.urlencode(query), headers=c.ADMIN,
        expect_errors=True)
    assert response.status_int in (200, 400, 403), response.text
    if response.status_int == 400:
        assert response.json['error']['parameter'] in {k for k, _ in query}


@settings(max_examples=100, deadline=None)
@given(path=st.text(max_size=60))
def test_no_boot_path_reaches_a_500(app_for_hypothesis, path):
    from urllib import parse as urlparse
    response = app_for_hypothesis.get(
        '/v1/boots/' + urlparse.quote(path, safe=''), headers=c.ADMIN,
        expect_errors=True)
    assert response.status_int in (200, 400, 404), response.text


@settings(max_examples=150, deadline=None)
@given(query=st.lists(st.tuples(
    st.sampled_from(['since', 'until', 'group_by', 'project_id',
                     'all_projects']),
    st.one_of(st.text(max_size=40),
              st.datetimes(timezones=st.timezones()).map(
                  lambda d: d.isoformat()))), max_size=3))
def test_no_stats_query_reaches_a_500(app_for_hypothesis, query):
    from urllib import parse as urlparse
    response = app_for_hypothesis.get(
        '/v1/stats?' + urlparse.urlencode(query), headers=c.ADMIN,
        expect_errors=True)
    assert response.status_int in (200, 400), response.text


@pytest.mark.parametrize('query', ['until=1970-01-01T00:00:01Z',
                                   'since=1970-01-01T00:00:00Z',
                                   'until=9999-12-31T23:59:59Z'])
def test_stats_window_at_the_ends_of_time(app_for_hypothesis, query):
    response = app_for_hypothesis.get('/v1/stats?' + query,
                                      headers=c.ADMIN)
    assert response.json['since'] < response.json['until']


@pytest.mark.parametrize('path', ['/v1/stats', '/v1/boots'])
def test_times_before_1970_are_refused(app_for_hypothesis, path):
    response = app_for_hypothesis.get(
        path + '?until=0001-01-01T00:00:01Z', headers=c.ADMIN, status=400)
    assert response.json['error']['parameter'] == 'until'
