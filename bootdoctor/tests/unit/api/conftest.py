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

"""Fixtures: a configured API over a real SQLite database, in noauth mode.

In noauth mode the identity comes from the X-Project-Id and X-Roles
headers, so the tests choose who is asking; policy is the real one, with
overrides written to a real policy file when a test needs them.
"""

import json

from keystonemiddleware import auth_token
from oslo_config import fixture as config_fixture
from oslo_log import log
from oslo_middleware import opts as middleware_opts
from oslo_policy import opts as policy_opts
import pytest
import webtest

from bootdoctor.api import app as api_app
# Sets bootdoctor's [cors] defaults, which the options registered below
# copy.
from bootdoctor.api import middleware  # noqa: F401
from bootdoctor.api import policy
from bootdoctor.api import storage as api_storage
from bootdoctor import conf as bd_conf
from bootdoctor.db import api as db_api
from bootdoctor.tests.unit.api import data

PROJECT_A = '0a0a0a0a0a0a4a0a8a0a0a0a0a0a0a0a'
PROJECT_B = '0b0b0b0b0b0b4b0b8b0b0b0b0b0b0b0b'
ADMIN_PROJECT = 'ad00ad00ad004d008d00ad00ad00ad00'


def who(project, *roles, user='user-1'):
    headers = {'X-Project-Id': project, 'X-User-Id': user}
    if roles:
        headers['X-Roles'] = ','.join(roles)
    return headers


# Keystone's implied roles: admin implies member implies reader.
READER_A = who(PROJECT_A, 'reader')
MEMBER_A = who(PROJECT_A, 'member', 'reader')
READER_B = who(PROJECT_B, 'reader')
MEMBER_B = who(PROJECT_B, 'member', 'reader')
ADMIN = who(ADMIN_PROJECT, 'admin', 'manager', 'member', 'reader')


@pytest.fixture(scope='session')
def dataset(tmp_path_factory):
    path = tmp_path_factory.mktemp('api-db') / 'bootdoctor.sqlite'
    return data.build('sqlite:///%s' % path, PROJECT_A, PROJECT_B)


@pytest.fixture(scope='session')
def connection(dataset):
    conn = db_api.Connection(dataset.url)
    yield conn
    conn.close()


def make_conf():
    """A parsed ConfigOpts with every option the API stack reads."""
    conf = bd_conf.new_conf()
    log.register_options(conf)
    policy_opts.set_defaults(conf)
    # Registered by the middleware when the stack is built; registered
    # here first so that tests can override them before that.
    for group, opts in (middleware_opts.list_opts_cors()
                        + middleware_opts.list_opts_http_proxy_to_wsgi()
                        + auth_token.list_opts()):
        conf.register_opts(opts, group=group)
    conf([], project='bootdoctor', default_config_files=[])
    return conf


@pytest.fixture
def conf(tmp_path, dataset):
    conf = make_conf()
    fixture = config_fixture.Config(conf)
    fixture.setUp()
    fixture.config(state_path=str(tmp_path))
    fixture.config(connection=dataset.url, group='database')
    fixture.config(auth_strategy='noauth', group='api')
    yield conf
    fixture.cleanUp()


@pytest.fixture
def policy_file(tmp_path, conf):
    """Write rule overrides to the policy file: policy_file({rule: str})."""
    path = tmp_path / 'policy.yaml'

    def write(rules):
        path.write_text(json.dumps(rules))
        conf.set_override('policy_file', str(path), group='oslo_policy')
    return write


@pytest.fixture
def make_app(conf, connection):
    """make_app(**api_options) -> webtest.TestApp over the whole stack."""
    def make(**options):
        for name, value in options.items():
            conf.set_override(name, value, group='api')
        application = api_app.build_wsgi_app(
            conf, storage=api_storage.Storage(connection),
            enforcer=policy.make_enforcer(conf))
        return webtest.TestApp(application)
    return make


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture(scope='session')
def app_for_hypothesis(dataset, tmp_path_factory):
    """A session-wide app (hypothesis tests take no function fixtures)."""
    conf = make_conf()
    fixture = config_fixture.Config(conf)
    fixture.setUp()
    fixture.config(state_path=str(tmp_path_factory.mktemp('state')))
    fixture.config(connection=dataset.url, group='database')
    fixture.config(auth_strategy='noauth', group='api')
    connection = db_api.Connection(dataset.url)
    application = api_app.build_wsgi_app(
        conf, storage=api_storage.Storage(connection),
        enforcer=policy.make_enforcer(conf))
    yield webtest.TestApp(application)
    connection.close()
    fixture.cleanUp()
