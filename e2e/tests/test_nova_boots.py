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

"""bootdoctor's boot records against upstream Nova's own account.

For every scenario in ``nova_expectations.EXPECTED`` the Nova driver plays
it against Nova's functional stack; these tests check that bootdoctor's
collector stored everything Nova sent about the boots, that the Nova run
did what the scenario is about, and that each boot record the collector
keeps agrees with Nova's API (status, host, node, attempts, fault,
request) and names the planted cause.
"""

import datetime

import pytest

import nova_e2e
import nova_expectations
import nova_truth

SCENARIOS = sorted(nova_expectations.EXPECTED)


def _where(run):
    return ' (Nova log: %s; records: %s)' % (
        run.log, run.artifacts / (run.name + '.records.json'))


def _servers(run):
    servers = run.nova['servers']
    assert servers, 'the scenario created no server' + _where(run)
    return servers


def _record(run, server):
    record = run.records.get(server['id'])
    assert record is not None, (
        'no boot record for server %s; records for %s'
        % (server['id'], sorted(run.records)) + _where(run))
    return record


def test_every_scenario_has_expectations():
    problem = nova_e2e.nova_venv_problem()
    if problem:
        pytest.skip(problem)
    assert sorted(nova_e2e.list_scenarios()) == SCENARIOS


@pytest.mark.parametrize('scenario', SCENARIOS)
def test_nova_ran_the_scenario(nova_run, scenario):
    run = nova_run[scenario]
    assert run.nova['ok'], (
        'Nova did not play the scenario as written:\n%s'
        % run.nova['error'] + _where(run))
    emulation = run.nova['host_emulation']
    assert emulation['unattributed_conf_host_reads'] == 0, (
        'CONF.host read with no service to attribute it to: %s'
        % emulation['unattributed_sites'])
    assert not run.nova['send_failures']


@pytest.mark.parametrize('scenario', SCENARIOS)
def test_every_notification_collected(nova_run, scenario):
    run = nova_run[scenario]
    assert run.expected, 'Nova sent nothing bootdoctor listens for'
    assert not run.missing, (
        '%d of %d notifications sent were never stored: %s'
        % (len(run.missing), len(run.expected), sorted(
            m['event_type'] for m in run.expected
            if m['message_id'] in run.missing)))
    ids = {m['message_id'] for m in run.expected}
    rejected = [r for r in run.collector.rejections()
                if r['message_id'] in ids]
    assert not rejected, rejected


@pytest.mark.parametrize('scenario', SCENARIOS)
def test_record_matches_nova(nova_run, scenario):
    run = nova_run[scenario]
    expect = nova_expectations.EXPECTED[scenario]
    servers = _servers(run)
    assert len(servers) == expect.servers
    for server in servers:
        got = _record(run, server)
        want_status = nova_truth.expected_status(server)
        if expect.silent_delete:
            # Nova sent nothing of this delete: from its stream alone the
            # boot is still building; the stuck search then asks Nova and
            # records its answer (test_silent_delete_becomes_stuck_then_
            # deleted follows that path to 'deleted').
            assert want_status == 'deleted'
            want_status = 'building'
        assert got['status'] == want_status, _where(run)
        assert got['host'] == server['host']
        assert got['node'] == server['node']

        hosts = nova_truth.attempt_hosts(server)
        assert [a['host'] for a in got['attempts']] == hosts, got['attempts']
        assert [a['outcome'] for a in got['attempts']] == \
            nova_truth.expected_outcomes(server), got['attempts']

        action = nova_truth.create_action(server)
        if action is not None:
            assert got['request_id'] == action['request_id']
            assert got['project_id'] == action['project_id']
            assert got['user_id'] == action['user_id']

        fault = server['fault']
        if fault is None:
            assert got['fault'] is None, got['fault']
        else:
            assert got['fault'] is not None, 'Nova reports %s' % fault
            assert got['fault']['message'].strip() == \
                fault['message'].strip()
            assert got['fault']['exception'] == \
                nova_truth.fault_exception(fault)


@pytest.mark.parametrize('scenario', SCENARIOS)
def test_root_cause(nova_run, scenario):
    run = nova_run[scenario]
    expect = nova_expectations.EXPECTED[scenario]
    for server in _servers(run):
        got = _record(run, server)
        cause = got['root_cause']
        if expect.cause is None:
            assert cause is None, cause
            continue
        assert cause is not None, 'no root cause' + _where(run)
        expect.cause.check(cause, run.nova['injected'], server)


@pytest.mark.parametrize('scenario', [name for name in SCENARIOS
                                      if nova_expectations.EXPECTED[name]
                                      .silent_delete])
def test_silent_delete_becomes_stuck_then_deleted(nova_run, scenario):
    """A boot whose stream stops during scheduling is stuck after the
    scheduling deadline, with the deadlines bootdoctor is configured with;
    once the collector has asked Nova and Nova's API says the server is
    gone (what the driver's GET /servers/{id} answered), it is deleted.
    """
    from oslo_config import cfg

    from bootdoctor.collector import reconcile
    from bootdoctor.conf import tracker as tracker_conf
    from bootdoctor import tracker

    conf = cfg.ConfigOpts()
    tracker_conf.register_opts(conf)
    conf([])
    deadlines = tracker_conf.deadlines(conf)
    run = nova_run[scenario]
    for server in _servers(run):
        observations = run.observations(server['id'])
        last = max(obs.timestamp for obs in observations)
        now = last + datetime.timedelta(
            seconds=deadlines['scheduling'] + 1)
        got = tracker.build_record(observations, now=now,
                                   deadlines=deadlines).to_dict()
        assert got['status'] == 'stuck', got['status']
        assert got['phase'] == 'scheduling', got['phase']
        assert got['attempts'] == []

        assert not server['found'], server
        answer = reconcile.answer_observation(got, None, now, 'controller')
        after = tracker.build_record(
            observations + list(answer.observations), now=now,
            deadlines=deadlines).to_dict()
        assert after['status'] == nova_truth.expected_status(server)
        assert after['root_cause'] is None


@pytest.mark.parametrize('scenario', SCENARIOS)
def test_planted_faults_fail_their_attempts(nova_run, scenario):
    """A planted fault fails the attempt on its host.

    Every host where the scenario planted a fault for a server shows a
    failed attempt of that server, with the fault Nova reported.
    """
    run = nova_run[scenario]
    for server in _servers(run):
        got = _record(run, server)
        failed = [a for a in got['attempts'] if a['outcome'] == 'failed']
        for attempt in failed:
            assert attempt['fault'], attempt
        planted = {i['host'] for i in run.nova['injected']
                   if i['instance_uuid'] in (None, server['id'])}
        assert planted <= {a['host'] for a in failed}, (
            planted, got['attempts'])
