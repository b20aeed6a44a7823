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

"""auth_token asks the real Keystone for tokens without their catalog."""

import flask
from oslo_config import cfg
import pytest
import webtest

from bootdoctor.api import app as api_app
from bootdoctor.api import middleware
from bootdoctor import conf as bd_conf
from bootdoctor.tests.functional.api import conftest


def seen_by_the_application(config_file, token, catalog=None):
    """The identity headers a request with ``token`` reaches Flask with."""
    conf = cfg.ConfigOpts()
    bd_conf.register_opts(conf)
    conf([], project='bootdoctor', default_config_files=[str(config_file)])
    if catalog is not None:
        middleware.set_auth_token_defaults(conf)
        conf.set_override('include_service_catalog', catalog,
                          group='keystone_authtoken')
    app = api_app.create_app(conf)
    seen = {}

    @app.before_request
    def _look():
        seen.update({k: v for k, v in flask.request.environ.items()
                     if k.startswith('HTTP_X_')})
    webtest.TestApp(middleware.wrap(app, conf)).get(
        '/v1/steps', headers={'X-Auth-Token': token}, status=200)
    return seen


@pytest.fixture
def config_file(keystone_creds, dataset, tmp_path):
    return conftest.write_config(tmp_path / 'bootdoctor.conf',
                                 keystone_creds, dataset, tmp_path / 'state')


def test_the_application_gets_no_catalog(config_file, identity):
    seen = seen_by_the_application(config_file, identity.token('a-member'))
    assert seen['HTTP_X_IDENTITY_STATUS'] == 'Confirmed'
    assert seen['HTTP_X_ROLES']
    assert 'HTTP_X_SERVICE_CATALOG' not in seen


def test_a_deployment_can_ask_for_the_catalog(config_file, identity):
    # The same Keystone, with the option turned back on: this Keystone
    # does send a catalog, so the test above shows the option at work.
    seen = seen_by_the_application(config_file, identity.token('a-member'),
                                   catalog=True)
    assert 'HTTP_X_SERVICE_CATALOG' in seen
