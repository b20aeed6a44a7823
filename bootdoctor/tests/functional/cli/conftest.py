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


"""A real Keystone, a running bootdoctor-api and the real ``openstack``.

Keystone comes from tools/keystone/keystone-dev.sh (started when it does
not answer); bootdoctor-api runs as a subprocess with auth_token pointing
at it, on a SQLite database fed with simulated boots of two Keystone
projects. Each missing external piece (Keystone, the openstack
executable) is a skip that says which one; bootdoctor's own modules are
imported plainly, so a broken one is an error, not a skip.

The API is configured with ``[api] default_limit = 1`` and ``max_limit =
2``: the client's page size (1000) is refused and it falls back to the
API's pages of one boot, so every list crosses several pages.
"""

import dataclasses
import datetime
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from bootdoctor.db import api as db_api
from bootdoctor import notification
from bootdoctor import pipeline
from bootdoctor import simulator
from bootdoctor.tests.functional.api import keystone as helper

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..',
                                    '..', '..'))
KEYSTONE_SCRIPT = os.path.join(REPO, 'tools', 'keystone', 'keystone-dev.sh')
BIN = os.path.dirname(sys.executable)
OPENSTACK = os.path.join(BIN, 'openstack')


@dataclasses.dataclass
class Boots:
    """The instance UUIDs stored, by what they are."""
    a_active: str
    a_error: str
    b_active: str


@dataclasses.dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture(scope='session')
def keystone():
    """The credentials of a running, seeded Keystone.

    The same policy as the API's functional tests (their helper): reuse a
    Keystone that answers, else start one with tools/keystone unless
    BOOTDOCTOR_KEYSTONE_AUTOSTART=0, and stop it afterwards only if it
    was started here.
    """
    if not os.path.exists(KEYSTONE_SCRIPT):
        pytest.skip('tools/keystone/keystone-dev.sh is missing')
    try:
        credentials, started = helper.ensure()
    except helper.Unavailable as exc:
        pytest.skip(str(exc))
    try:
        yield credentials
    finally:
        if started:
            helper.stop()


def _feed(url, projects):
    """Store simulated boots of projects A and B; return their UUIDs."""
    connection = db_api.Connection(url)
    connection.upgrade()
    start = (datetime.datetime.now(datetime.timezone.utc) -
             datetime.timedelta(minutes=10))
    uuids = {}
    wanted = (('a_active', 'success', 'project-a', 'active'),
              ('a_error', 'port_binding_failure', 'project-a', 'error'),
              ('b_active', 'success', 'project-b', 'active'))
    for seed, (key, scenario, project, status) in enumerate(wanted, 1):
        boot = simulator.plan(1, scenario, seed=seed, start=start)[0]
        identity = dataclasses.replace(boot.identity,
                                       project_id=projects[project])
        emissions = boot.scenario.build(identity, boot.computes)
        connection.add_observations(
            [notification.parse(simulator.listener_view(e, timestamp=start))
             for e in emissions])
        records = pipeline.rebuild(connection, [identity.instance_uuid])
        assert [r.status for r in records] == [status], key
        uuids[key] = identity.instance_uuid
    connection.close()
    return Boots(**uuids)


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _answers(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope='session')
def api(keystone, tmp_path_factory):
    """(base URL, Boots) of a bootdoctor-api behind auth_token."""
    state = tmp_path_factory.mktemp('bootdoctor-api')
    url = 'sqlite:///%s' % (state / 'bootdoctor.sqlite')
    boots = _feed(url, keystone['projects'])
    port = _free_port()
    service = keystone['users']['bootdoctor']
    config = state / 'bootdoctor.conf'
    config.write_text('\n'.join((
        '[DEFAULT]', 'state_path = %s' % state,
        '[api]', 'host = 127.0.0.1', 'port = %d' % port,
        'auth_strategy = keystone',
        # Pages of one boot; the client's page size is refused.
        'default_limit = 1', 'max_limit = 2',
        '[database]', 'connection = %s' % url,
        '[keystone_authtoken]',
        'www_authenticate_uri = %s' % keystone['auth_url'],
        'auth_url = %s' % keystone['auth_url'],
        'auth_type = password',
        'username = %s' % service['username'],
        'password = %s' % service['password'],
        'user_domain_id = %s' % keystone['user_domain_id'],
        'project_name = %s' % service['project_name'],
        'project_domain_id = %s' % keystone['project_domain_id'],
        '')))
    log = open(state / 'api.log', 'w')
    process = subprocess.Popen(
        [sys.executable, '-m', 'bootdoctor.cmd.api', '--config-file',
         str(config)], stdout=log, stderr=subprocess.STDOUT)
    base = 'http://127.0.0.1:%d' % port
    try:
        deadline = time.monotonic() + 60
        while not _answers(base + '/healthcheck'):
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail('bootdoctor-api did not start:\n%s' % (
                    (state / 'api.log').read_text()[-3000:]))
            time.sleep(0.2)
        yield base, boots
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope='session')
def openstack(keystone, api, tmp_path_factory):
    """run(user, *argv, **env) -> Result of the real ``openstack``."""
    if not os.path.exists(OPENSTACK):
        pytest.skip('the openstack executable is not in %s' % BIN)
    base, _boots = api
    home = tmp_path_factory.mktemp('home')

    def run(user, *argv, password=None, **env):
        credentials = keystone['users'][user]
        environ = {k: v for k, v in os.environ.items()
                   if not k.startswith('OS_')}
        environ.update({
            'HOME': str(home),
            'OS_CLIENT_CONFIG_FILE': str(home / 'clouds.yaml'),
            'OS_AUTH_URL': keystone['auth_url'],
            'OS_AUTH_TYPE': 'password',
            'OS_IDENTITY_API_VERSION': '3',
            'OS_REGION_NAME': keystone['region'],
            'OS_USERNAME': credentials['username'],
            'OS_PASSWORD': password or credentials['password'],
            'OS_USER_DOMAIN_ID': keystone['user_domain_id'],
            'OS_PROJECT_DOMAIN_ID': keystone['project_domain_id'],
            'OS_PROJECT_NAME': credentials['project_name'],
            'OS_BOOT_ENDPOINT': base,
            'COLUMNS': '80',
        })
        environ.update(env)
        done = subprocess.run([OPENSTACK] + list(argv), env=environ,
                              capture_output=True, text=True, timeout=120)
        return Result(done.returncode, done.stdout, done.stderr)
    return run


@pytest.fixture(scope='session')
def boots(api):
    return api[1]
