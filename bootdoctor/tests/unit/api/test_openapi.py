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

"""The OpenAPI document: kept in doc/, in step with the code, and true.

schemathesis generates requests from the document and sends them to the
whole WSGI stack over a real database: no response may be a 5xx, and
every response must match the document (status, content type, headers,
body schema).
"""

import os

from hypothesis import given
from hypothesis import HealthCheck
from hypothesis import settings
from oslo_config import fixture as config_fixture
import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi import checks as oas_checks
import webtest
import yaml

from bootdoctor.api import app as api_app
from bootdoctor.api import policy
from bootdoctor.api import root
from bootdoctor.api import storage as api_storage
from bootdoctor import catalogue
from bootdoctor.conf import api as api_conf
from bootdoctor.db import api as db_api
from bootdoctor.db import record_lists
from bootdoctor.tests.unit.api import conftest as c
from bootdoctor.tracker import record as tracker_record

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))))
DOC_COPY = os.path.join(REPO, 'doc', 'source', 'api', 'openapi.yaml')
CHECKS = [not_a_server_error, oas_checks.status_code_conformance,
          oas_checks.content_type_conformance,
          oas_checks.response_headers_conformance,
          oas_checks.response_schema_conformance]


def document():
    with open(root.OPENAPI_FILE, encoding='utf-8') as f:
        return yaml.safe_load(f)


def test_doc_copy_is_identical():
    with open(root.OPENAPI_FILE, encoding='utf-8') as served, \
            open(DOC_COPY, encoding='utf-8') as kept:
        assert kept.read() == served.read(), (
            'copy bootdoctor/api/openapi.yaml to doc/source/api/openapi.yaml')


def test_enums_follow_the_code():
    schemas = document()['components']['schemas']
    assert schemas['Status']['enum'] == list(tracker_record.STATUSES)
    assert schemas['Phase']['enum'] == list(catalogue.PHASES)
    assert schemas['Component']['enum'] == list(catalogue.components())
    sort = document()['paths']['/v1/boots']['get']['parameters']
    sort = next(p for p in sort if p.get('name') == 'sort')['schema']['enum']
    assert sorted(sort) == sorted(
        key + suffix for key in record_lists.SORT_KEYS
        for suffix in ('', ':asc', ':desc'))


def test_every_route_is_documented(app):
    application = app.app
    while not hasattr(application, 'url_map'):
        application = getattr(application, 'application', None) or \
            getattr(application, 'protected', None) or application.app
    paths = set(document()['paths'])
    for rule in application.url_map.iter_rules():
        if rule.endpoint == 'static':
            continue
        path = rule.rule.replace('<instance_uuid>', '{instance_uuid}')
        assert path in paths or path + '/' in paths, path


def test_served_document_names_this_server(app):
    body = app.get('/v1/openapi.json').json
    # With the default options only the limit's wording differs.
    assert '1 to 1000' in _limit_schema(body)['description']
    _limit_schema(body)['description'] = _limit_schema(
        document())['description']
    assert body['paths'] == document()['paths']
    assert body['servers'] == [{'url': 'http://localhost',
                                'description': 'this bootdoctor-api'}]


def _limit_schema(body):
    parameters = body['paths']['/v1/boots']['get']['parameters']
    return next(p for p in parameters if p.get('name') == 'limit')


def test_doc_copy_gives_the_option_defaults():
    defaults = {opt.dest: opt.default for opt in api_conf.api_opts}
    limit = _limit_schema(document())
    assert limit['schema']['maximum'] == defaults['max_limit']
    assert limit['schema']['default'] == defaults['default_limit']
    assert 'max_limit (%d by default)' % defaults['max_limit'] in (
        limit['description'])


def test_served_document_gives_the_configured_max_limit(make_app):
    app = make_app(max_limit=250, default_limit=20)
    limit = _limit_schema(app.get('/v1/openapi.json').json)
    assert limit['schema'] == {'type': 'integer', 'minimum': 1,
                               'maximum': 250, 'default': 20}
    assert '1 to 250' in limit['description']
    # And the server enforces what it serves.
    app.get('/v1/boots?limit=250', headers=c.READER_A, status=200)
    response = app.get('/v1/boots?limit=251', headers=c.READER_A,
                       status=400)
    assert response.json['error']['parameter'] == 'limit'


def test_served_default_never_exceeds_the_maximum(make_app):
    # GET /v1/boots pages by max_limit when default_limit is larger.
    app = make_app(max_limit=5, default_limit=100)
    limit = _limit_schema(app.get('/v1/openapi.json').json)
    assert (limit['schema']['maximum'], limit['schema']['default']) == (5, 5)
    body = app.get('/v1/boots?all_projects=true', headers=c.ADMIN).json
    assert len(body['boots']) == 5


