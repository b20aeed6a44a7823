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


"""The storage API on SQLite (the other backends: tests/functional/db)."""

from oslo_db.sqlalchemy import engines
import sqlalchemy as sa

from bootdoctor.tests.unit.db import cases
from bootdoctor.tests.unit.db import metrics_cases
from bootdoctor.tests.unit.db import rebuild_cases
from bootdoctor.tests.unit.db import upkeep_cases


class TestObservations(cases.ObservationCases):
    pass


class TestRecords(cases.RecordCases):
    pass


class TestStats(cases.StatsCases):
    pass


class TestMetrics(metrics_cases.MetricsCases):
    pass


class TestDeployment(upkeep_cases.DeploymentCases):
    pass


class TestPurge(upkeep_cases.PurgeCases):
    pass


class TestSchema(upkeep_cases.SchemaCases):
    pass


class TestRebuilds(rebuild_cases.RebuildCases):
    pass


def test_checkin_does_not_yield_for_green_threads(connection):
    # oslo.db's sleep(0) at checkin is for eventlet; bootdoctor runs none.
    assert not sa.event.contains(connection._root_engine, 'checkin',
                                 engines._thread_yield)
    with connection._read() as conn:
        assert conn.execute(sa.text('SELECT 1')).scalar() == 1
