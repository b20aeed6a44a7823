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

"""The WSGI stack: request ids, CORS, proxies, auth, errors, logging."""

import io
import logging
import re

from oslo_log import formatters

import pytest
import webtest

from bootdoctor.api import app as api_app
from bootdoctor.api import middleware
from bootdoctor.api import policy
from bootdoctor.api import storage as api_storage
from bootdoctor.tests.unit.api import conftest as c

REQUEST_ID = re.compile(r'^req-[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$')


@pytest.mark.parametrize('path,headers,status', [
    ('/', {}, 200),
    ('/v1/', {}, 200),
    ('/v1/openapi.json', {}, 200),
    ('/healthcheck', {}, 200),
    ('/v1/boots', c.READER_A, 200),
    ('/v1/boots?limit=0', c.READER_A, 400),
    ('/v1/boots?all_projects=1', c.READER_A, 403),
    ('/v1/boots/00000000-0000-0000-0000-000000000000', c.READER_A, 404),
    ('/v1/nothing', c.READER_A, 404),
    ('/metrics', c.ADMIN, 404),
])
def test_every_response_has_a_request_id(app, path, headers, status):
    response = app.get(path, headers=headers, status=status)
    request_id = response.headers['X-OpenStack-Request-ID']
    assert REQUEST_ID.match(request_id)
    if status >= 400 and response.content_type == 'application/json':
        assert response.json['error']['request_id'] == request_id


def test_request_ids_differ(app):
    ids = {app.get('/', status=200).headers['X-OpenStack-Request-ID']
           for _ in range(3)}
    assert len(ids) == 3


