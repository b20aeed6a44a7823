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


"""The DevStack plugin, run through every phase without DevStack.

tools/devstack-test/run.sh sources devstack/plugin.sh with recording
doubles of the DevStack functions it calls; these tests run it, check that
it notices a broken plugin, check that every option the plugin writes to
bootdoctor.conf is one bootdoctor registers, and lint devstack/ with
``bash -n``, shellcheck and bashate.
"""

import configparser
import os
import pathlib
import shutil
import subprocess
import sys

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg
import pytest

REPO = pathlib.Path(__file__).resolve().parents[4]
PLUGIN_DIR = REPO / 'devstack'
HARNESS = REPO / 'tools' / 'devstack-test' / 'run.sh'
PLUGIN_FILES = ('plugin.sh', 'settings', 'override-defaults')
# The namespaces whose options may appear in bootdoctor.conf: the ones
# etc/bootdoctor/bootdoctor-config-generator.conf lists.
NAMESPACES = ('bootdoctor', 'oslo.db', 'oslo.log', 'oslo.messaging',
              'oslo.middleware.cors', 'oslo.middleware.http_proxy_to_wsgi',
              'oslo.policy', 'oslo.reports', 'keystonemiddleware.auth_token')
# Groups that load a keystoneauth1 password plugin, with a session and an
# adapter: their options come with the plugin, not from list_opts.
AUTH_GROUPS = ('keystone_authtoken', 'nova')


def _run_harness(sandbox, plugin_dir=PLUGIN_DIR):
    env = dict(os.environ, PLUGIN_DIR=str(plugin_dir),
               PYTHON=sys.executable)
    return subprocess.run(['bash', str(HARNESS), str(sandbox)],
                          capture_output=True, text=True, env=env,
                          timeout=300)


@pytest.fixture(scope='module')
def harness(tmp_path_factory):
    sandbox = tmp_path_factory.mktemp('devstack')
    return sandbox, _run_harness(sandbox)


def test_every_phase_passes_its_checks(harness):
    _, result = harness
    assert result.returncode == 0, result.stdout + result.stderr
    last = result.stdout.strip().splitlines()[-1]
    passed, failed = (int(part.split()[0]) for part in last.split(','))
    assert failed == 0, result.stdout
    # Five scenarios with their checks; fewer means checks were skipped.
    assert passed >= 60, result.stdout
    assert 'not ok' not in result.stdout


def test_harness_catches_a_broken_plugin(tmp_path):
    broken = tmp_path / 'devstack'
    shutil.copytree(PLUGIN_DIR, broken)
    plugin = broken / 'plugin.sh'
    text = plugin.read_text()
    assert 'notify_on_state_change vm_and_task_state' in text
    plugin.write_text(text.replace(
        'notify_on_state_change vm_and_task_state',
        'notify_on_state_change vm_state'))
    result = _run_harness(tmp_path / 'sandbox', plugin_dir=broken)
    assert result.returncode != 0
    assert 'not ok - full: nova.conf: notify_on_state_change' in result.stdout


def _known_options():
    """{group: {option names}} for every namespace bootdoctor.conf uses."""
    known = {}
    for namespace in NAMESPACES:
        for ep in _entry_points(namespace):
            for group, opts in ep.load()():
                name = getattr(group, 'name', group) or 'DEFAULT'
                names = known.setdefault(name, set())
                for opt in opts:
                    names.add(opt.dest)
    password = ks_loading.get_auth_plugin_conf_options('password')
    for group in AUTH_GROUPS:
        # Only a group some namespace registers loads an auth plugin.
        if group not in known:
            continue
        names = known[group]
        names.update(opt.dest for opt in password)
        names.update(opt.dest for opt in
                     ks_loading.get_auth_common_conf_options())
        names.update(opt.dest for opt in
                     ks_loading.get_session_conf_options())
        names.update(opt.dest for opt in
                     ks_loading.get_adapter_conf_options())
    return known


def _entry_points(namespace):
    from importlib import metadata
    found = [ep for ep in metadata.entry_points(group='oslo.config.opts')
             if ep.name == namespace]
    assert found, 'no oslo.config.opts entry point named %s' % namespace
    return found


def test_bootdoctor_conf_holds_only_registered_options(harness):
    sandbox, result = harness
    assert result.returncode == 0, result.stdout
    path = sandbox / 'full' / 'etc' / 'bootdoctor' / 'bootdoctor.conf'
    parser = configparser.ConfigParser(interpolation=None, strict=True,
                                       default_section='no default')
    parser.optionxform = str
    parser.read(path)
    known = _known_options()
    unknown = ['[%s] %s' % (section, option)
               for section in parser.sections()
               for option in parser.options(section)
               if option not in known.get(section, ())]
    assert parser.sections(), 'the plugin wrote no bootdoctor.conf'
    assert unknown == [], 'options bootdoctor does not register: %s' % unknown


def test_bootdoctor_conf_loads_with_oslo_config(harness):
    """The written file parses as oslo.config reads it."""
    sandbox, _ = harness
    path = sandbox / 'full' / 'etc' / 'bootdoctor' / 'bootdoctor.conf'
    conf = cfg.ConfigOpts()
    from bootdoctor import conf as bd_conf
    from oslo_db import options as db_options
    bd_conf.register_opts(conf)
    db_options.set_defaults(conf)
    conf([], project='bootdoctor', default_config_files=[str(path)])
    assert conf.database.connection == (
        'mysql+pymysql://root:db-secret@127.0.0.1/bootdoctor?charset=utf8')
    assert conf.state_path.endswith('/opt/stack/data/bootdoctor')


@pytest.mark.parametrize('name', PLUGIN_FILES)
def test_bash_syntax(name):
    result = subprocess.run(['bash', '-n', str(PLUGIN_DIR / name)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_shellcheck():
    shellcheck = shutil.which('shellcheck')
    if not shellcheck:
        pytest.skip('shellcheck is not installed '
                    '(Debian: apt-get install shellcheck)')
    result = subprocess.run(
        [shellcheck, '--shell=bash', '--external-sources']
        + [name for name in PLUGIN_FILES],
        cwd=PLUGIN_DIR, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _bashate():
    beside = pathlib.Path(sys.executable).parent / 'bashate'
    if beside.exists():
        return str(beside)
    return shutil.which('bashate')


def test_bashate():
    bashate = _bashate()
    if not bashate:
        pytest.skip('bashate is not installed (pip install bashate, '
                    'listed in test-requirements.txt)')
    # As DevStack runs it: long lines allowed; settings and
    # override-defaults are sourced fragments with no #! line.
    result = subprocess.run(
        [bashate, '--ignore', 'E006', '--error', 'E005,E042',
         'plugin.sh'], cwd=PLUGIN_DIR, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    result = subprocess.run(
        [bashate, '--ignore', 'E005,E006', '--error', 'E042',
         'settings', 'override-defaults'],
        cwd=PLUGIN_DIR, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
