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


import os

from bootdoctor.osc.v1 import columns
from bootdoctor import report
from bootdoctor.tests.unit.client import fakes


def _lines(text):
    return text.splitlines()


def test_report_fits_80_columns_with_long_values():
    record = fakes.record(
        fault=dict(fakes.FAULT, message='x' * 300),
        root_cause=dict(fakes.ERROR_RECORD['root_cause'],
                        message='word ' * 80),
        diagnosis=dict(fakes.ERROR_RECORD['diagnosis'],
                       summary='a long summary ' * 20,
                       notes=['set [notifications] notify_on_state_change '
                              '= vm_and_task_state in nova.conf ' * 3]))
    record['steps'][0]['title'] = 'A very long step title ' * 5
    text = report.diagnosis_text(record, label='a-server-with-a-long-name')
    assert max(len(line) for line in _lines(text)) <= 80
    assert '\nNotes\n' in text


def test_report_sections_follow_the_record():
    text = report.diagnosis_text(fakes.ERROR_RECORD)
    headings = [line for line, under in zip(_lines(text), _lines(text)[1:])
                if under and set(under) == {'-'}]
    assert headings == ['Summary', 'Root cause',
                        'Steps (+ observed, ~ inferred, X failed, - skipped,'
                        ' . pending)', 'Phases', 'Attempts', 'Logs to read',
                        'Next commands']


def test_report_of_a_sparse_record():
    text = report.diagnosis_text({'instance_uuid': fakes.UUID,
                                  'status': 'building'})
    assert _lines(text) == [
        'Boot of server %s' % fakes.UUID,
        '=' * len('Boot of server %s' % fakes.UUID),
        'Status:   building']


def test_report_nova_fault_shown_when_it_differs():
    record = fakes.record(root_cause=dict(
        fakes.ERROR_RECORD['root_cause'], exception='AgentDown',
        message='The Open vSwitch agent on compute-2 is down'))
    text = report.diagnosis_text(record)
    assert '  AgentDown: The Open vSwitch agent on compute-2 is down' in text
    assert '  Nova fault: PortBindingFailed' in text
    assert 'Nova fault' not in report.diagnosis_text(fakes.ERROR_RECORD)


def test_command_lines_are_pasteable():
    command = ("grep -E 'req-0b6f1f2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b|port 3c1d' "
               "/var/log/neutron/neutron-openvswitch-agent.log")
    lines = report.command_lines(command, 60, '  ')
    assert all(len(line) <= 60 for line in lines)
    assert all(line.endswith(' \\') for line in lines[:-1])
    joined = ' '.join(line.rstrip('\\').strip() for line in lines)
    assert joined == command


def test_command_lines_keep_unsplittable_commands():
    command = "echo 'unterminated " + 'x' * 90
    assert report.command_lines(command, 80, '  ') == ['  ' + command]


def test_grep_command():
    # The catalogue's patterns are fixed strings: '|WARN|' is literal.
    assert report.grep_command({'path': '/var/log/ovn/ovn-controller.log',
                                'grep': '|WARN|'}) == (
        "grep -F '|WARN|' /var/log/ovn/ovn-controller.log")
    assert report.grep_command({'path': '/x', 'grep': 'zgrep -h a /x*'}) \
        == 'zgrep -h a /x*'


def test_duration():
    assert report.duration(None) == ''
    assert report.duration(1.25) == '1.2 s'
    assert report.duration(125) == '2 min 05 s'
    assert report.duration(3725) == '1 h 02 min'


def test_shell_words_are_verbatim():
    assert report.shell_words(
        "journalctl -u devstack@q-svc | grep 'req 1' <port_id> a\\ b") == [
        'journalctl', '-u', 'devstack@q-svc', '|', 'grep', "'req 1'",
        '<port_id>', 'a\\ b']
    assert report.shell_words("echo 'open") is None


def test_long_commands_keep_pipes_and_placeholders():
    command = ('journalctl -u devstack@q-svc -u devstack@neutron-api | grep '
               'req-c24f6aa8-3bf3-4a14-bc2f-7ad016edc5d4')
    lines = report.command_lines(command, 80, '  ')
    assert lines == [
        '  journalctl -u devstack@q-svc -u devstack@neutron-api | grep \\',
        '      req-c24f6aa8-3bf3-4a14-bc2f-7ad016edc5d4']


def test_phases_in_boot_order():
    record = fakes.record(phases={
        'spawning': {'duration_s': 4.0},
        'block_device_mapping': {'duration_s': 3.0},
        'scheduling': {'duration_s': 1.0},
        'networking': {'duration_s': 2.0}})
    text = report.diagnosis_text(record)
    names = [line.split()[0] for line in
             text.split('Phases\n------\n')[1].splitlines()[:4]]
    assert names == ['scheduling', 'networking', 'block_device_mapping',
                     'spawning']
    column = columns.PhasesColumn(record['phases'])
    assert column.human_readable().splitlines()[0] == 'scheduling: 1.0 s'


def test_long_step_titles_wrap_under_the_title():
    record = fakes.record()
    record['steps'][27]['title'] = ('nova-compute prepares the instance and '
                                    'calls the hypervisor driver')
    lines = report.diagnosis_text(record).splitlines()
    first = [i for i, line in enumerate(lines) if line.startswith('. 28 ')][0]
    assert lines[first].endswith('nova-compute prepares the instance and '
                                 'calls')
    assert lines[first + 1] == ' ' * 34 + 'the hypervisor driver'


def test_every_catalogue_command_fits_80_columns():
    # The catalogue's commands with real-length values, as diagnose prints
    # them: none may stay wider than the terminal.
    from bootdoctor import catalogue
    values = dict(instance_uuid='3f63ea8a-497a-48fd-be92-46ea9b4b718f',
                  request_id='req-79d624de-8aec-4f5a-9293-0590f568483d',
                  host='compute-12.example.org', node='compute-12',
                  project_id='6f70656e737461636b20342065766572',
                  image_id='155d900f-4e14-4e4c-a73d-069cbf4541e6',
                  port_id='3c1d0b5e-0a8f-4c44-9a55-5d3c2b1a0f9e',
                  volume_id='0f6f2b3e-52f5-4a53-b0ae-5c0c1c1a2d3e')
    commands = [a for c in catalogue.components().values()
                for a in c.actions]
    for step in catalogue.steps():
        commands += list(step.actions)
        commands += [a for f in step.failures for a in f.actions]
    assert commands
    for command in commands:
        text = catalogue.render(command, **values)
        for line in report.command_lines(text, 80, '  '):
            assert len(line) <= 80, text


def test_replay_prints_commands_that_paste(capsys):
    # Replay's diagnosis once printed 'grep |WARN|' with no file, and cut
    # long lines with '~': every log line is now a whole command.
    from bootdoctor.cmd import manage
    from bootdoctor.manage import replay
    path = os.path.join(replay.BUNDLED, 'simulated',
                        'port_binding_failure.jsonl')
    assert manage.main(['replay', path]) == 0
    out = capsys.readouterr().out
    assert ("    grep -F '|WARN|' /var/log/ovn/ovn-controller.log\n" in out)
    assert ("    grep -F ' ERROR ' "
            "/var/log/neutron/neutron-openvswitch-agent.log\n" in out)
    assert not [line for line in out.splitlines() if line.endswith('~')]
    assert max(len(line) for line in out.splitlines()
               if not line.startswith(('+-', '| '))) <= 80
