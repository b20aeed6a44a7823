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

"""The CLI's statuses, phases and step counts are the service's own."""

import pytest

from bootdoctor import catalogue
from bootdoctor.osc.v1 import boots
from bootdoctor.osc.v1 import columns
from bootdoctor.osc.v1 import common
from bootdoctor.osc.v1 import watch
from bootdoctor import report
from bootdoctor.tests.unit.client import fakes
from bootdoctor.tracker import record as tracker_record


def test_statuses_are_the_trackers():
    assert common.STATUSES == tracker_record.STATUSES


def test_phases_are_the_catalogues():
    assert common.PHASES == columns.PHASE_ORDER == catalogue.PHASES


def test_list_options_offer_exactly_those():
    parser = boots.ListBoot(None, None).get_parser('openstack boot list')
    actions = {a.dest: a for a in parser._actions}
    assert tuple(actions['status'].choices) == tracker_record.STATUSES
    assert tuple(actions['phase'].choices) == catalogue.PHASES


def test_step_count_is_the_records():
    assert report.step_count(fakes.ERROR_RECORD) == len(
        fakes.ERROR_RECORD['steps'])


@pytest.mark.parametrize('record', [{}, {'steps': []}, {'steps': None},
                                    None])
def test_step_count_without_steps_is_the_catalogues(record):
    assert report.step_count(record) == catalogue.STEP_COUNT == len(
        catalogue.steps())


def _thirty_steps(record):
    """A record from an API whose catalogue has one more step."""
    steps = record['steps'] + [dict(record['steps'][-1], number=30,
                                    state='pending', at=None)]
    return fakes.record(record, steps=steps)


def test_show_counts_the_records_steps():
    names, values = boots.record_columns(_thirty_steps(fakes.ERROR_RECORD))
    step = values[names.index('step')]
    assert step.human_readable() == '12/30 Neutron binds the port'
    assert step.machine_readable() == 12


def test_step_column_without_a_count_uses_the_catalogue():
    assert columns.StepColumn(4).human_readable() == '4/%d' % (
        catalogue.STEP_COUNT)


def test_diagnose_counts_the_records_steps():
    text = report.diagnosis_text(_thirty_steps(fakes.ERROR_RECORD))
    assert 'Step:     12/30 Neutron binds the port' in text.splitlines()


def test_watch_counts_the_records_steps():
    record = _thirty_steps(fakes.ERROR_RECORD)
    lines = watch._new_steps(record, {})
    assert lines[0].split()[1] == '1/30'
    assert watch._where(record) == 'error in networking at step 12/30'
