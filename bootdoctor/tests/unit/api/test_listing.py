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


"""GET /v1/boots from the stored list items (bootdoctor.db.listing).

The page is the stored items joined; it must be what decoding each
record and dropping its steps and diagnosis gave: the same items, with
tracebacks null unless the policy allows them, for rows stored before
the listing column as for new ones.
"""

import pytest
import sqlalchemy as sa

from bootdoctor.db import api as db_api
from bootdoctor.db import listing
from bootdoctor.db import models
from bootdoctor.db import records as db_records
from bootdoctor.tests.unit.api import conftest as c
from bootdoctor.tests.unit.api import data


def _expected(record, tracebacks):
    item = listing.full_item(record)
    return item if tracebacks else listing.strip_record_tracebacks(item)


def _page(app, headers, **query):
    query.setdefault('limit', '1000')
    return app.get('/v1/boots', params=query, headers=headers)


def test_a_readers_page_is_the_records_without_steps(app, dataset):
    for project in (c.PROJECT_A, c.PROJECT_B, dataset.sample_project):
        response = _page(app, c.who(project, 'reader'))
        assert response.content_type == 'application/json'
        items = response.json['boots']
        assert {b['instance_uuid'] for b in items} == {
            r['instance_uuid'] for r in dataset.of_project(project)}
        for item in items:
            record = dataset.records[item['instance_uuid']]
            expected = _expected(record, tracebacks=False)
            # Same fields, same values, same order.
            assert list(item.items()) == list(expected.items())


def test_an_admins_page_keeps_the_tracebacks(app, dataset):
    items = _page(app, c.ADMIN, all_projects='true').json['boots']
    assert len(items) == len(dataset.records)
    for item in items:
        record = dataset.records[item['instance_uuid']]
        assert item == _expected(record, tracebacks=True)
    failed = dataset.with_traceback()['instance_uuid']
    assert next(i for i in items if i['instance_uuid'] == failed)[
        'fault']['traceback']


def test_a_policy_can_grant_readers_tracebacks_in_lists(
        make_app, policy_file, dataset):
    policy_file({'bootdoctor:boot:get:traceback': 'rule:project_reader_api'})
    record = dataset.with_traceback()
    items = _page(make_app(), c.who(record['project_id'], 'reader')).json[
        'boots']
    item = next(i for i in items
                if i['instance_uuid'] == record['instance_uuid'])
    assert item['fault']['traceback'] == record['fault']['traceback']


def test_stored_items_mark_the_tracebacks_they_dropped(dataset):
    with_tb = dataset.with_traceback()
    item, had = listing.item(with_tb)
    assert had is True
    assert item['fault']['traceback'] is None
    assert 'steps' not in item and 'diagnosis' not in item
    healthy = next(r for r in dataset.samples if r['status'] == 'active')
    assert listing.item(healthy) == (listing.full_item(healthy), False)
    row = db_records.boot_row(with_tb)
    assert (row['listing'], row['has_traceback']) == (item, True)


@pytest.fixture
def legacy(tmp_path):
    """A database of its own, whose listings the test removes."""
    return data.build('sqlite:///%s' % (tmp_path / 'legacy.sqlite'),
                      c.PROJECT_A, c.PROJECT_B)


def _null_listings(url):
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.update(models.boots).values(listing=None,
                                                    has_traceback=None))
        left = conn.execute(sa.select(sa.func.count()).where(
            models.boots.c.listing.isnot(None))).scalar()
    engine.dispose()
    assert left == 0


@pytest.mark.parametrize('who', ['reader', 'admin'])
def test_rows_without_a_listing_list_the_same(conf, legacy, who):
    from bootdoctor.api import app as api_app
    from bootdoctor.api import policy
    from bootdoctor.api import storage as api_storage
    import webtest
    conf.set_override('connection', legacy.url, group='database')
    connection = db_api.Connection(legacy.url)
    try:
        app = webtest.TestApp(api_app.build_wsgi_app(
            conf, storage=api_storage.Storage(connection),
            enforcer=policy.make_enforcer(conf)))
        project = legacy.with_traceback()['project_id']
        if who == 'reader':
            headers, query = c.who(project, 'reader'), {}
        else:
            headers, query = c.ADMIN, {'all_projects': 'true'}
        before = _page(app, headers, **query).json
        _null_listings(legacy.url)
        after = _page(app, headers, **query).json
        assert after == before
        assert len(after['boots']) > 1
        # Paging still works over the old rows.
        first = _page(app, headers, limit='1', **query).json
        assert first['boots'] == before['boots'][:1]
        assert first['links'][0]['rel'] == 'next'
    finally:
        connection.close()


@pytest.mark.parametrize('who', ['reader', 'admin'])
def test_rows_without_a_listing_show_the_same(conf, legacy, who):
    # A row saved before has_traceback existed does not say whether its
    # record has tracebacks: a reader's copy is still stripped.
    from bootdoctor.api import app as api_app
    from bootdoctor.api import policy
    from bootdoctor.api import storage as api_storage
    import webtest
    conf.set_override('connection', legacy.url, group='database')
    connection = db_api.Connection(legacy.url)
    try:
        app = webtest.TestApp(api_app.build_wsgi_app(
            conf, storage=api_storage.Storage(connection),
            enforcer=policy.make_enforcer(conf)))
        record = legacy.with_traceback()
        headers = (c.who(record['project_id'], 'reader') if who == 'reader'
                   else c.ADMIN)
        path = '/v1/boots/%s' % record['instance_uuid']
        before = app.get(path, headers=headers).json
        _null_listings(legacy.url)
        after = app.get(path, headers=headers).json
        assert after == before
        assert (after['fault']['traceback'] is None) == (who == 'reader')
    finally:
        connection.close()
