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

"""The files operators deploy: generator configs, uwsgi ini, systemd units."""

import configparser
from importlib import metadata
import pathlib
import re
import shlex

from oslo_config import generator
import pytest

REPO = pathlib.Path(__file__).resolve().parents[3]
ETC = REPO / 'etc'
GENERATOR_CONF = ETC / 'bootdoctor' / 'bootdoctor-config-generator.conf'
UNITS = sorted((ETC / 'systemd').glob('*.service'))
UWSGI_INI = ETC / 'bootdoctor' / 'bootdoctor-uwsgi.ini'
INSTALL_GUIDE = REPO / 'doc' / 'source' / 'install' / 'index.rst'


def _generator_namespaces():
    return [line.split('=', 1)[1].strip()
            for line in GENERATOR_CONF.read_text().splitlines()
            if line.startswith('namespace')]


def test_every_generator_namespace_has_an_entry_point():
    names = {ep.name for ep in metadata.entry_points(group='oslo.config.opts')}
    missing = [ns for ns in _generator_namespaces() if ns not in names]
    assert _generator_namespaces()
    assert missing == []


def test_generator_writes_a_sample_with_bootdoctor_groups(tmp_path):
    out = tmp_path / 'bootdoctor.conf.sample'
    generator.main(['--config-file', str(GENERATOR_CONF),
                    '--output-file', str(out)])
    sample = configparser.ConfigParser(interpolation=None, strict=True)
    sample.read(out)
    for group in ('api', 'tracker', 'database', 'keystone_authtoken',
                  'oslo_messaging_notifications', 'oslo_policy'):
        assert sample.has_section(group), group
    text = out.read_text()
    assert text.startswith('[DEFAULT]')
    assert '#state_path = /var/lib/bootdoctor' in text
    # The embedded default follows state_path, and oslo.db's options are
    # listed once.
    assert '#connection = sqlite:///$state_path/bootdoctor.sqlite' in text
    assert text.count('\n#max_pool_size = ') == 1
    # bootdoctor-api's own default for auth_token, shown as it applies.
    assert '\n#include_service_catalog = false\n' in text


def test_state_path_moves_the_embedded_database(tmp_path):
    from bootdoctor import conf as bd_conf
    conf = bd_conf.new_conf()
    conf(['--config-file', str(_write(tmp_path, '[DEFAULT]\nstate_path = '
                                      '%s\n' % tmp_path))],
         project='bootdoctor', default_config_files=[])
    assert conf.database.connection == 'sqlite:///%s' % (
        tmp_path / 'bootdoctor.sqlite')


def _write(directory, text):
    path = directory / 'bootdoctor.conf'
    path.write_text(text)
    return path


def _console_scripts():
    setup = configparser.ConfigParser(interpolation=None)
    setup.read(REPO / 'setup.cfg')
    lines = setup.get('entry_points', 'console_scripts').splitlines()
    return {line.split('=')[0].strip() for line in lines if '=' in line}


def test_there_is_a_unit_per_service():
    assert [u.name for u in UNITS] == ['bootdoctor-api.service',
                                       'bootdoctor-collector.service']


@pytest.mark.parametrize('unit', UNITS, ids=lambda u: u.name)
def test_unit_runs_a_shipped_command_with_shipped_files(unit):
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str
    parser.read(unit)
    assert parser.get('Install', 'WantedBy') == 'multi-user.target'
    assert parser.get('Service', 'User') == 'bootdoctor'
    command = shlex.split(parser.get('Service', 'ExecStart'))
    program = pathlib.Path(command[0]).name
    assert program in _console_scripts() | {'uwsgi'}
    for arg in command[1:]:
        if arg.startswith('/etc/bootdoctor/') and arg.endswith('.ini'):
            # The ini it names is the one shipped in etc/bootdoctor.
            assert (ETC / 'bootdoctor' / pathlib.Path(arg).name).exists()
    if program == 'uwsgi':
        assert parser.get('Service', 'Environment') == (
            'BOOTDOCTOR_CONFIG_FILE=/etc/bootdoctor/bootdoctor.conf')
    else:
        assert '--config-file' in command
        # SIGTERM to the main process only: it drains its listeners.
        assert parser.get('Service', 'KillMode') == 'mixed'


def _data_files():
    """{target directory: [source files]} from setup.cfg [files]."""
    setup = configparser.ConfigParser(interpolation=None)
    setup.read(REPO / 'setup.cfg')
    found, target = {}, None
    for line in setup.get('files', 'data_files').splitlines():
        line = line.strip()
        if not line:
            continue
        if line.endswith('='):
            target = line[:-1].strip()
            found[target] = []
        else:
            found[target].append(line)
    return found


def test_every_file_of_etc_bootdoctor_is_installed():
    # The systemd unit reads /etc/bootdoctor/bootdoctor-uwsgi.ini: the
    # package must ship it, with both generator configs.
    installed = _data_files().get('etc/bootdoctor', [])
    for name in ('bootdoctor-config-generator.conf',
                 'bootdoctor-policy-generator.conf',
                 'bootdoctor-uwsgi.ini'):
        assert 'etc/bootdoctor/%s' % name in installed, name
    assert installed == sorted(
        'etc/bootdoctor/%s' % p.name
        for p in (ETC / 'bootdoctor').iterdir() if p.is_file())
    for source in installed:
        assert (REPO / source).is_file(), source


def _uwsgi_option(name):
    # uwsgi ini files repeat keys, so read the one wanted line by line.
    values = [line.split('=', 1)[1].strip()
              for line in UWSGI_INI.read_text().splitlines()
              if line.split('=', 1)[0].strip() == name]
    assert len(values) == 1, values
    return values[0]


def test_uwsgi_listens_where_the_install_guide_registers_the_endpoint():
    host, _, port = _uwsgi_option('http-socket').rpartition(':')
    # Every address: the endpoints name the controller, not localhost.
    assert host in ('', '0.0.0.0', '[::]'), host
    ports = set(re.findall(r'boot-diagnostics \w+ http://controller:(\d+)',
                           INSTALL_GUIDE.read_text()))
    assert ports == {port}


def test_install_guide_sets_no_listen_options_for_uwsgi():
    # [api] host and port are read by the development server only.
    text = INSTALL_GUIDE.read_text()
    blocks = re.findall(r'\[api\]\n((?:[ \t]+\S.*\n)+)', text)
    assert blocks
    for block in blocks:
        keys = {line.split('=')[0].strip() for line in block.splitlines()}
        assert not keys & {'host', 'port'}, block
