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
