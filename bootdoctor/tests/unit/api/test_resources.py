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

"""/v1/boots/{uuid}/events, /v1/steps, /v1/stats, /v1/status, /metrics."""

import collections
import re

from prometheus_client import parser as prom_parser
import pytest

from bootdoctor.api import metrics
from bootdoctor import catalogue
from bootdoctor.db import stats as db_stats
from bootdoctor.tests.unit.api import conftest as c


class TestEvents:
    def test_reader_gets_observations_without_raw(self, app, dataset,
                                                  connection):
        record = dataset.with_traceback()
        headers = c.who(record['project_id'], 'reader')
        body = app.get('/v1/boots/%s/events' % record['instance_uuid'],
                       headers=headers).json
        stored = connection.observations_for(record['instance_uuid'])
        assert body['instance_uuid'] == record['instance_uuid']
        assert len(body['events']) == len(stored) > 0
        assert all('raw' not in e for e in body['events'])
        assert {e['message_id'] for e in body['events']} == {
            o.message_id for o in stored}
        assert 'Traceback' not in app.get(
            '/v1/boots/%s/events' % record['instance_uuid'],
            headers=headers).text
        stamps = [e['timestamp'] for e in body['events']]
        assert stamps == sorted(stamps)

    def test_admin_gets_raw_notifications(self, app, dataset):
        record = dataset.with_traceback()
        body = app.get('/v1/boots/%s/events' % record['instance_uuid'],
                       headers=c.ADMIN).json
        for event in body['events']:
            assert event['raw']['message_id'] == event['message_id']
            assert event['raw']['event_type'] == event['event_type']
            assert 'payload' in event['raw']
        assert 'Traceback' in app.get(
            '/v1/boots/%s/events' % record['instance_uuid'],
            headers=c.ADMIN).text

    def test_other_project_is_404(self, app, dataset):
        record = dataset.samples[0]
        app.get('/v1/boots/%s/events' % record['instance_uuid'],
                headers=c.MEMBER_A, status=404)

    def test_policy_can_forbid_events(self, make_app, policy_file,
                                      dataset):
        policy_file({'bootdoctor:event:list': 'rule:context_is_admin'})
        app = make_app()
        record = dataset.samples[0]
        response = app.get('/v1/boots/%s/events' % record['instance_uuid'],
                           headers=c.who(record['project_id'], 'reader'),
                           status=403)
        assert 'bootdoctor:event:list' in response.json['error']['message']

    def test_copied_record_without_observations_has_no_events(
            self, app, dataset):
        record = dataset.of_project(c.PROJECT_A)[0]
        body = app.get('/v1/boots/%s/events' % record['instance_uuid'],
                       headers=c.READER_A).json
        assert body['events'] == []


class TestSteps:
    def test_the_catalogue(self, app):
        body = app.get('/v1/steps', headers=c.READER_A).json
        assert [s['number'] for s in body['steps']] == list(range(1, 30))
        assert body['phases'] == list(catalogue.PHASES)
        assert body['steps'][0]['title'] == catalogue.step(1).title

    def test_needs_a_role(self, app):
        app.get('/v1/steps', headers=c.who(c.PROJECT_A, 'observer'),
                status=403)

    def test_takes_no_parameters(self, app):
        response = app.get('/v1/steps?number=3', headers=c.READER_A,
                           status=400)
        assert response.json['error']['parameter'] == 'number'


WINDOW = {'since': '2024-05-01T00:00:00Z', 'until': '2024-05-02T00:00:00Z'}


class TestStats:
    def test_reader_gets_own_project(self, app, dataset):
        body = app.get('/v1/stats', params=WINDOW, headers=c.READER_A).json
        mine = dataset.of_project(c.PROJECT_A)
        assert body['project_id'] == c.PROJECT_A
        assert body['total'] == len(mine)
        for status in ('active', 'error'):
            assert body['by_status'][status] == sum(
                1 for r in mine if r['status'] == status)
        assert body['failures']['total'] == sum(
            1 for r in mine if r['status'] in ('error', 'stuck'))

    def test_admin_all_projects(self, app, dataset):
        body = app.get('/v1/stats', params=dict(WINDOW, all_projects='1'),
                       headers=c.ADMIN).json
        assert body['project_id'] is None
        assert body['total'] == 2 * len(dataset.of_project(c.PROJECT_A))

    def test_group_by_host(self, app):
        body = app.get('/v1/stats', params=dict(WINDOW, group_by='host'),
                       headers=c.READER_A).json
        assert body['group_by'] == 'host'
        assert sum(g['total'] for g in body['groups']) == body['total']

    def test_default_window_is_the_last_day(self, app):
        body = app.get('/v1/stats', headers=c.READER_A).json
        assert body['total'] == 0
        assert body['since'] < body['until']

    def test_reader_cannot_read_all_projects(self, app):
        app.get('/v1/stats?all_projects=true', headers=c.READER_A,
                status=403)

    @pytest.mark.parametrize('query,parameter', [
        ('group_by=project', 'group_by'),
        ('since=2024-05-02T00:00:00Z&until=2024-05-01T00:00:00Z', 'until'),
        ('since=soon', 'since'),
        ('window=1d', 'window'),
    ])
    def test_bad_parameters(self, app, query, parameter):
        response = app.get('/v1/stats?' + query, headers=c.READER_A,
                           status=400)
        assert response.json['error']['parameter'] == parameter


