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


import json

import yaml

from bootdoctor.tests.unit.client import fakes

STEPS = fakes.BOOT_URL + '/v1/steps'


def test_step_list(osc, api):
    api.get(STEPS, json={'steps': fakes.CATALOGUE})
    result = osc('boot', 'step', 'list')
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert [c.strip() for c in lines[1].split('|')[1:-1]] == [
        'Number', 'Title', 'Phase', 'Components', 'Channel']
    assert len(lines) == 29 + 4


def test_step_list_phase_and_long(osc, api):
    api.get(STEPS, json={'steps': fakes.CATALOGUE})
    result = osc('boot', 'step', 'list', '--phase', 'networking', '--long',
                 '-f', 'json')
    data = json.loads(result.out)
    assert [row['Number'] for row in data] == [10, 11, 12, 13, 14]
    assert data[0]['Components'] == ['nova-compute']
    assert data[0]['Description'] == 'What happens at step 10.'


def test_step_show(osc, api):
    api.get(STEPS, json={'steps': fakes.CATALOGUE})
    result = osc('boot', 'step', 'show', '12')
    assert result.code == 0, result.err
    assert 'Neutron binds the port' in result.out
    assert "- summary=The port cannot be bound, exceptions=" in result.out
    result = osc('boot', 'step', 'show', '12', '-f', 'yaml')
    assert yaml.safe_load(result.out) == fakes.CATALOGUE[11]


def test_step_show_value(osc, api):
    api.get(STEPS, json={'steps': fakes.CATALOGUE})
    result = osc('boot', 'step', 'show', '3', '-f', 'value', '-c', 'title')
    assert result.out == 'API creates the instance record\n'


def test_step_show_unknown(osc, api):
    api.get(STEPS, json={'steps': fakes.CATALOGUE})
    result = osc('boot', 'step', 'show', '30')
    assert result.code == 1
    assert result.err.strip() == ('No step 30 in the catalogue: steps are '
                                  'numbered 1 to 29')


def test_step_show_not_a_number(osc, api):
    result = osc('boot', 'step', 'show', 'two')
    assert result.code == 2
    assert "invalid int value: 'two'" in result.err


def test_step_list_yaml_value_csv(osc, api):
    api.get(STEPS, json={'phases': ['scheduling'], 'steps': fakes.CATALOGUE})
    result = osc('boot', 'step', 'list', '-f', 'yaml')
    assert yaml.safe_load(result.out)[11]['Title'] == 'Neutron binds the port'
    result = osc('boot', 'step', 'list', '-f', 'value', '-c', 'Number',
                 '-c', 'Phase')
    assert result.out.splitlines()[9] == '10 networking'
    result = osc('boot', 'step', 'list', '-f', 'csv', '-c', 'Number', '-c',
                 'Title')
    assert result.out.splitlines()[:2] == [
        '"Number","Title"', '1,"API receives the boot request"']
