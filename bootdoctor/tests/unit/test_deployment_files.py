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

"""The files operators deploy: generator config and systemd units."""

import configparser
from importlib import metadata
import pathlib
import shlex

from oslo_config import generator
import pytest

REPO = pathlib.Path(__file__).resolve().parents[3]
ETC = REPO / 'etc'
GENERATOR_CONF = ETC / 'bootdoctor' / 'bootdoctor-config-generator.conf'
UNITS = sorted((ETC / 'systemd').glob('*.service'))


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
