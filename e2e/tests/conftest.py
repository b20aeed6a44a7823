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

"""One Nova driver run per test session, shared by every e2e test.

The ``nova_run`` fixture starts the collector on a fresh exchange, runs the
driver for the scenarios the session selected (``-k`` works), waits until
every notification the driver sent has been received and builds the boot
records. Artifacts (driver output, Nova logs per scenario, Nova's result
JSON, the records) stay in the session's temporary directory, or in
``$BOOTDOCTOR_E2E_ARTIFACTS`` when set; failure messages name it.
"""

import collections
import dataclasses
import json
import os
import pathlib

import pytest

import nova_e2e
import nova_expectations


@dataclasses.dataclass
class ScenarioRun:
    name: str
    nova: dict                  # the driver's outcome for the scenario
    received: dict              # message_id -> nova_e2e.Received
    records: dict               # instance uuid -> BootRecord
    missing: set                # ids sent but never received
    artifacts: pathlib.Path

    def observations(self, instance_uuid):
        return [obs for item in self.received.values() if item.parsed
                for obs in item.parsed.observations
                if obs.instance_uuid == instance_uuid]

    @property
    def log(self):
        return self.artifacts / 'logs' / (self.name + '.log')


def _selected_scenarios(session):
    """The Nova scenarios the session's e2e tests are parametrized with."""
    here = pathlib.Path(__file__).resolve().parent
    names = []
    for item in session.items:
        callspec = getattr(item, 'callspec', None)
        if callspec is None or here not in item.path.resolve().parents:
            continue
        name = callspec.params.get('scenario')
        if name in nova_expectations.EXPECTED and name not in names:
            names.append(name)
    return names


def _artifacts_dir(tmp_path_factory):
    chosen = os.environ.get('BOOTDOCTOR_E2E_ARTIFACTS')
    if chosen:
        path = pathlib.Path(chosen)
        path.mkdir(parents=True, exist_ok=True)
        return path
    return tmp_path_factory.mktemp('nova-e2e')


def _build_records(received):
    from bootdoctor import tracker

    observations = [obs for item in received.values() if item.parsed
                    for obs in item.parsed.observations]
    return {record.instance_uuid: record
            for record in tracker.build_records(observations)}


@pytest.fixture(scope='session')
def nova_run(request, tmp_path_factory):
    """{scenario name: ScenarioRun} for the session's scenarios."""
    problem = nova_e2e.nova_venv_problem() or nova_e2e.broker_problem()
    if problem:
        pytest.skip(problem)
    names = _selected_scenarios(request.session)
    workdir = _artifacts_dir(tmp_path_factory)
    exchange, pool = nova_e2e.new_exchange()
    collector = nova_e2e.Collector(exchange, pool)
    collector.start()
    try:
        code, result = nova_e2e.run_driver(names, exchange, workdir)
        if result is None:
            pytest.fail('the Nova driver wrote no result (exit code %s); '
                        'see %s' % (code, workdir / 'driver.log'))
        sent = [m['message_id'] for outcome in result['scenarios'].values()
                for m in outcome.get('sent', ())]
        missing = collector.sink.wait_for(sent, nova_e2e.RECEIVE_TIMEOUT)
    finally:
        collector.stop()
    received = collector.sink.items()
    runs = {}
    for name, outcome in result['scenarios'].items():
        ids = {m['message_id'] for m in outcome.get('sent', ())}
        mine = {i: received[i] for i in ids if i in received}
        records = _build_records(mine)
        runs[name] = ScenarioRun(
            name=name, nova=outcome, received=mine, records=records,
            missing=ids & missing, artifacts=workdir)
        with open(workdir / (name + '.records.json'), 'w') as f:
            json.dump({uuid: r.to_dict() for uuid, r in records.items()},
                      f, indent=1, sort_keys=True, default=str)
    counts = collections.Counter(
        item.event_type for item in received.values() if item.rejection)
    if counts:
        print('e2e: rejected by the parser: %s' % dict(counts))
    return runs
