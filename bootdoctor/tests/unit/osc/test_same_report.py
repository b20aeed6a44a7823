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


"""``openstack boot diagnose`` and ``bootdoctor-manage replay`` print a
boot's diagnosis the same way, to the byte.
"""

import glob
import json
import os
import subprocess
import sys

import pytest

from bootdoctor.cmd import manage
from bootdoctor.manage import replay
from bootdoctor import report
from bootdoctor.tests.unit.client import fakes

BOOTS = fakes.BOOT_URL + '/v1/boots'
STREAMS = sorted(replay.bundled_streams() + glob.glob(
    os.path.join(replay.BUNDLED, 'simulated', '*.jsonl')))
# Past every [tracker] deadline of the streams: the stall is stuck.
LATER = '2026-11-25T09:15:00Z'


def _replay(capsys, *argv):
    assert manage.main(['replay', '--now', LATER] + list(argv)) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize('path', STREAMS, ids=os.path.basename)
def test_diagnose_prints_what_replay_prints(path, osc, api, capsys):
    records = json.loads(_replay(capsys, '--format', 'json', path))['boots']
    assert records
    shown = _replay(capsys, '--diagnose-all', path)
    expected = report.boots_table(records) + '\n'
    for record in records:
        api.get(BOOTS + '/' + record['instance_uuid'], json=record)
        result = osc('boot', 'diagnose', record['instance_uuid'])
        assert result.code == 0, result.err
        assert result.out.startswith('Boot of server %s\n'
                                     % record['instance_uuid'])
        expected += '\n' + result.out
    assert shown == expected


def test_the_renderer_loads_no_server_library():
    # Installed or not, the CLI plugin must not import them: loading the
    # report must stay as light as the rest of the plugin.
    code = (
        "import sys\n"
        "import bootdoctor.report, bootdoctor.osc.plugin\n"
        "import bootdoctor.osc.v1.boots\n"
        "heavy = ('sqlalchemy', 'oslo_db', 'oslo_messaging', 'flask',\n"
        "         'alembic', 'bootdoctor.db', 'bootdoctor.tracker')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy\n"
        "             or m.startswith(heavy)))\n")
    result = subprocess.run([sys.executable, '-c', code],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == '[]'
