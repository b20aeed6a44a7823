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


"""The bootdoctor api section of the API's Guru Meditation report."""

import os

import pytest
import webtest

from bootdoctor.api import app as api_app
from bootdoctor.api import guru
from bootdoctor.api import policy
from bootdoctor.api import report
from bootdoctor.api import request_counts
from bootdoctor.api import storage as api_storage
from bootdoctor.db import api as db_api
from bootdoctor.tests.unit.api import conftest as c
from bootdoctor import version


@pytest.fixture
def build(conf, connection):
    """build(**api_options) -> (flask app, webtest.TestApp over the stack)."""
    def make(storage=None, **options):
        for name, value in options.items():
            conf.set_override(name, value, group='api')
        app = api_app.create_app(
            conf, storage=storage or api_storage.Storage(connection),
            enforcer=policy.make_enforcer(conf))
        return app, webtest.TestApp(api_app.wrap(app, conf))
    return make


def test_status_classes():
    assert request_counts.status_class('200 OK') == '2xx'
    assert request_counts.status_class('304 Not Modified') == '3xx'
    assert request_counts.status_class('404 Not Found') == '4xx'
    assert request_counts.status_class('503 Service Unavailable') == '5xx'
    for status in (None, '', '-', '99 Odd', '600 Odd', 'OK'):
        assert request_counts.status_class(status) == 'unanswered'


def test_responses_are_counted_by_class(build, dataset):
    app, client = build()
    mine = dataset.of_project(c.PROJECT_A)[0]['instance_uuid']
    client.get('/v1/boots', headers=c.READER_A, status=200)
    client.get('/v1/boots/%s' % mine, headers=c.READER_A, status=200)
    client.get('/healthcheck', status=200)
    client.get('/v1/boots?limit=0', headers=c.READER_A, status=400)
    client.get('/v1/boots/%s' % mine, headers=c.READER_B, status=404)
    client.get('/v1/boots?all_projects=true', headers=c.READER_A,
               status=403)
    counts = app.config['BOOTDOCTOR_REQUEST_COUNTS'].snapshot()
    assert counts == {'2xx': 3, '3xx': 0, '4xx': 3, '5xx': 0,
                      'unanswered': 0, 'total': 6}
    text = report.render(app)
    assert 'Responses of this process since ' in text
    assert '  2xx 3, 3xx 0, 4xx 3, 5xx 0, unanswered 0' in text


def test_a_database_outage_is_a_5xx(build):
    class Down:
        safe_url = 'sqlite://'

        def __getattr__(self, name):
            def fail(*args, **kwargs):
                from bootdoctor.db import exceptions
                raise exceptions.DBUnavailable('gone')
            return fail
    app, client = build(storage=api_storage.Storage(Down()))
    client.get('/v1/boots', headers=c.READER_A, status=503)
    assert app.config['BOOTDOCTOR_REQUEST_COUNTS'].snapshot()['5xx'] == 1


def test_section_describes_the_api(build, dataset, policy_file, tmp_path):
    policy_file({'bootdoctor:boots:list': 'role:admin'})
    app, _ = build(max_limit=250, default_limit=20, metrics_enabled=True)
    text = report.render(app)
    lines = text.splitlines()
    assert lines[0] == 'Process %d' % os.getpid()
    assert 'Auth strategy: noauth (requests are NOT authenticated' in text
    assert 'Policy file: %s (1 rule(s) set by it' % (
        tmp_path / 'policy.yaml') in text
    assert 'Page limits: default_limit 20, max_limit 250' in lines
    assert 'Metrics (GET /metrics): enabled' in lines
    assert 'Database: %s' % dataset.url in lines
    assert '  answers: yes' in lines
    assert '  schema revision: %s (current)' % db_api.Connection.head() in (
        lines)


def test_section_with_defaults(build, conf):
    conf.set_override('auth_strategy', 'keystone', group='api')
    app, _ = build()
    text = report.render(app)
    assert 'Auth strategy: keystone' in text.splitlines()
    assert ('Policy file: none (policy.yaml not found): the defaults in '
            'code apply') in text
    assert 'Page limits: default_limit 100, max_limit 1000' in text
    assert 'Metrics (GET /metrics): disabled' in text


def test_an_empty_database_needs_a_sync(build, tmp_path):
    empty = db_api.Connection('sqlite:///%s' % (tmp_path / 'empty.sqlite'))
    try:
        app, _ = build(storage=api_storage.Storage(empty))
        text = report.render(app)
    finally:
        empty.close()
    assert '  answers: yes' in text
    assert '  schema: none; run "bootdoctor-manage db sync"' in text


def test_database_password_never_shows(build, conf):
    password = 'S3cret-Db-Pw'
    url = 'postgresql+psycopg2://bd:%s@db1.example/bd' % password
    conf.set_override('connection', url, group='database')

    class Unreachable:
        safe_url = 'postgresql+psycopg2://bd:***@db1.example/bd'

        def version(self):
            # Some drivers put the whole URL in their errors.
            raise RuntimeError('could not connect to %s' % url)
    app, _ = build(storage=api_storage.Storage(Unreachable()))
    text = report.render(app)
    assert 'Database: postgresql+psycopg2://bd:***@db1.example/bd' in text
    assert '  answers: no (RuntimeError: could not connect to ' in text
    assert password not in text


def test_a_real_url_is_printed_masked(build):
    # Nothing listens on port 1: the Connection is made, its reads fail.
    connection = db_api.Connection(
        'postgresql+psycopg2://bd:Pw-1234@127.0.0.1:1/bd')
    try:
        app, _ = build(storage=api_storage.Storage(connection))
        text = report.render(app)
    finally:
        connection.close()
    assert 'Database: postgresql+psycopg2://bd:***@127.0.0.1:1/bd' in text
    assert '  answers: no (' in text
    assert 'Pw-1234' not in text


def test_an_unreadable_policy_file_does_not_break_the_report(
        build, policy_file, tmp_path):
    policy_file({})
    (tmp_path / 'policy.yaml').write_text('{not: yaml: at all')
    app, _ = build()
    text = report.render(app)
    assert 'Policy file: %s cannot be read: ' % (
        tmp_path / 'policy.yaml') in text
    assert '  answers: yes' in text


def test_no_application_yet():
    assert report.render(None) == (
        'No bootdoctor-api application in this process.')


def test_the_report_holds_the_section(build, conf, monkeypatch):
    monkeypatch.setattr(guru.gmr.TextGuruMeditation, 'setup_autorun',
                        lambda *a, **kw: None)
    monkeypatch.setitem(report._state, 'app', None)
    guru.setup(conf)
    app, client = build()
    guru.attach(app)
    client.get('/v1/boots', headers=c.READER_A)
    text = guru.gmr.TextGuruMeditation(version.version_info).run()
    section = text.split(report.TITLE, 1)[1]
    assert 'Auth strategy: noauth' in section
    assert '  2xx 1, 3xx 0, 4xx 0, 5xx 0, unanswered 0' in section
