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

"""``bootdoctor-manage steps``, run through the real command entry point."""

import json

import pytest

from bootdoctor import catalogue
from bootdoctor.cmd import manage


def run(capsys, *argv):
    rc = manage.main(['steps'] + list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_json_lists_all_steps(capsys):
    rc, out, _ = run(capsys, '--format', 'json')
    assert rc == 0
    data = json.loads(out)
    assert [s['number'] for s in data['steps']] == list(range(1, 30))
    assert data['steps'][12]['evidence'][0] == {
        'kind': 'instance.update', 'old_task_state': 'scheduling',
        'task_state': None, 'state': 'building',
        'publisher_service': 'nova-compute'}
    assert data['steps'] == [s.to_dict() for s in catalogue.steps()]


def test_table_lists_all_steps(capsys):
    rc, out, _ = run(capsys)
    assert rc == 0
    rows = [line for line in out.splitlines()
            if line.startswith('| ') and line.split('|')[1].strip().isdigit()]
    assert [int(r.split('|')[1]) for r in rows] == list(range(1, 30))
    assert 'scheduler.select_destinations.end' in out
    assert '(inferred)' in out


def test_json_shows_one_step_with_its_components(capsys):
    rc, out, _ = run(capsys, '--format', 'json', '24')
    assert rc == 0
    data = json.loads(out)
    assert data['step']['number'] == 24
    assert data['step']['phase'] == 'networking'
    assert [c['name'] for c in data['components']] == ['neutron',
                                                       'nova-compute']
    exceptions = [e for f in data['step']['failures']
                  for e in f['exceptions']]
    assert 'PortBindingFailed' in exceptions


def test_table_shows_one_step_in_full(capsys):
    rc, out, _ = run(capsys, '25')
    assert rc == 0
    for text in ('block_device_mapping', 'BuildAbortException',
                 'Failure prepping block device', '-> cinder',
                 "grep '{request_id}' /var/log/cinder/cinder-volume.log",
                 'instance.update task_state=block_device_mapping',
                 "tcpdump -i any -nn -A 'tcp port 8776 and host {host}'"):
        assert text in out, text


def test_table_shows_null_and_present_matchers(capsys):
    rc, out, _ = run(capsys, '13')
    assert rc == 0
    assert 'task_state=null' in out
    rc, out, _ = run(capsys, '20')
    assert '(none: inferred from later steps)' in out
    assert 'boot_from_volume' in out


@pytest.mark.parametrize('number', ['0', '30', '-1'])
def test_unknown_step_is_a_clear_error(capsys, number):
    rc, out, err = run(capsys, number)
    assert rc == 1
    assert out == ''
    assert 'No step %s: the catalogue has steps 1 to 29.' % number in err


def test_describe_matcher_lists():
    from bootdoctor.manage import steps as steps_cmd
    assert steps_cmd.describe_matcher(
        {'kind': 'port.update.end', 'vif_type': ['ovs', 'bridge'],
         'binding_host': '*'}) == \
        'port.update.end vif_type=ovs|bridge binding_host=*'
