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

The ``nova_run`` fixture starts bootdoctor's collector on a fresh exchange
and a SQLite database, runs the driver for the scenarios the session
selected (``-k`` works), waits until the collector has stored every
notification the driver sent that it listens for, and reads the boot
records the collector keeps. Artifacts (driver output, Nova's log per
scenario, Nova's result JSON, the records, the collector's database) stay in
the session's temporary directory, or in ``$BOOTDOCTOR_E2E_ARTIFACTS`` when
set; failure messages name it.
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
    expected: list              # send log entries the collector must store
    missing: set                # ids of those it never stored
    records: dict               # instance uuid -> stored boot record dict
    collector: object           # nova_e2e.Collector, for its storage
    artifacts: pathlib.Path

    def observations(self, instance_uuid):
        return self.collector.connection.observations_for(instance_uuid)

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


@pytest.fixture(scope='session')
def nova_run(request, tmp_path_factory):
    """{scenario name: ScenarioRun} for the session's scenarios."""
    problem = nova_e2e.nova_venv_problem() or nova_e2e.broker_problem()
    if problem:
        pytest.skip(problem)
    names = _selected_scenarios(request.session)
    workdir = _artifacts_dir(tmp_path_factory)
    exchange, pool = nova_e2e.new_exchange()
    collector = nova_e2e.Collector(exchange, pool, workdir)
    collector.start()
    try:
        code, result = nova_e2e.run_driver(names, exchange, workdir)
        if result is None:
            pytest.fail('the Nova driver wrote no result (exit code %s); '
                        'see %s' % (code, workdir / 'driver.log'))
        expected = {
            name: nova_e2e.expected_messages(outcome.get('sent', ()))
            for name, outcome in result['scenarios'].items()}
        missing = collector.wait_for(
            [m for msgs in expected.values() for m in msgs],
            nova_e2e.RECEIVE_TIMEOUT)
    finally:
        collector.stop()
    runs = {}
    for name, outcome in result['scenarios'].items():
        uuids = sorted({m['instance_uuid'] for m in expected[name]} |
                       {s['id'] for s in outcome['servers']})
        records = {uuid: collector.connection.get_record(uuid)
                   for uuid in uuids}
        records = {uuid: r for uuid, r in records.items() if r is not None}
        runs[name] = ScenarioRun(
            name=name, nova=outcome, expected=expected[name],
            missing={m['message_id'] for m in expected[name]} & missing,
            records=records, collector=collector, artifacts=workdir)
        with open(workdir / (name + '.records.json'), 'w') as f:
            json.dump(records, f, indent=1, sort_keys=True, default=str)
    rejected = collections.Counter(
        r['reason'] for r in collector.rejections())
    if rejected:
        print('e2e: rejected by bootdoctor: %s' % dict(rejected))
    yield runs
    collector.connection.close()