@pytest.fixture
def log_lines(conf):
    """The bootdoctor.api log lines, formatted by oslo.log."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatters.ContextFormatter(
        project='bootdoctor', version='test', config=conf))
    logger = logging.getLogger('bootdoctor.api')
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield lambda: stream.getvalue().splitlines()
    logger.removeHandler(handler)
    logger.setLevel(level)


@pytest.mark.parametrize('path,headers,status', [
    ('/v1/boots?limit=0', c.READER_A, 400),
    ('/v1/boots', c.READER_A, 200),
    ('/healthcheck', {}, 200),
])
def test_log_lines_carry_the_request_id(app, log_lines, path, headers,
                                        status):
    response = app.get(path, headers=headers, status=status)
    request_id = response.headers['X-OpenStack-Request-ID']
    lines = log_lines()
    assert lines
    for line in lines:
        assert request_id in line, line
    assert 'GET %s %d ' % (path, status) in lines[-1]


def test_unknown_path_is_json_404(app):
    body = app.get('/v2/boots', headers=c.READER_A, status=404).json
    assert body['error']['code'] == 404


def test_wrong_method_is_json_405_with_allow(app):
    response = app.post('/v1/boots', headers=c.READER_A, status=405)
    assert response.json['error']['code'] == 405
    assert 'GET' in response.headers['Allow']


def test_unexpected_error_is_a_bare_500(conf, connection, caplog):
    class Broken(api_storage.Storage):
        def list_items(self, *args, **kwargs):
            raise RuntimeError('secret detail')
    application = api_app.build_wsgi_app(
        conf, storage=Broken(connection), enforcer=policy.make_enforcer(conf))
    response = webtest.TestApp(application).get(
        '/v1/boots', headers=c.READER_A, status=500)
    assert 'secret detail' not in response.text
    assert response.json['error']['request_id'] == \
        response.headers['X-OpenStack-Request-ID']
    assert 'secret detail' in caplog.text


def test_noauth_without_roles_is_admin(app):
    app.get('/v1/status', headers={'X-Project-Id': c.PROJECT_A},
            status=200)


def test_noauth_warns_at_every_start(make_app, caplog):
    caplog.set_level(logging.WARNING)
    make_app()
    make_app()
    assert caplog.text.count('auth_strategy = noauth') == 2


class TestCORS:
    def test_headers_even_on_errors(self, conf, make_app):
        conf.set_override('allowed_origin', ['https://dashboard.example'],
                          group='cors')
        app = make_app()
        origin = {'Origin': 'https://dashboard.example'}
        for path, status in (('/v1/boots', 200), ('/v1/boots?limit=0', 400),
                             ('/v1/status', 403)):
            response = app.get(path, headers=dict(c.READER_A, **origin),
                               status=status)
            assert response.headers['Access-Control-Allow-Origin'] == \
                'https://dashboard.example'
            assert 'X-OpenStack-Request-ID' in response.headers[
                'Access-Control-Expose-Headers']

    def test_preflight(self, conf, make_app):
        conf.set_override('allowed_origin', ['https://dashboard.example'],
                          group='cors')
        response = make_app().options('/v1/boots', headers={
            'Origin': 'https://dashboard.example',
            'Access-Control-Request-Method': 'GET',
            'Access-Control-Request-Headers': 'X-Auth-Token'})
        assert 'X-Auth-Token'.lower() in response.headers[
            'Access-Control-Allow-Headers'].lower()

    def test_other_origins_get_nothing(self, conf, make_app):
        conf.set_override('allowed_origin', ['https://dashboard.example'],
                          group='cors')
        response = make_app().get('/v1/boots', headers=dict(
            c.READER_A, Origin='https://evil.example'))
        assert 'Access-Control-Allow-Origin' not in response.headers


def test_proxy_headers_shape_links(conf, make_app):
    conf.set_override('enable_proxy_headers_parsing', True,
                      group='oslo_middleware')
    app = make_app()
    headers = dict(c.READER_A, **{'X-Forwarded-Proto': 'https',
                                  'X-Forwarded-Host': 'cloud.example',
                                  'X-Forwarded-Prefix': '/boot'})
    body = app.get('/v1/boots?limit=1', headers=headers).json
    assert body['links'][0]['href'].startswith(
        'https://cloud.example/boot/v1/boots?')
    versions = app.get('/', headers=headers).json
    assert versions['versions'][0]['links'][0]['href'] == \
        'https://cloud.example/boot/v1/'


class TestKeystoneMode:
    """auth_token in front: no token never reaches the application."""

    @pytest.fixture
    def keystone_app(self, conf, connection):
        conf.set_override('auth_strategy', 'keystone', group='api')
        conf.set_override('www_authenticate_uri', 'http://127.0.0.1:9/v3',
                          group='keystone_authtoken')
        application = api_app.build_wsgi_app(
            conf, storage=api_storage.Storage(connection),
            enforcer=policy.make_enforcer(conf))
        return webtest.TestApp(application)

    @pytest.mark.parametrize('path', ['/v1/boots', '/v1/steps', '/metrics',
                                      '/v1/boots/x'])
    def test_no_token_is_401(self, keystone_app, path):
        response = keystone_app.get(path, status=401)
        assert REQUEST_ID.match(response.headers['X-OpenStack-Request-ID'])
        assert 'WWW-Authenticate' in response.headers

    def test_preflight_needs_no_token(self, conf, connection):
        conf.set_override('allowed_origin', ['https://dashboard.example'],
                          group='cors')
        conf.set_override('auth_strategy', 'keystone', group='api')
        conf.set_override('www_authenticate_uri', 'http://127.0.0.1:9/v3',
                          group='keystone_authtoken')
        keystone_app = webtest.TestApp(api_app.build_wsgi_app(
            conf, storage=api_storage.Storage(connection),
            enforcer=policy.make_enforcer(conf)))
        response = keystone_app.options('/v1/boots', headers={
            'Origin': 'https://dashboard.example',
            'Access-Control-Request-Method': 'GET',
            'Access-Control-Request-Headers': 'X-Auth-Token'})
        assert response.status_int == 200
        assert response.headers['Access-Control-Allow-Origin'] == \
            'https://dashboard.example'

    def test_identity_headers_alone_are_not_trusted(self, keystone_app):
        keystone_app.get('/v1/boots', headers=c.ADMIN, status=401)

    @pytest.mark.parametrize('path', ['/', '/v1', '/v1/',
                                      '/v1/openapi.json', '/healthcheck'])
    def test_public_paths(self, keystone_app, path):
        keystone_app.get(path, status=200)

    def test_no_warning(self, conf, connection, caplog):
        conf.set_override('auth_strategy', 'keystone', group='api')
        caplog.set_level(logging.WARNING)
        api_app.build_wsgi_app(conf, storage=api_storage.Storage(connection),
                               enforcer=policy.make_enforcer(conf))
        assert middleware.NOAUTH_WARNING not in caplog.text


class TestAuthTokenDefaults:
    """bootdoctor-api asks auth_token for no service catalog by default."""

    def test_no_catalog_by_default(self, conf, connection):
        conf.set_override('auth_strategy', 'keystone', group='api')
        api_app.build_wsgi_app(conf, storage=api_storage.Storage(connection),
                               enforcer=policy.make_enforcer(conf))
        assert conf.keystone_authtoken.include_service_catalog is False

    def test_a_configured_value_wins(self, conf, connection):
        conf.set_override('auth_strategy', 'keystone', group='api')
        conf.set_override('include_service_catalog', True,
                          group='keystone_authtoken')
        api_app.build_wsgi_app(conf, storage=api_storage.Storage(connection),
                               enforcer=policy.make_enforcer(conf))
        assert conf.keystone_authtoken.include_service_catalog is True

    def test_on_a_conf_without_the_options(self):
        # As wsgi_app builds it: nothing of auth_token registered yet;
        # auth_token then registers its own copies beside ours.
        from keystonemiddleware import auth_token
        from oslo_config import cfg
        conf = cfg.ConfigOpts()
        conf([], project='bootdoctor', default_config_files=[])
        middleware.set_auth_token_defaults(conf)
        auth_token.AuthProtocol(lambda e, s: [], {'oslo_config_config': conf})
        assert conf.keystone_authtoken.include_service_catalog is False
