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

"""Planner statistics kept by the collector where autovacuum is off.

Against the real PostgreSQL: with no statistics the planner reads every
observation to find 200 message ids; once analyze_stale has run, it takes
the primary key.
"""

import time

import pytest
import sqlalchemy as sa

from bootdoctor.db import statistics
from bootdoctor.tests.functional.db import servers

ROWS = 20000


@pytest.fixture
def loaded():
    with servers.connection('postgresql') as conn:
        with conn.engine.begin() as sa_conn:
            sa_conn.execute(sa.text("""
INSERT INTO observations (message_id, instance_uuid, kind, source,
    timestamp, data)
SELECT md5(i::text)::uuid::text, md5((i / 25)::text)::uuid::text,
    'instance.update', 'nova', timestamp '2025-01-01' + i * interval '1 s',
    '{"payload": "' || repeat('x', 400) || '"}'
FROM generate_series(1, :n) AS i"""), {'n': ROWS})
        # A session's table counters reach pg_stat_user_tables when it
        # ends (or idles for a while): end it, and wait for them.
        conn.close()
        _wait_for_counters(conn)
        yield conn


def _wait_for_counters(conn, timeout=15):
    deadline = time.monotonic() + timeout
    query = sa.text("SELECT n_mod_since_analyze FROM pg_stat_user_tables "
                    "WHERE relname = 'observations'")
    while True:
        with conn.engine.connect() as sa_conn:
            if (sa_conn.execute(query).scalar() or 0) >= ROWS:
                return
        if time.monotonic() > deadline:
            raise AssertionError('the table counters never arrived')
        time.sleep(0.2)


def _lookup_plan(conn):
    ids = ["md5('%d')::uuid::text" % i for i in range(1, ROWS, 100)]
    with conn.engine.connect() as sa_conn:
        return '\n'.join(row[0] for row in sa_conn.exec_driver_sql(
            'EXPLAIN SELECT message_id, instance_uuid FROM observations '
            'WHERE message_id IN (%s)' % ', '.join(ids)))


def test_changed_tables_are_stale(loaded):
    with loaded.engine.connect() as sa_conn:
        assert 'observations' in statistics.stale_tables(sa_conn)
        assert 'boots' not in statistics.stale_tables(sa_conn)


def test_analyze_stale_follows_autovacuum(loaded):
    with loaded.engine.connect() as sa_conn:
        autovacuum = statistics.autovacuum_on(sa_conn)
    analyzed = loaded.analyze_stale()
    if autovacuum:
        # PostgreSQL keeps the statistics itself: nothing to do.
        assert analyzed == []
        return
    assert 'observations' in analyzed
    with loaded.engine.connect() as sa_conn:
        when = sa_conn.execute(sa.text(
            "SELECT last_analyze FROM pg_stat_user_tables "
            "WHERE relname = 'observations'")).scalar()
        assert when is not None
        assert 'observations' not in statistics.stale_tables(sa_conn)
    assert loaded.analyze_stale() == []


def test_lookups_use_the_primary_key_once_analyzed(loaded):
    before = _lookup_plan(loaded)
    with loaded.engine.connect().execution_options(
            isolation_level='AUTOCOMMIT') as sa_conn:
        autovacuum = statistics.autovacuum_on(sa_conn)
        if autovacuum:
            # What autovacuum would do by itself, without waiting for it.
            sa_conn.exec_driver_sql('ANALYZE observations')
    if not autovacuum:
        # What the collector meets on a server with autovacuum off.
        assert 'Seq Scan' in before, before
        assert loaded.analyze_stale()
    after = _lookup_plan(loaded)
    assert 'observations_pkey' in after, after
    assert 'Seq Scan' not in after, after
