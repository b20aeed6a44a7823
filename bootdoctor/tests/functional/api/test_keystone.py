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

"""The Keystone matrix: real tokens through auth_token and policy."""

import base64
import datetime
import os
import time
import uuid

from keystoneauth1 import exceptions as ksa_exc
import pytest
import webtest

from bootdoctor.api import wsgi_app
from bootdoctor.tests.functional.api import conftest as api_conftest
from bootdoctor.tests.unit.api import data


def project(keystone_creds, name):
    return keystone_creds['projects'][name]


def a_boot(dataset, keystone_creds, name='project-a'):
    return dataset.of_project(project(keystone_creds, name))[0]


def tracebacks(value):
    """Every value of a "traceback" key anywhere in ``value``."""
    if isinstance(value, dict):
        return [item for key, child in value.items()
                for item in ([child] if key == 'traceback' else [])
                + tracebacks(child)]
    if isinstance(value, list):
        return [item for child in value for item in tracebacks(child)]
    return []


@pytest.fixture(scope='module')
def own_events(keystone_creds, tmp_path_factory):
    """(api, record): an API whose project-a has a real failed boot.

    The copies in the shared dataset have no events, and its real boots
    are in a project no seeded user belongs to, so this API's database
    also holds the recorded streams stored again as boots of project-a:
    a failed boot whose events carry a traceback, which project-a's own
    member and reader may list.
    """
    tmp = tmp_path_factory.mktemp('api-keystone-events')
    projects = keystone_creds['projects']
    dataset = data.build('sqlite:///%s' % (tmp / 'bootdoctor.sqlite'),
                         projects['project-a'], projects['project-b'])
    loaded = data.load_in_project(dataset, projects['project-a'], str(tmp))
    config = api_conftest.write_config(tmp / 'bootdoctor.conf',
                                       keystone_creds, dataset, tmp / 'state')
    application = wsgi_app.init_application(
        {'BOOTDOCTOR_CONFIG_FILE': str(config)})
    failed = next(r for r in loaded
                  if (r.get('fault') or {}).get('traceback'))
    return webtest.TestApp(application), failed


class TestAuthentication:
    def test_no_token_is_401(self, api):
        response = api.get('/v1/boots', status=401)
        assert 'WWW-Authenticate' in response.headers
        assert response.headers['X-OpenStack-Request-ID'].startswith('req-')

    def test_forged_token_is_401(self, api):
        forged = 'gAAAAAB' + base64.urlsafe_b64encode(
            os.urandom(150)).decode().rstrip('=')
        api.get('/v1/boots', headers={'X-Auth-Token': forged}, status=401)

    def test_garbage_token_is_401(self, api):
        api.get('/v1/boots', headers={'X-Auth-Token': 'not-a-token'},
                status=401)

    def test_identity_headers_without_token_are_401(self, api,
                                                    keystone_creds):
        api.get('/v1/boots', headers={
            'X-Project-Id': project(keystone_creds, 'project-a'),
            'X-Roles': 'admin', 'X-Identity-Status': 'Confirmed'},
            status=401)

    def test_application_credential_token_is_accepted(self, api,
                                                      identity):
        make_token, _expires, cleanup = identity.expiring_tokens(
            'a-reader', 600)
        try:
            api.get('/v1/boots', headers={'X-Auth-Token': make_token()},
                    status=200)
        finally:
            cleanup()

    def test_expired_token_is_401(self, api, identity):
        # Keystone caps the token at its application credential's expiry.
        # A loaded Keystone may be too slow to issue it before a short
        # expiry, so longer ones are tried in turn.
        for seconds in (15, 60, 240):
            make_token, expires, cleanup = identity.expiring_tokens(
                'a-reader', seconds)
            try:
                token = make_token()
                break
            except ksa_exc.Unauthorized:
                cleanup()
        else:
            pytest.fail('Keystone issued no token before a 240 s expiry')
        try:
            # Not presented before it expires, so no cache holds it.
            while datetime.datetime.now(datetime.timezone.utc) <= \
                    expires + datetime.timedelta(seconds=1):
                time.sleep(0.5)
            api.get('/v1/boots', headers={'X-Auth-Token': token},
                    status=401)
        finally:
            cleanup()

    def test_revoked_token_is_401(self, api, identity):
        token = identity.fresh_token('a-reader')
        identity.revoke(token)
        api.get('/v1/boots', headers={'X-Auth-Token': token}, status=401)

    def test_valid_token_is_accepted(self, api, identity):
        api.get('/v1/boots', headers=identity.headers('a-reader'),
                status=200)

    @pytest.mark.parametrize('path', ['/', '/v1/', '/v1/openapi.json',
                                      '/healthcheck'])
    def test_public_paths_need_no_token(self, api, path):
        api.get(path, status=200)


