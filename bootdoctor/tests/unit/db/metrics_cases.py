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

"""Storage API tests of what /metrics reads, shared by every backend.

As for :mod:`bootdoctor.tests.unit.db.cases`: SQLite in the unit tests,
PostgreSQL and MariaDB in tests/functional/db.
"""

import datetime

import pytest

from bootdoctor import catalogue
from bootdoctor.db import exceptions
from bootdoctor.db import stats
from bootdoctor.tests.unit.db import fakes


def _at(seconds):
    return fakes.T0 + datetime.timedelta(seconds=seconds)


def _phases(**durations):
    return {name: {'started_at': None, 'ended_at': None, 'duration_s': value}
            for name, value in durations.items()}


def _expected(values, bounds=stats.HISTOGRAM_BOUNDS):
    return [(float(b), sum(1 for v in values if v <= b)) for b in bounds]


class MetricsCases:

    def test_phase_histogram_buckets(self, connection):
        # Scheduling 1..100 s, spawning ten times as long: durations on
        # the bounds (1, 2, 5, 10, ...) count in their own bucket.
        connection.save_records([
            fakes.record(n, seconds=n, phases=_phases(
                scheduling=float(n), spawning=n * 10.0, networking=None))
            for n in range(1, 101)])
        # Outside the window (left out), and in another project (counted:
        # the metrics cover every project).
        connection.save_records([
            fakes.record(200, seconds=5000,
                         phases=_phases(scheduling=0.25)),
            fakes.record(201, seconds=7, project_id='project-b',
                         phases=_phases(scheduling=0.25))])
        result = connection.metrics(since=_at(0), until=_at(1000))
        histograms = result['histograms']
        assert list(histograms) == list(catalogue.PHASES)
        sched = histograms['scheduling']
        assert sched['buckets'][:7] == [
            (0.5, 1), (1.0, 2), (2.0, 3), (5.0, 6), (10.0, 11),
            (30.0, 31), (60.0, 61)]
        assert sched['count'] == 101
        assert sched['sum'] == pytest.approx(5050.25)
        spawning = histograms['spawning']
        assert spawning['buckets'] == _expected(
            [n * 10.0 for n in range(1, 101)])
        assert spawning['count'] == 100
        assert spawning['sum'] == pytest.approx(50500.0)
        # No duration in the window: the phase is there, with zeros.
        for name in ('networking', 'block_device_mapping'):
            assert histograms[name] == {
                'buckets': _expected([]), 'count': 0, 'sum': 0.0}
        # The counts beside it are those of stats(), without percentiles.
        assert result['total'] == 101
        assert result['by_status']['active'] == 101
        assert result['phases'] == {}

    def test_phase_histogram_of_a_project(self, connection):
        connection.save_records([
            fakes.record(1, phases=_phases(spawning=40.0)),
            fakes.record(2, project_id='project-b',
                         phases=_phases(spawning=4.0))])
        result = stats_of(connection, 'project-b')
        assert result['spawning']['buckets'][3] == (5.0, 1)
        assert result['spawning']['count'] == 1
        assert result['spawning']['sum'] == pytest.approx(4.0)

    def test_phase_histogram_follows_the_saved_record(self, connection):
        connection.save_records([fakes.record(1, phases=_phases(
            scheduling=3.0))])
        connection.save_records([fakes.record(1, phases=_phases(
            scheduling=300.0))])
        sched = connection.metrics()['histograms']['scheduling']
        assert sched['count'] == 1
        assert dict(sched['buckets'])[120.0] == 0
        assert dict(sched['buckets'])[300.0] == 1

    def test_bad_window(self, connection):
        with pytest.raises(exceptions.InvalidFilter):
            connection.metrics(since='tomorrow')


def stats_of(connection, project_id):
    with connection.engine.connect() as conn:
        return stats.phase_histogram(conn, project_id=project_id)
