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


"""Run the real ``openstack`` shell in-process against mocked services.

Keystone, the boot-diagnostics API and the compute API are requests-mock
endpoints; everything in between (OpenStackClient's option parsing, the
plugin's make_client, keystoneauth1's catalogue lookup, cliff's
formatters) is the real code.
"""

import dataclasses
import logging
import os

from openstackclient import shell
from osc_lib import clientmanager
import pytest

from bootdoctor.tests.unit.client import fakes

CREDENTIALS = [
    '--os-auth-url', fakes.AUTH_URL, '--os-auth-type', 'password',
    '--os-identity-api-version', '3',
    '--os-username', 'alice', '--os-password', 'secret',
    '--os-project-name', 'demo', '--os-user-domain-name', 'Default',
    '--os-project-domain-name', 'Default', '--os-region-name', 'RegionOne',
]


@dataclasses.dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def api(requests_mock, monkeypatch, tmp_path):
    """requests-mock with Keystone answering and a clean environment."""
    for name in list(os.environ):
        if name.startswith('OS_'):
            monkeypatch.delenv(name)
    # No clouds.yaml of the machine running the tests.
    monkeypatch.setenv('HOME', str(tmp_path))
    monkeypatch.setenv('OS_CLIENT_CONFIG_FILE', str(tmp_path / 'none.yaml'))
    monkeypatch.setenv('COLUMNS', '200')
    fakes.mock_keystone(requests_mock)
    return requests_mock


@pytest.fixture
def osc(api, capsys):
    """run(*argv, credentials=True) -> Result(code, out, err)."""
    def run(*argv, credentials=True):
        capsys.readouterr()
        args = (CREDENTIALS if credentials else []) + list(argv)
        # OpenStackClient caches each plugin's client on the ClientManager
        # class: fine for one command per process, wrong for several.
        vars(clientmanager.ClientManager)['boot']._handle = None
        try:
            code = shell.OpenStackShell().run(args)
        except SystemExit as exc:  # argparse refusing an option
            code = exc.code
        finally:
            # The shell adds handlers to the root logger on every run.
            root = logging.getLogger()
            for handler in list(root.handlers):
                if isinstance(handler, logging.StreamHandler) and \
                        handler.__class__.__module__.startswith(
                            ('logging', 'osc_lib', 'openstackclient')):
                    root.removeHandler(handler)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)
    return run
