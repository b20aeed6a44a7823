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


import argparse
from unittest import mock

import pytest

from bootdoctor.client.v1 import client as v1
from bootdoctor.osc import plugin


def test_plugin_attributes():
    assert plugin.API_NAME == 'boot'
    assert plugin.API_VERSION_OPTION == 'os_boot_api_version'
    assert plugin.DEFAULT_API_VERSION in plugin.API_VERSIONS
    assert plugin.API_VERSIONS['1'] == 'bootdoctor.client.v1.client.Client'


def test_build_option_parser_reads_the_environment(monkeypatch):
    monkeypatch.setenv('OS_BOOT_API_VERSION', '1')
    monkeypatch.setenv('OS_BOOT_ENDPOINT', 'http://boot:8795')
    parser = plugin.build_option_parser(argparse.ArgumentParser())
    args = parser.parse_args([])
    assert args.os_boot_api_version == '1'
    assert args.os_boot_endpoint == 'http://boot:8795'
    args = parser.parse_args(['--os-boot-endpoint', 'http://other:1'])
    assert args.os_boot_endpoint == 'http://other:1'


def _instance(config):
    instance = mock.Mock()
    instance._api_version = {'boot': '1'}
    instance.get_configuration.return_value = config
    instance.interface = 'internal'
    instance.region_name = 'RegionTwo'
    return instance


@pytest.mark.parametrize('config, endpoint', [
    ({}, None),
    ({'boot_endpoint': 'http://a:1'}, 'http://a:1'),
    ({'boot_diagnostics_endpoint_override': 'http://b:2'}, 'http://b:2'),
    ({'boot_endpoint': 'http://a:1',
      'boot_diagnostics_endpoint_override': 'http://b:2'}, 'http://a:1'),
])
def test_make_client(config, endpoint):
    instance = _instance(config)
    client = plugin.make_client(instance)
    assert isinstance(client, v1.Client)
    instance.setup_auth.assert_called_once_with()
    adapter = client.http.adapter
    assert adapter.session is instance.session
    assert adapter.service_type == 'boot-diagnostics'
    assert adapter.interface == 'internal'
    assert adapter.region_name == 'RegionTwo'
    assert adapter.endpoint_override == endpoint
    assert client.servers.adapter.service_type == 'compute'


def _commands():
    from importlib import metadata
    return sorted(metadata.entry_points(group='openstack.boot.v1'),
                  key=lambda ep: ep.name)


def test_every_declared_command_exists():
    names = [ep.name for ep in _commands()]
    assert names == ['boot_diagnose', 'boot_event_list', 'boot_list',
                     'boot_show', 'boot_stats', 'boot_step_list',
                     'boot_step_show', 'boot_watch']


@pytest.mark.parametrize('entry_point', _commands(), ids=lambda ep: ep.name)
def test_every_command_and_option_has_help(entry_point):
    command_class = entry_point.load()
    command = command_class(None, None)
    assert command.get_description().strip()
    parser = command.get_parser('openstack ' + entry_point.name.replace(
        '_', ' '))
    for action in parser._actions:
        assert action.help and action.help.strip(), (
            entry_point.name, action.option_strings or action.dest)


def test_help_through_the_shell(osc):
    result = osc('help', 'boot', 'watch', credentials=False)
    assert result.code == 0
    assert 'Exits 0 when the server becomes ACTIVE' in result.out
    assert '--timeout <seconds>' in result.out


def test_the_plugin_needs_no_server_library():
    # The openstack CLI loads the plugin on a workstation that has
    # osc-lib and none of bootdoctor's service libraries.
    import subprocess
    import sys
    code = (
        "import importlib, sys\n"
        "for name in ('oslo_service', 'oslo_messaging', 'oslo_db',\n"
        "             'oslo_policy', 'oslo_reports', 'flask',\n"
        "             'keystonemiddleware', 'sqlalchemy', 'cotyledon'):\n"
        "    sys.modules[name] = None\n"
        "import bootdoctor.osc.plugin\n"
        "for name in ('boots', 'events', 'steps', 'stats', 'watch'):\n"
        "    importlib.import_module('bootdoctor.osc.v1.' + name)\n")
    result = subprocess.run([sys.executable, '-c', code],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
