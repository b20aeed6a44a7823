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

"""Deployment checks from real Nova streams, findings in real storage."""

import logging

from bootdoctor.collector import checks
from bootdoctor import notification
from bootdoctor.tests.unit.collector import conftest


def _observations(boot, keep=lambda emission: True):
    result = []
    for priority, view in conftest.views(boot):
        parsed = notification.parse_listener(
            view['ctxt'], view['publisher_id'], view['event_type'],
            view['payload'], view['metadata'], priority)
        result.extend(parsed.observations)
    return [o for o in result if keep(o)]


def _without_task_states(observation):
    # What Nova sends with notify_on_state_change unset: no update at all.
    return observation.kind != 'instance.update'


def _finished_boots(n, keep, first=0):
    observations = []
    for seed in range(first, first + n):
        observations += _observations(conftest.boot('success', seed=seed),
                                      keep)
    return observations


def test_no_task_state_update_is_a_loud_warning(connection, caplog):
    check = checks.DeploymentChecks(connection, boots=3)
    with caplog.at_level(logging.WARNING):
        check.observe(_finished_boots(2, _without_task_states))
        assert connection.findings() == []
        check.observe(_finished_boots(1, _without_task_states, first=2))
    findings = {f['key']: f for f in connection.findings()}
    finding = findings[checks.TASK_STATE]
    assert finding['severity'] == 'warning'
    assert 'notify_on_state_change = vm_and_task_state' in finding['message']
    assert any('notify_on_state_change' in r.getMessage()
               for r in caplog.records if r.levelno == logging.WARNING)
    # Said once, not at every batch.
    check.observe(_finished_boots(2, _without_task_states, first=3))
    assert {f['key']: f['count'] for f in connection.findings()}[
        checks.TASK_STATE] == 1


def test_task_state_updates_clear_the_warning(connection):
    check = checks.DeploymentChecks(connection, boots=1)
    check.observe(_finished_boots(1, _without_task_states))
    assert checks.TASK_STATE in {f['key'] for f in connection.findings()}
    check.observe(_finished_boots(1, lambda o: True))
    assert checks.TASK_STATE not in {f['key'] for f in connection.findings()}


def test_both_formats_are_fine(connection):
    check = checks.DeploymentChecks(connection, boots=2)
    check.observe(_finished_boots(3, lambda o: True))
    assert connection.findings() == []


def test_legacy_only_and_versioned_only_nova(connection):
    check = checks.DeploymentChecks(connection, boots=2)
    check.observe(_finished_boots(2, lambda o: o.format == 'legacy'))
    finding = {f['key']: f for f in connection.findings()}[checks.FORMAT]
    assert finding['severity'] == 'info'
    assert 'only legacy' in finding['message']

    other = checks.DeploymentChecks(connection, boots=2)
    other.observe(_finished_boots(2, lambda o: o.format == 'versioned'
                                  or o.source != 'nova'))
    finding = {f['key']: f for f in connection.findings()}[checks.FORMAT]
    assert 'only versioned' in finding['message']


def test_an_earlier_runs_finding_is_cleared(connection):
    connection.record_finding(checks.TASK_STATE, 'warning', 'old')
    check = checks.DeploymentChecks(connection, boots=5)
    check.observe(_observations(conftest.boot('success')))
    assert connection.findings() == []
