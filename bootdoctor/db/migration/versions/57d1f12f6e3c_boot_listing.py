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


"""Each boot row holds its list item, so a list decodes no whole record.

Adds boots.listing (the record as GET /v1/boots lists it, tracebacks
null) and boots.has_traceback. Both are NULL in the rows already stored:
those are listed from their record, as before, until the collector
rebuilds them, so the upgrade adds two columns and reads no row.

Revision ID: 57d1f12f6e3c
Revises: 7d2e4b9c1a05
Create Date: 2026-12-03 12:45:00
"""

from alembic import op
import sqlalchemy as sa

from bootdoctor.db import types

revision = '57d1f12f6e3c'
down_revision = '7d2e4b9c1a05'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('boots', sa.Column('listing', types.JSONText(),
                                     nullable=True))
    op.add_column('boots', sa.Column('has_traceback', sa.Boolean(),
                                     nullable=True))