class TestStatus:
    def test_admin_reads_status(self, app, connection):
        connection.heartbeat('nova', '2024-05-01T12:00:00Z', received=3)
        connection.record_finding(
            'nova.notify_on_state_change', 'warning',
            'no instance.update seen', now='2024-05-01T12:00:00Z')
        try:
            body = app.get('/v1/status', headers=c.ADMIN).json
        finally:
            connection.clear_finding('nova.notify_on_state_change')
        nova = [e for e in body['exchanges'] if e['exchange'] == 'nova']
        assert nova and nova[0]['received'] >= 3 and nova[0]['age_s'] > 0
        assert [w['key'] for w in body['warnings']] == [
            'nova.notify_on_state_change']

    def test_reader_is_forbidden(self, app):
        app.get('/v1/status', headers=c.MEMBER_A, status=403)


LINE = re.compile(r'^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? '
                  r'-?[0-9.e+-]+$')
HISTOGRAM = 'bootdoctor_boot_phase_duration_seconds'


def scrape(make_app):
    app = make_app(metrics_enabled=True, stats_default_window=10 ** 9)
    return app.get('/metrics', headers=c.ADMIN).text


class TestMetrics:
    def test_disabled_by_default(self, app):
        app.get('/metrics', headers=c.ADMIN, status=404)

    def test_prometheus_text(self, make_app, dataset, connection):
        connection.heartbeat('nova', '2024-05-01T12:00:00Z', received=1)
        app = make_app(metrics_enabled=True,
                       stats_default_window=10 ** 9)
        response = app.get('/metrics', headers=c.ADMIN)
        assert response.content_type == 'text/plain'
        assert 'version=0.0.4' in response.headers['Content-Type']
        samples = {}
        for line in response.text.splitlines():
            if line.startswith('#'):
                assert re.match(r'^# (HELP|TYPE) bootdoctor_[a-z_]+ ', line)
                continue
            assert LINE.match(line), line
            name, value = line.rsplit(' ', 1)
            samples[name] = float(value)
        errors = sum(1 for r in dataset.records.values()
                     if r['status'] == 'error')
        assert samples['bootdoctor_boots{status="error"}'] == errors
        assert samples[HISTOGRAM + '_count{phase="spawning"}'] > 0
        assert not any('quantile=' in k for k in samples)
        assert 'bootdoctor_collector_messages_total{exchange="nova"}' in \
            samples

    def test_reader_is_forbidden(self, make_app):
        make_app(metrics_enabled=True).get('/metrics', headers=c.READER_A,
                                           status=403)

    def test_service_role_may_scrape(self, make_app):
        make_app(metrics_enabled=True).get(
            '/metrics', headers=c.who('service-project', 'service'),
            status=200)

    def test_phase_durations_are_a_histogram(self, make_app, dataset):
        families = {f.name: f for f in
                    prom_parser.text_string_to_metric_families(
                        scrape(make_app))}
        family = families[HISTOGRAM]
        assert family.type == 'histogram'
        buckets = collections.defaultdict(dict)
        totals = collections.defaultdict(dict)
        for sample in family.samples:
            phase = sample.labels['phase']
            if sample.name == HISTOGRAM + '_bucket':
                buckets[phase][sample.labels['le']] = sample.value
            else:
                totals[phase][sample.name[len(HISTOGRAM):]] = sample.value
        assert list(buckets) == list(catalogue.PHASES)
        bounds = ['%g' % b for b in db_stats.HISTOGRAM_BOUNDS] + ['+Inf']
        assert bounds[:3] == ['0.5', '1', '2'] and bounds[-2] == '1800'
        durations = dataset.phase_durations()
        assert durations['spawning'], 'the dataset has spawning durations'
        for phase in catalogue.PHASES:
            values = durations.get(phase, [])
            assert list(buckets[phase]) == bounds
            assert buckets[phase] == {
                le: sum(1 for v in values if v <= float(le))
                for le in bounds}
            assert totals[phase]['_count'] == len(values)
            assert totals[phase]['_sum'] == pytest.approx(sum(values))

    def test_the_whole_text_parses(self, make_app):
        names = {f.name for f in prom_parser.text_string_to_metric_families(
            scrape(make_app))}
        assert {'bootdoctor_window_seconds', 'bootdoctor_boots',
                'bootdoctor_boot_failures', HISTOGRAM} <= names

    def test_histogram_exposition(self):
        out = metrics.Exposition()
        out.histogram('x_seconds', 'X.', [
            ((('phase', 'spawning'),), [(0.5, 1), (1.0, 1), (1800.0, 3)],
             4, 2000.25)])
        assert out.text().splitlines() == [
            '# HELP x_seconds X.',
            '# TYPE x_seconds histogram',
            'x_seconds_bucket{phase="spawning",le="0.5"} 1',
            'x_seconds_bucket{phase="spawning",le="1"} 1',
            'x_seconds_bucket{phase="spawning",le="1800"} 3',
            'x_seconds_bucket{phase="spawning",le="+Inf"} 4',
            'x_seconds_sum{phase="spawning"} 2000.25',
            'x_seconds_count{phase="spawning"} 4']

    def test_label_values_are_escaped(self):
        assert metrics.escape('a"b\\c\nd') == 'a\\"b\\\\c\\nd'