class TestProjects:
    def test_member_of_a_sees_only_a(self, api, identity, dataset,
                                     keystone_creds):
        body = api.get('/v1/boots?limit=1000',
                       headers=identity.headers('a-member')).json
        mine = dataset.of_project(project(keystone_creds, 'project-a'))
        assert sorted(b['instance_uuid'] for b in body['boots']) == sorted(
            r['instance_uuid'] for r in mine)

    def test_b_boot_is_404_for_a(self, api, identity, dataset,
                                 keystone_creds):
        boot = a_boot(dataset, keystone_creds, 'project-b')
        hidden = api.get('/v1/boots/%s' % boot['instance_uuid'],
                         headers=identity.headers('a-member'), status=404)
        unknown = api.get('/v1/boots/%s' % uuid.uuid4(),
                          headers=identity.headers('a-member'), status=404)
        assert hidden.json['error']['title'] == \
            unknown.json['error']['title']
        api.get('/v1/boots/%s/events' % boot['instance_uuid'],
                headers=identity.headers('a-member'), status=404)

    def test_member_of_b_sees_its_boot(self, api, identity, dataset,
                                       keystone_creds):
        boot = a_boot(dataset, keystone_creds, 'project-b')
        api.get('/v1/boots/%s' % boot['instance_uuid'],
                headers=identity.headers('b-member'), status=200)

    def test_reader_can_read(self, api, identity, dataset, keystone_creds):
        boot = a_boot(dataset, keystone_creds)
        headers = identity.headers('a-reader')
        assert api.get('/v1/boots', headers=headers).json['boots']
        body = api.get('/v1/boots/%s' % boot['instance_uuid'],
                       headers=headers).json
        assert len(body['steps']) == 29
        api.get('/v1/steps', headers=headers, status=200)
        api.get('/v1/stats', headers=headers, status=200)

    def test_member_cannot_list_all_projects(self, api, identity):
        response = api.get('/v1/boots?all_projects=true',
                           headers=identity.headers('a-member'), status=403)
        assert response.json['error']['parameter'] == 'all_projects'

    def test_admin_sees_all_with_all_projects(self, api, identity, dataset):
        headers = identity.headers('admin')
        own = api.get('/v1/boots', headers=headers).json['boots']
        assert own == []
        body = api.get('/v1/boots?all_projects=true&limit=1000',
                       headers=headers).json
        assert sorted(b['instance_uuid'] for b in body['boots']) == sorted(
            dataset.records)

    def test_status_is_admin_only(self, api, identity):
        api.get('/v1/status', headers=identity.headers('a-member'),
                status=403)
        api.get('/v1/status', headers=identity.headers('admin'), status=200)

    def test_metrics_for_admin_and_service(self, api, identity):
        api.get('/metrics', headers=identity.headers('a-member'),
                status=403)
        for who in ('admin', 'bootdoctor'):
            response = api.get('/metrics', headers=identity.headers(who))
            assert 'bootdoctor_boots{status="error"}' in response.text


class TestTracebacks:
    @pytest.fixture
    def failed(self, dataset, keystone_creds):
        mine = dataset.of_project(project(keystone_creds, 'project-a'))
        return next(r for r in mine
                    if (r.get('fault') or {}).get('traceback'))

    def test_member_gets_no_traceback(self, api, identity, failed):
        body = api.get('/v1/boots/%s' % failed['instance_uuid'],
                       headers=identity.headers('a-member')).json
        assert body['fault']['exception'] == failed['fault']['exception']
        assert body['fault']['traceback'] is None
        assert 'Traceback' not in api.get(
            '/v1/boots?limit=1000',
            headers=identity.headers('a-member')).text

    def test_admin_gets_the_traceback(self, api, identity, failed):
        body = api.get('/v1/boots/%s' % failed['instance_uuid'],
                       headers=identity.headers('admin')).json
        assert body['fault']['traceback'] == failed['fault']['traceback']

    def test_raw_events_only_for_admin(self, api, identity, dataset,
                                       own_events):
        sample = dataset.with_traceback()
        admin = api.get('/v1/boots/%s/events' % sample['instance_uuid'],
                        headers=identity.headers('admin')).json
        assert admin['events'] and all(e['raw'] for e in admin['events'])
        # The same boot's events as a boot of project-a: raw payloads and
        # tracebacks for the admin, neither for the project's own users.
        events_api, failed = own_events
        url = '/v1/boots/%s/events' % failed['instance_uuid']
        admin = events_api.get(url, headers=identity.headers('admin')).json
        assert admin['events'] and all(e['raw'] for e in admin['events'])
        # What the project's users must not see is there for the admin.
        assert any(t for t in tracebacks(
            [{k: v for k, v in e.items() if k != 'raw'}
             for e in admin['events']]))
        for who in ('a-member', 'a-reader'):
            response = events_api.get(url, headers=identity.headers(who))
            events = response.json['events']
            assert [e['message_id'] for e in events] == [
                e['message_id'] for e in admin['events']], who
            assert all('raw' not in e for e in events), who
            found = tracebacks(events)
            assert found and all(t is None for t in found), who
            assert 'Traceback' not in response.text, who
