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

"""The development Keystone of tools/keystone, as the tests use it.

``ensure()`` returns the seeded credentials when Keystone answers, and
otherwise starts it with tools/keystone/keystone-dev.sh (which installs
Keystone into its own virtualenv the first time) unless
BOOTDOCTOR_KEYSTONE_AUTOSTART=0. It raises Unavailable, with the reason,
when Keystone cannot be had.
"""

import json
import os
import subprocess
import urllib.request

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..',
                                    '..', '..'))
SCRIPT = os.path.join(REPO, 'tools', 'keystone', 'keystone-dev.sh')
START_TIMEOUT = 900


class Unavailable(Exception):
    pass


def credentials_path():
    state = os.environ.get('KEYSTONE_STATE',
                           os.path.join(REPO, '.keystone'))
    return os.environ.get('BOOTDOCTOR_KEYSTONE_CREDENTIALS',
                          os.path.join(state, 'credentials.json'))


def load():
    try:
        with open(credentials_path(), encoding='utf-8') as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def answers(auth_url):
    try:
        with urllib.request.urlopen(auth_url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def ensure():
    """(credentials, started_here)."""
    creds = load()
    if creds and answers(creds['auth_url']):
        return creds, False
    if os.environ.get('BOOTDOCTOR_KEYSTONE_AUTOSTART', '1') == '0':
        raise Unavailable(
            'Keystone does not answer (credentials %s) and '
            'BOOTDOCTOR_KEYSTONE_AUTOSTART=0; start it with %s start'
            % (credentials_path(), SCRIPT))
    try:
        result = subprocess.run(['bash', SCRIPT, 'start'],
                                capture_output=True, text=True,
                                timeout=START_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise Unavailable('%s start did not finish within %d s'
                          % (SCRIPT, START_TIMEOUT))
    if result.returncode != 0:
        tail = '\n'.join((result.stdout + result.stderr).splitlines()[-15:])
        raise Unavailable('Keystone could not start (%s start exited %d):\n%s'
                          % (SCRIPT, result.returncode, tail))
    creds = load()
    if not creds or not answers(creds['auth_url']):
        raise Unavailable('%s start succeeded but Keystone does not answer'
                          % SCRIPT)
    return creds, True


def stop():
    subprocess.run(['bash', SCRIPT, 'stop'], capture_output=True,
                   timeout=120, check=False)
