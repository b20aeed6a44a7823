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

"""Planner statistics of bootdoctor's tables where nothing else keeps them.

Every lookup of the collector (is this message stored, what are this
boot's observations, which boots are locked) is an index lookup only if
PostgreSQL's planner knows how many rows the tables hold. Autovacuum
analyzes a table once 50 rows plus a tenth of it have changed; with
``autovacuum = off`` nothing does, the planner keeps guessing from an
empty table and, past a few tens of thousands of notifications, reads
every observation for each batch: the collector slows as history grows.

:func:`analyze_stale` does what autoanalyze would, for bootdoctor's own
tables and only when autovacuum is off: the collector's periodic task
calls it. On MySQL/MariaDB (InnoDB keeps its statistics itself) and
SQLite it does nothing.
"""

import sqlalchemy as sa

from bootdoctor.db import models

# autovacuum_analyze_threshold and autovacuum_analyze_scale_factor, as
# PostgreSQL's defaults.
THRESHOLD = 50
SCALE_FACTOR = 0.1

_STALE = sa.text(
    'SELECT s.relname, s.n_mod_since_analyze, c.reltuples '
    'FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid '
    'WHERE s.schemaname = current_schema() AND s.relname IN :names'
).bindparams(sa.bindparam('names', expanding=True))


def autovacuum_on(conn):
    return conn.exec_driver_sql('SHOW autovacuum').scalar() == 'on'


def stale_tables(conn, threshold=THRESHOLD, scale_factor=SCALE_FACTOR):
    """bootdoctor's tables changed by more than autoanalyze lets pass."""
    names = sorted(models.metadata.tables)
    stale = []
    for name, changed, tuples in conn.execute(_STALE, {'names': names}):
        if changed > threshold + scale_factor * max(tuples, 0):
            stale.append(name)
    return sorted(stale)


def analyze_stale(engine):
    """ANALYZE the stale tables when autovacuum is off; return their names.

    ``engine`` is a SQLAlchemy engine. Returns ``[]`` where there is
    nothing to do: another database, or autovacuum on.
    """
    if engine.dialect.name != 'postgresql':
        return []
    with engine.connect() as conn:
        if autovacuum_on(conn):
            return []
        tables = stale_tables(conn)
    if tables:
        with engine.connect().execution_options(
                isolation_level='AUTOCOMMIT') as conn:
            for name in tables:
                conn.exec_driver_sql(
                    'ANALYZE %s' % conn.dialect.identifier_preparer.quote(
                        name))
    return tables
