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


"""The alembic migrations on an empty database of every backend."""

from alembic import autogenerate
from alembic.runtime import migration as alembic_migration
import pytest
import sqlalchemy as sa

from bootdoctor.db import api
from bootdoctor.db import models
from bootdoctor.tests.functional.db import servers


@pytest.fixture(params=servers.BACKENDS)
def empty_url(request, tmp_path_factory):
    with servers.database(request.param, tmp_path_factory) as url:
        yield url


def test_upgrade_empty_database_to_head(empty_url):
    conn = api.Connection(empty_url)
    try:
        assert conn.version() is None
        conn.upgrade()
        assert conn.version() == conn.head()
        inspector = sa.inspect(conn.engine)
        assert set(inspector.get_table_names()) >= {
            t.name for t in models.metadata.sorted_tables}
        for table in models.metadata.sorted_tables:
            found = {ix['name']: ix['column_names']
                     for ix in inspector.get_indexes(table.name)}
            for index in table.indexes:
                assert found.get(index.name) == [
                    c.name for c in index.columns], index.name
    finally:
        conn.close()


def test_migrations_match_the_models(empty_url):
    conn = api.Connection(empty_url)
    try:
        conn.upgrade()
        with conn.engine.connect() as sa_conn:
            context = alembic_migration.MigrationContext.configure(
                sa_conn, opts={'compare_type': True})
            diff = autogenerate.compare_metadata(context, models.metadata)
        assert diff == []
    finally:
        conn.close()


def test_mysql_tables_are_utf8mb4_innodb(tmp_path_factory):
    with servers.database('mysql', tmp_path_factory) as url:
        conn = api.Connection(url)
        try:
            conn.upgrade()
            with conn.engine.connect() as sa_conn:
                rows = sa_conn.execute(sa.text(
                    'SELECT table_name, engine, table_collation FROM '
                    'information_schema.tables WHERE table_schema = '
                    'DATABASE() AND table_name != :v'),
                    {'v': 'alembic_version'}).all()
        finally:
            conn.close()
    assert {r[0] for r in rows} == {
        t.name for t in models.metadata.sorted_tables}
    assert {(r[1], r[2]) for r in rows} == {('InnoDB', 'utf8mb4_bin')}


def test_missing_schema_says_to_run_db_sync(empty_url):
    from bootdoctor.db import exceptions
    conn = api.Connection(empty_url)
    try:
        for call in (conn.list_records, lambda: conn.get_record('x'),
                     lambda: conn.add_rejection('bad', 'x')):
            with pytest.raises(exceptions.NotInitialised):
                call()
    finally:
        conn.close()


def test_postgresql_json_columns_are_compressed_with_lz4(tmp_path_factory):
    from bootdoctor.db.migration.versions import (
        c41d7e2a9f58_lz4_json_columns as lz4_revision)
    with servers.database('postgresql', tmp_path_factory) as url:
        conn = api.Connection(url)
        try:
            conn.upgrade()
            with conn.engine.connect() as sa_conn:
                available = lz4_revision.lz4_available(sa_conn)
                methods = dict(sa_conn.execute(sa.text(
                    "SELECT attrelid::regclass::text || '.' || attname, "
                    "attcompression FROM pg_attribute WHERE attnum > 0 "
                    "AND attrelid IN ('notifications'::regclass, "
                    "'observations'::regclass, 'boots'::regclass, "
                    "'rejections'::regclass)")).all())
            # A rejection of 30 kB of text: stored compressed, with the
            # column's method.
            conn.add_rejection('too big', 'x' * 30000)
            with conn.engine.connect() as sa_conn:
                stored = sa_conn.execute(sa.text(
                    'SELECT pg_column_compression(raw) '
                    'FROM rejections')).scalar()
        finally:
            conn.close()
    columns = {'%s.%s' % c for c in lz4_revision.COLUMNS}
    assert columns == {'notifications.message', 'observations.data',
                       'boots.record', 'boots.listing', 'rejections.raw'}
    # 'l': LZ4; '': the server's default (pglz unless configured).
    expected = 'l' if available else ''
    assert {name: methods[name] for name in columns} == dict.fromkeys(
        columns, expected)
    assert {m for name, m in methods.items() if name not in columns} == {''}
    assert stored == ('lz4' if available else 'pglz')


def test_values_stored_before_the_lz4_upgrade_stay_readable(
        tmp_path_factory):
    with servers.database('postgresql', tmp_path_factory) as url:
        conn = api.Connection(url)
        try:
            conn.upgrade('9b4e2c7d1f36')
            conn.add_rejection('before', 'a' * 30000)
            conn.upgrade()
            conn.add_rejection('after', 'b' * 30000)
            with conn.engine.connect() as sa_conn:
                methods = dict(sa_conn.execute(sa.text(
                    'SELECT reason, pg_column_compression(raw) '
                    'FROM rejections')).all())
            stored = {r['reason']: r['raw'] for r in conn.rejections()}
        finally:
            conn.close()
    assert methods['before'] == 'pglz'
    assert methods['after'] in ('lz4', 'pglz')
    assert stored == {'before': 'a' * 30000, 'after': 'b' * 30000}
