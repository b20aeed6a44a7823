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

"""A lock row per boot; find the boots a related observation touches.

Concurrent rebuilds of one boot serialise on its lock row. The image and
user indexes find the boots that a newly stored Glance image.send or
Keystone authentication may belong to, so their records are rebuilt.

Revision ID: 7d2e4b9c1a05
Revises: 3c9f1a2e5b7d
Create Date: 2026-11-25 10:45:00
"""

from alembic import op
import sqlalchemy as sa

revision = '7d2e4b9c1a05'
down_revision = '3c9f1a2e5b7d'
branch_labels = None
depends_on = None

_MYSQL = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4',
          'mysql_collate': 'utf8mb4_bin'}


def upgrade():
    op.create_table(
        'boot_locks',
        sa.Column('instance_uuid', sa.String(36), primary_key=True),
        **_MYSQL)
    op.create_index('ix_observations_image_time', 'observations',
                    ['image_id', 'timestamp'])
    op.create_index('ix_observations_user_time', 'observations',
                    ['user_id', 'timestamp'])
