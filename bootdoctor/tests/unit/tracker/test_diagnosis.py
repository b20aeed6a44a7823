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

import pytest

from bootdoctor.tracker import diagnosis


def _fault(module):
    return {'exception': 'InternalServerError', 'module': module,
            'message': 'Request Failed: internal server error while '
                       'processing your request.'}


@pytest.mark.parametrize('module', [
    'neutronclient.common.exceptions',  # Nova's Neutron client, versioned
    None,                                # legacy faults name no module
])
def test_a_neutron_500_is_neutrons(module):
    step, component = diagnosis.locate(_fault(module), 'networking')
    assert component == 'neutron'
    assert 'neutron' in step.components


def test_a_500_from_another_service_is_not_neutrons():
    # keystoneauth raises InternalServerError for a 500 from any service,
    # here Placement's while the boot was scheduling.
    step, component = diagnosis.locate(
        _fault('keystoneauth1.exceptions.http'), 'scheduling')
    assert component == 'nova-scheduler'
    assert step.phase == 'scheduling'
    # A Neutron 500 is Neutron's even when seen while scheduling.
    assert diagnosis.locate(_fault('neutronclient.common.exceptions'),
                            'scheduling')[1] == 'neutron'


def test_a_summary_leaves_out_what_is_not_known():
    # An error seen before its fault: no step, component or message yet.
    unknown = {'exception': None, 'message': None, 'step': None,
               'component': None, 'host': None}
    text = diagnosis._summary('error', {}, unknown, [])
    assert text == 'Failed at an unknown step: unknown error'
    assert 'None' not in text
    known = {'exception': 'NoValidHost', 'message': 'No valid host was '
             'found.', 'step': 6, 'component': 'nova-scheduler',
             'host': 'controller'}
    assert diagnosis._summary('error', {}, known, []) == (
        'Failed at step 6 (nova-scheduler) on controller: NoValidHost: '
        'No valid host was found.')
    assert diagnosis._summary(
        'stuck', {'phase': 'spawning'},
        dict(unknown, step=20, component='nova-compute'), []) == (
        'Stuck in spawning at step 20 (nova-compute)')
