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

"""Compress the JSON columns with LZ4 on PostgreSQL.

A stored notification is about 2.5 kB of JSON and a boot record about
10 kB: both pass PostgreSQL's 2 kB TOAST threshold, so every insert of a
notification and every save of a record is compressed, by default with
pglz. LZ4 compresses several times faster for a few per cent more bytes;
in the collector's CPU benchmark the PostgreSQL backend's CPU per
notification fell by about a tenth.

Only values written after the upgrade are compressed with LZ4 (the
upgrade rewrites no row; PostgreSQL reads either kind). PostgreSQL
before 14, or one built without LZ4, keeps pglz; MySQL, MariaDB and
SQLite are not changed.

Revision ID: c41d7e2a9f58
Revises: 9b4e2c7d1f36
Create Date: 2026-12-06 17:50:00
"""

from alembic import op
import sqlalchemy as sa

revision = 'c41d7e2a9f58'
down_revision = '9b4e2c7d1f36'
branch_labels = None
depends_on = None


# The JSON text columns that hold more than a few hundred bytes.
COLUMNS = (('notifications', 'message'), ('observations', 'data'),
           ('boots', 'record'), ('boots', 'listing'), ('rejections', 'raw'))


def lz4_available(conn):
    """Whether this PostgreSQL can compress a column with LZ4."""
    enumvals = conn.execute(sa.text(
        "SELECT enumvals FROM pg_settings "
        "WHERE name = 'default_toast_compression'")).scalar()
    return bool(enumvals) and 'lz4' in enumvals


def upgrade():
    conn = op.get_bind()
    if conn.dialect.name != 'postgresql' or not lz4_available(conn):
        return
    for table, column in COLUMNS:
        op.execute('ALTER TABLE %s ALTER COLUMN %s SET COMPRESSION lz4'
                   % (table, column))
