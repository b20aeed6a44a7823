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


"""The list and statistics queries are index scans on PostgreSQL.

The API lists boots out of a million (see the benchmark in issue 4); a
list query that sorts or reads the whole table would be slow there even
if it is fast here. These tests load enough rows for the planner to
choose as it would in production, capture the SQL the storage API
actually runs, and check its plan: the expected index, and no Sort node.
"""

import datetime

import pytest
import sqlalchemy as sa

from bootdoctor.tests.functional.db import servers

ROWS = 50000
DAY = ('2025-01-10T00:00:00Z', '2025-01-11T00:00:00Z')
IMAGE = '9d5a0e43-1c3b-4f0e-8a43-6a3c5f0e7b21'


@pytest.fixture(scope='module')
def loaded(tmp_path_factory):
    with servers.connection('postgresql', tmp_path_factory) as conn:
        with conn.engine.begin() as sa_conn:
            sa_conn.execute(sa.text("""
INSERT INTO boots (instance_uuid, project_id, user_id, request_id, status,
    phase, step, host, failed_step, failed_component, failed_host,
    created_at, updated_at, finished_at, duration_s, observation_count,
    record)
SELECT md5(i::text)::uuid::text, 'project-' || (i % 100),
    'user-' || (i % 1000), 'req-' || i, s.status,
    CASE WHEN s.status = 'active' THEN NULL ELSE 'spawning' END,
    20, 'compute' || (i % 500),
    CASE WHEN s.status = 'error' THEN 14 END,
    CASE WHEN s.status = 'error' THEN 'neutron' END,
    CASE WHEN s.status = 'error' THEN 'compute' || (i % 500) END,
    s.ts, s.ts + interval '30 seconds',
    CASE WHEN s.status <> 'building' THEN s.ts + interval '30 seconds' END,
    CASE WHEN s.status <> 'building' THEN 20 + i % 40 END, 30, '{}'
FROM generate_series(1, :n) AS i, LATERAL (
    SELECT timestamp '2025-01-01' + i * (interval '30 days' / :n) AS ts,
        CASE WHEN i % 100 < 90 THEN 'active' WHEN i % 100 < 97 THEN 'error'
             ELSE 'building' END AS status) AS s"""), {'n': ROWS})
            sa_conn.execute(sa.text("""
INSERT INTO boot_phases (instance_uuid, phase, project_id, host,
                         created_at, duration_s)
SELECT b.instance_uuid, p.phase, b.project_id, b.host, b.created_at,
       p.k * (1 + (hashtext(b.instance_uuid) & 1023) / 100.0)
FROM boots b, (VALUES ('scheduling', 1), ('networking', 3),
               ('block_device_mapping', 2), ('spawning', 10)) AS p(phase, k)
"""))
            # Three observations of each boot, every boot of one image:
            # the image of a cloud where everybody boots the same one.
            sa_conn.execute(sa.text("""
INSERT INTO observations (message_id, instance_uuid, kind, source,
    timestamp, image_id, user_id, project_id, data)
SELECT b.instance_uuid || '-' || k, b.instance_uuid, 'instance.update',
    'nova', b.created_at + k * interval '10 seconds', :image, b.user_id,
    b.project_id, '{}'
FROM boots b, generate_series(1, 3) AS k"""), {'image': IMAGE})
        with conn.engine.connect() as sa_conn:
            sa_conn.execution_options(
                isolation_level='AUTOCOMMIT').exec_driver_sql(
                    'VACUUM ANALYZE')
        yield conn


def _plans(conn, call):
    """The EXPLAIN output of each SELECT ``call(conn)`` runs."""
    statements = []

    def capture(sa_conn, cursor, statement, parameters, context, many):
        if statement.lstrip().upper().startswith('SELECT'):
            statements.append((statement, parameters))
    sa.event.listen(conn.engine, 'before_cursor_execute', capture)
    try:
        call(conn)
    finally:
        sa.event.remove(conn.engine, 'before_cursor_execute', capture)
    plans = []
    with conn.engine.connect() as sa_conn:
        for statement, parameters in statements:
            rows = sa_conn.exec_driver_sql('EXPLAIN ' + statement,
                                           parameters)
            plans.append('\n'.join(row[0] for row in rows))
    return plans


def _marker(conn, filters, sort):
    page = conn.list_records(filters, sort, limit=500, detail=False)
    return page[-1]['instance_uuid']


# (filters, sort, the index used, whether it gives the order). A
# selective filter (dozens of rows at this size) may be sorted after the
# index scan: the planner rightly finds that cheaper.
LIST_CASES = [
    ({}, None, 'ix_boots_created', True),
    ({'project_id': 'project-7'}, None, 'ix_boots_project_created', True),
    ({'status': 'error'}, None, 'ix_boots_status_created', True),
    # Two statuses are a tenth of the rows: reading the time index and
    # filtering beats merging two ranges and sorting them.
    ({'status': ['error', 'building']}, None, 'ix_boots_created', True),
    ({'host': 'compute42'}, None, 'ix_boots_host_created', True),
    ({'failed_component': 'neutron'}, 'created_at:asc',
     'ix_boots_component_created', True),
    ({}, 'updated_at:asc', 'ix_boots_updated', True),
    ({}, 'duration_s:desc', 'ix_boots_duration', True),
    ({}, 'duration_s:asc', 'ix_boots_duration', True),
    ({'project_id': 'project-93', 'status': 'error'}, None,
     'ix_boots_project_status_created', False),
]


