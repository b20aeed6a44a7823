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

"""bootdoctor-api in front of a real Keystone.

The API is built from a configuration file exactly as a WSGI server
builds it (bootdoctor.api.wsgi_app.init_application), with
keystonemiddleware's auth_token validating every token against the
Keystone of tools/keystone, as the bootdoctor service user. Boot records
are stored in the seeded project-a and project-b.
"""

import datetime
import uuid

from keystoneauth1 import exceptions as ksa_exc
from keystoneauth1.identity import v3
from keystoneauth1 import session as ksa_session
import pytest
import webtest

from bootdoctor.api import wsgi_app
from bootdoctor.tests.functional.api import keystone
from bootdoctor.tests.unit.api import data


@pytest.fixture(scope='session')
def keystone_creds():
    try:
        creds, started = keystone.ensure()
    except keystone.Unavailable as exc:
        pytest.skip('no Keystone for the API functional tests: %s' % exc)
    yield creds
    if started:
        keystone.stop()


@pytest.fixture(scope='session')
def dataset(keystone_creds, tmp_path_factory):
    path = tmp_path_factory.mktemp('api-keystone-db') / 'bootdoctor.sqlite'
    return data.build('sqlite:///%s' % path,
                      keystone_creds['projects']['project-a'],
                      keystone_creds['projects']['project-b'])


def write_config(path, creds, dataset, state, **api):
    service = creds['users']['bootdoctor']
    lines = [
        '[DEFAULT]', 'state_path = %s' % state,
        '[database]', 'connection = %s' % dataset.url,
        '[api]', 'auth_strategy = keystone', 'metrics_enabled = true',
    ] + ['%s = %s' % item for item in api.items()] + [
        '[keystone_authtoken]',
        'www_authenticate_uri = %s' % creds['auth_url'],
        'auth_url = %s' % creds['auth_url'],
        'auth_type = password',
        'username = %s' % service['username'],
        'password = %s' % service['password'],
        'project_name = %s' % service['project_name'],
        'user_domain_id = default',
        'project_domain_id = default',
        'region_name = %s' % creds['region'],
    ]
    path.write_text('\n'.join(lines) + '\n')
    return path


@pytest.fixture(scope='session')
def config_file(keystone_creds, dataset, tmp_path_factory):
    tmp = tmp_path_factory.mktemp('api-keystone')
    return write_config(tmp / 'bootdoctor.conf', keystone_creds, dataset,
                        tmp / 'state')


@pytest.fixture(scope='session')
def api(config_file):
    application = wsgi_app.init_application(
        {'BOOTDOCTOR_CONFIG_FILE': str(config_file)})
    return webtest.TestApp(application)


class Identity:
    """Sessions and tokens of the seeded users."""

    def __init__(self, creds):
        self.creds = creds
        self._sessions = {}

    def session(self, who):
        if who not in self._sessions:
            user = self.creds['users'][who]
            self._sessions[who] = ksa_session.Session(auth=v3.Password(
                auth_url=self.creds['auth_url'], username=user['username'],
                password=user['password'], user_domain_id='default',
                project_id=user['project_id']))
        return self._sessions[who]

    def token(self, who):
        return self.session(who).get_token()

    def headers(self, who):
        return {'X-Auth-Token': self.token(who)}

    def fresh_token(self, who):
        """A token nobody has presented yet (none cached anywhere)."""
        user = self.creds['users'][who]
        return ksa_session.Session(auth=v3.Password(
            auth_url=self.creds['auth_url'], username=user['username'],
            password=user['password'], user_domain_id='default',
            project_id=user['project_id'])).get_token()

    def revoke(self, token):
        self.session('admin').delete(
            self.creds['auth_url'] + '/auth/tokens',
            headers={'X-Subject-Token': token})

    def expiring_tokens(self, who, seconds):
        """(make_token, expires_at, cleanup): tokens that expire soon.

        Keystone caps a token issued for an application credential at the
        credential's expiry, so this is a real token that really expires.
        """
        user = self.creds['users'][who]
        sess = self.session(who)
        expires = (datetime.datetime.now(datetime.timezone.utc)
                   + datetime.timedelta(seconds=seconds))
        body = {'application_credential': {
            'name': 'bootdoctor-test-%s' % uuid.uuid4().hex[:8],
            'expires_at': expires.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}}
        url = '%s/users/%s/application_credentials' % (
            self.creds['auth_url'], user['user_id'])
        cred = sess.post(url, json=body).json()['application_credential']

        def make_token():
            return ksa_session.Session(auth=v3.ApplicationCredential(
                auth_url=self.creds['auth_url'],
                application_credential_id=cred['id'],
                application_credential_secret=cred['secret'])).get_token()

        def cleanup():
            try:
                sess.delete('%s/%s' % (url, cred['id']))
            except ksa_exc.NotFound:
                pass
        return make_token, expires, cleanup


@pytest.fixture(scope='session')
def identity(keystone_creds):
    return Identity(keystone_creds)