def test_shipped_document_is_not_changed_by_serving(make_app):
    make_app(max_limit=7).get('/v1/openapi.json')
    assert _limit_schema(root.openapi_document())['schema']['maximum'] == (
        1000)


def _schema(dataset, tmp_path_factory, **api_options):
    conf = c.make_conf()
    fixture = config_fixture.Config(conf)
    fixture.setUp()
    fixture.config(state_path=str(tmp_path_factory.mktemp('state')))
    fixture.config(connection=dataset.url, group='database')
    fixture.config(auth_strategy='noauth', group='api')
    fixture.config(metrics_enabled=True, group='api')
    for name, value in api_options.items():
        fixture.config(group='api', **{name: value})
    connection = db_api.Connection(dataset.url)
    application = api_app.build_wsgi_app(
        conf, storage=api_storage.Storage(connection),
        enforcer=policy.make_enforcer(conf))
    webtest.TestApp(application).get('/v1/openapi.json', status=200)
    yield schemathesis.openapi.from_wsgi('/v1/openapi.json', application)
    connection.close()
    fixture.cleanUp()


@pytest.fixture(scope='module')
def api_schema(dataset, tmp_path_factory):
    yield from _schema(dataset, tmp_path_factory)


@pytest.fixture(scope='module')
def small_limit_schema(dataset, tmp_path_factory):
    yield from _schema(dataset, tmp_path_factory, max_limit=3,
                       default_limit=2)


OPERATIONS = [(path, method.upper())
              for path, item in sorted(document()['paths'].items())
              for method in item if method != 'parameters']
SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))


@pytest.mark.parametrize('who', ['admin', 'reader'])
@pytest.mark.parametrize('path,method', OPERATIONS)
def test_generated_requests_match_the_document(api_schema, path, method,
                                               who):
    headers = c.ADMIN if who == 'admin' else c.READER_A
    operation = api_schema[path][method]

    @given(case=operation.as_strategy())
    @SETTINGS
    def check(case):
        case.call_and_validate(headers=headers, checks=CHECKS)
    check()


@pytest.mark.parametrize('who', ['admin', 'reader'])
def test_generated_lists_match_a_lowered_max_limit(small_limit_schema, who):
    # The generated limits are those the served document allows (1 to 3):
    # each is accepted, and a page never holds more.
    headers = c.ADMIN if who == 'admin' else c.READER_A
    operation = small_limit_schema['/v1/boots']['GET']
    seen = set()

    @given(case=operation.as_strategy())
    @SETTINGS
    def check(case):
        limit = (case.query or {}).get('limit')
        assert limit is None or 1 <= int(limit) <= 3, limit
        seen.add(limit and int(limit))
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        if response.status_code == 200:
            assert len(response.json()['boots']) <= int(limit or 2)
    check()
    assert seen - {None}, 'no request gave a limit'


def test_real_records_match_the_document(app, dataset):
    import jsonschema
    spec = document()
    components = spec['components']['schemas']

    def resolve(name):
        return {'$ref': '#/components/schemas/%s' % name,
                'components': {'schemas': components}}
    for record in dataset.samples:
        body = app.get('/v1/boots/%s' % record['instance_uuid'],
                       headers=c.ADMIN).json
        _validate(jsonschema, resolve('BootRecord'), body)
        events = app.get('/v1/boots/%s/events' % record['instance_uuid'],
                         headers=c.ADMIN).json
        _validate(jsonschema, resolve('EventList'), events)
    listing = app.get('/v1/boots?all_projects=true&limit=5',
                      headers=c.ADMIN).json
    _validate(jsonschema, resolve('BootList'), listing)
    stats = app.get('/v1/stats?all_projects=true&group_by=host&since='
                    '2020-01-01T00:00:00Z', headers=c.ADMIN).json
    assert stats['total'] > 0
    _validate(jsonschema, resolve('Stats'), stats)
    steps = app.get('/v1/steps', headers=c.ADMIN).json
    _validate(jsonschema, resolve('StepList'), steps)


def _validate(jsonschema, schema_, instance):
    """Validate with OpenAPI 3.0's nullable turned into JSON Schema."""
    jsonschema.validate(instance, _nullable(schema_))


def _nullable(node):
    if isinstance(node, dict):
        node = {k: _nullable(v) for k, v in node.items()}
        if node.pop('nullable', False):
            return {'anyOf': [node, {'type': 'null'}]}
        return node
    if isinstance(node, list):
        return [_nullable(v) for v in node]
    return node