@pytest.mark.parametrize('filters, sort, index, ordered', LIST_CASES)
@pytest.mark.parametrize('paged', [False, True], ids=['first', 'marker'])
def test_list_pages_are_index_range_scans(loaded, filters, sort, index,
                                          ordered, paged):
    marker = _marker(loaded, filters, sort) if paged else None
    plans = _plans(loaded, lambda c: c.list_records(filters, sort, limit=50,
                                                    marker=marker))
    page_plan = plans[-1]
    assert index in page_plan, page_plan
    assert 'Seq Scan' not in page_plan, page_plan
    if ordered:
        assert 'Sort' not in page_plan, page_plan


def test_request_id_is_an_index_lookup(loaded):
    plans = _plans(loaded, lambda c: c.list_records({'request_id': 'req-77'},
                                                    limit=50))
    assert 'ix_boots_request_id' in plans[-1], plans[-1]


def test_get_record_is_a_primary_key_lookup(loaded):
    uuid = loaded.list_records(limit=1, detail=False)[0]['instance_uuid']
    (plan,) = _plans(loaded, lambda c: c.get_record(uuid, 'project-1'))
    assert 'boots_pkey' in plan, plan


@pytest.mark.parametrize('project_id', [None, 'project-7'])
def test_stats_read_indexes_only(loaded, project_id):
    plans = _plans(loaded, lambda c: c.stats(DAY[0], DAY[1], project_id))
    status_plan, failures_plan, phases_plan = plans
    for plan in plans:
        assert 'Seq Scan' not in plan, plan
    assert 'Index Only Scan' in status_plan, status_plan
    assert 'Index Only Scan' in phases_plan, phases_plan
    if project_id is None:
        # A day of rows arrives grouped by phase: only percentile_cont
        # sorts (one project's few rows may be sorted, cheaply).
        assert 'Sort' not in phases_plan, phases_plan


def test_stats_over_the_loaded_rows(loaded):
    result = loaded.stats(DAY[0], DAY[1])
    day_rows = ROWS // 30
    assert abs(result['total'] - day_rows) <= 1
    assert result['by_status']['error'] == pytest.approx(
        day_rows * 0.07, rel=0.05)
    assert result['failures']['by_component'][0]['component'] == 'neutron'
    spawning = result['phases']['spawning']
    assert spawning['count'] == result['total']
    assert 10 <= spawning['p50'] <= spawning['p95'] <= spawning['p99'] <= 113


def test_metrics_read_indexes_only(loaded):
    plans = _plans(loaded, lambda c: c.metrics(DAY[0], DAY[1]))
    status_plan, _failures_plan, histogram_plan = plans
    for plan in plans:
        assert 'Seq Scan' not in plan, plan
    assert 'Index Only Scan' in status_plan, status_plan
    # One pass over the phase-first covering index: no sort, no
    # durations leave the database.
    assert 'Index Only Scan using ix_boot_phases_phase_created' in \
        histogram_plan, histogram_plan
    assert 'Sort' not in histogram_plan, histogram_plan


def test_metrics_over_the_loaded_rows(loaded):
    result = loaded.metrics(DAY[0], DAY[1])
    spawning = result['histograms']['spawning']
    assert spawning['count'] == result['total']
    counts = [n for _bound, n in spawning['buckets']]
    assert counts == sorted(counts)
    # Spawning lasts 10 to 112 s (see the rows loaded above).
    bucket = dict(spawning['buckets'])
    assert bucket[5.0] == 0 and bucket[120.0] == spawning['count']
    assert 10 * spawning['count'] <= spawning['sum'] <= \
        113 * spawning['count']


def test_download_candidates_read_one_projects_rows(loaded):
    # A Glance image.send of the image every boot uses: the boots it may
    # belong to are read from the receiving project's observations of
    # the image, not from every project's (about 840 rows within the
    # two hours here, a hundred times that in a busy cloud).
    with loaded.engine.connect() as sa_conn:
        uuid, created = sa_conn.execute(sa.text(
            "SELECT instance_uuid, created_at FROM boots WHERE project_id = "
            "'project-7' AND created_at >= '2025-01-10 12:00' "
            "ORDER BY created_at LIMIT 1")).one()
    # Ten seconds into that boot's build: a project-7 boot starts every
    # 5,184 s and each lasts 30 s, so it is the only one spawning.
    at = created.replace(tzinfo=datetime.timezone.utc) + \
        datetime.timedelta(seconds=10)
    window = datetime.timedelta(hours=2)
    found = []
    plans = _plans(loaded, lambda c: found.append(c.download_candidates(
        IMAGE, 'project-7', at, window)))
    (plan,) = plans
    assert 'ix_observations_image_project_time' in plan, plan
    assert 'Seq Scan on observations' not in plan, plan
    assert found == [{uuid}]


def test_a_batchs_downloads_are_one_read_of_their_own_rows(loaded):
    # The downloads of one batch, to two projects: one statement, each
    # part reading its own project's range, and the boots found are those
    # the downloads find one at a time.
    downloads = []
    with loaded.engine.connect() as sa_conn:
        for project in ('project-7', 'project-8'):
            created = sa_conn.execute(sa.text(
                "SELECT created_at FROM boots WHERE project_id = :p AND "
                "created_at >= '2025-01-10 12:00' ORDER BY created_at "
                "LIMIT 1"), {'p': project}).scalar_one()
            downloads.append((IMAGE, project, created.replace(
                tzinfo=datetime.timezone.utc) + datetime.timedelta(
                    seconds=10), datetime.timedelta(hours=2)))
    alone = [loaded.download_candidates(*d) for d in downloads]
    assert all(len(found) == 1 for found in alone) and alone[0] != alone[1]
    found = []
    (plan,) = _plans(loaded, lambda c: found.append(
        c.candidates(downloads=downloads)))
    assert plan.count('ix_observations_image_project_time') == 2, plan
    assert 'Seq Scan on observations' not in plan, plan
    assert found == [alone[0] | alone[1]]
