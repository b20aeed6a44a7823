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

"""The simulated streams of bootdoctor/data/streams/simulated.

They are reproducible from the commands their PROVENANCE.rst gives, they
replay to what their scenario expects, and they stay out of the default
replay (which is the recorded Nova streams only).
"""

import json
import os
import pathlib
import shlex

import pytest

from bootdoctor.cmd import manage
from bootdoctor.manage import replay
from bootdoctor import simulator

SIMULATED = pathlib.Path(replay.BUNDLED) / 'simulated'
PROVENANCE = SIMULATED / 'PROVENANCE.rst'
REPO = pathlib.Path(__file__).resolve().parents[4]
# Past every [tracker] deadline of the streams (they start at 09:00).
LATER = '2026-11-25T09:15:00Z'


def _commands():
    """{stream name: argv of bootdoctor-manage} from PROVENANCE.rst."""
    found = {}
    for line in PROVENANCE.read_text().splitlines():
        line = line.strip()
        if line.startswith('$ bootdoctor-manage simulate '):
            argv = shlex.split(line)[2:]
            output = argv[argv.index('--output') + 1]
            found[pathlib.Path(output).stem] = argv
    return found


STREAMS = sorted(SIMULATED.glob('*.jsonl'))


def test_every_stream_has_its_command():
    assert sorted(p.stem for p in STREAMS) == sorted(_commands())
    assert sorted(_commands()) == ['port_binding_failure',
                                   'reschedule_success',
                                   'stall_block_device_mapping']
    for name, argv in _commands().items():
        # One boot of the scenario of the same name, reproducibly.
        assert argv[argv.index('--scenario') + 1] == name
        assert argv[argv.index('--boots') + 1] == '1'
        assert '--seed' in argv and '--start' in argv
        output = argv[argv.index('--output') + 1]
        assert (REPO / output).resolve() == SIMULATED / (name + '.jsonl')


@pytest.mark.parametrize('name', sorted(_commands()))
def test_the_command_writes_the_stream_again(name, tmp_path, capsys):
    argv = list(_commands()[name])
    out = tmp_path / (name + '.jsonl')
    argv[argv.index('--output') + 1] = str(out)
    assert manage.main(argv) == 0
    capsys.readouterr()
    assert out.read_bytes() == (SIMULATED / (name + '.jsonl')).read_bytes()


def _replay(capsys, *args):
    code = manage.main(['replay', '--format', 'json'] + list(args))
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)['boots']


@pytest.mark.parametrize('path', STREAMS, ids=lambda p: p.stem)
def test_replay_gives_the_scenario_outcome(path, capsys):
    scenario = simulator.get_scenario(path.stem)
    boots = _replay(capsys, '--now', LATER, str(path))
    assert len(boots) == 1
    record = boots[0]
    expected = scenario.expected
    assert record['status'] == expected['status']
    if 'phase' in expected:
        assert record['phase'] == expected['phase']
    if 'attempts' in expected:
        assert len(record['attempts']) == expected['attempts']
    if 'fault' in expected:
        assert record['fault']['exception'] == expected['fault']
    if 'root_cause' in expected:
        assert record['root_cause']['exception'] == expected['root_cause']
    if 'component' in expected:
        assert record['root_cause']['component'] == expected['component']


def test_the_stall_is_only_stuck_once_its_deadline_has_passed(capsys):
    path = str(SIMULATED / 'stall_block_device_mapping.jsonl')
    # By the stream's own clock (its newest message) nothing is late yet.
    assert _replay(capsys, path)[0]['status'] == 'building'
    stuck = _replay(capsys, '--now', LATER, path)[0]
    assert stuck['status'] == 'stuck'
    assert stuck['root_cause']['component'] == 'cinder'


def test_the_reschedule_tried_two_hosts(capsys):
    path = str(SIMULATED / 'reschedule_success.jsonl')
    record = _replay(capsys, path)[0]
    first, second = record['attempts']
    assert first['outcome'] == 'failed' and second['outcome'] == 'success'
    assert first['host'] != second['host'] == record['host']


def test_diagnose_all_prints_the_attempts_of_an_active_boot(capsys):
    path = str(SIMULATED / 'reschedule_success.jsonl')
    assert manage.main(['replay', path]) == 0
    assert 'Attempts' not in capsys.readouterr().out
    assert manage.main(['replay', '--diagnose-all', path]) == 0
    out = capsys.readouterr().out
    assert 'Status:   active' in out and 'Attempts' in out and '2. ' in out


def test_the_default_replay_is_the_recorded_streams_only():
    names = [os.path.basename(p) for p in replay.bundled_streams()]
    assert names == ['a_boot_success.jsonl', 'c_no_valid_host.jsonl',
                     'e2_spawn_fail_single_host.jsonl']
