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


"""The initial schema: notifications, observations, boots and friends.

See :mod:`bootdoctor.db.models` for what each table and index is for.

Revision ID: 3c9f1a2e5b7d
Revises:
Create Date: 2025-01-01 00:00:00
"""

from alembic import op
import sqlalchemy as sa

from bootdoctor.db import types

revision = '3c9f1a2e5b7d'
down_revision = None
branch_labels = None
depends_on = None

_MYSQL = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4',
          'mysql_collate': 'utf8mb4_bin'}


def upgrade():
    op.create_table(
        'notifications',
        sa.Column('message_id', sa.String(255), primary_key=True),
        sa.Column('event_type', sa.String(255), nullable=False),
        sa.Column('publisher_id', sa.String(255), nullable=True),
        sa.Column('priority', sa.String(16), nullable=True),
        sa.Column('timestamp', types.UTCDateTime(), nullable=False),
        sa.Column('received_at', types.UTCDateTime(), nullable=False),
        sa.Column('message', types.JSONText(), nullable=False),
        **_MYSQL)
    op.create_index('ix_notifications_timestamp', 'notifications',
                    ['timestamp'])

    op.create_table(
        'observations',
        sa.Column('message_id', sa.String(255), primary_key=True),
        sa.Column('instance_uuid', sa.String(36), primary_key=True),
        sa.Column('kind', sa.String(64), nullable=False),
        sa.Column('source', sa.String(32), nullable=False),
        sa.Column('timestamp', types.UTCDateTime(), nullable=False),
        sa.Column('image_id', sa.String(64), nullable=True),
        sa.Column('user_id', sa.String(64), nullable=True),
        sa.Column('project_id', sa.String(64), nullable=True),
        sa.Column('data', types.JSONText(), nullable=False),
        **_MYSQL)
    op.create_index('ix_observations_instance_image', 'observations',
                    ['instance_uuid', 'image_id', 'timestamp'])
    op.create_index('ix_observations_instance_user', 'observations',
                    ['instance_uuid', 'user_id', 'timestamp'])
    op.create_index('ix_observations_timestamp', 'observations',
                    ['timestamp'])

    op.create_table(
        'boots',
        sa.Column('instance_uuid', sa.String(36), primary_key=True),
        sa.Column('project_id', sa.String(64), nullable=True),
        sa.Column('user_id', sa.String(64), nullable=True),
        sa.Column('request_id', sa.String(64), nullable=True),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('phase', sa.String(32), nullable=True),
        sa.Column('step', sa.Integer(), nullable=True),
        sa.Column('host', sa.String(255), nullable=True),
        sa.Column('failed_step', sa.Integer(), nullable=True),
        sa.Column('failed_component', sa.String(64), nullable=True),
        sa.Column('failed_host', sa.String(255), nullable=True),
        sa.Column('created_at', types.UTCDateTime(), nullable=False),
        sa.Column('updated_at', types.UTCDateTime(), nullable=False),
        sa.Column('finished_at', types.UTCDateTime(), nullable=True),
        sa.Column('duration_s', sa.Double(), nullable=True),
        sa.Column('observation_count', sa.Integer(), nullable=False),
        sa.Column('record', types.JSONText(), nullable=False),
        **_MYSQL)
    for name, columns in (
            ('ix_boots_created', ['created_at', 'instance_uuid']),
            ('ix_boots_updated', ['updated_at', 'instance_uuid']),
            ('ix_boots_status_created',
             ['status', 'created_at', 'instance_uuid']),
            ('ix_boots_project_created',
             ['project_id', 'created_at', 'instance_uuid']),
            ('ix_boots_project_status_created',
             ['project_id', 'status', 'created_at', 'instance_uuid']),
            ('ix_boots_host_created', ['host', 'created_at',
                                       'instance_uuid']),
            ('ix_boots_component_created',
             ['failed_component', 'created_at', 'instance_uuid']),
            ('ix_boots_duration', ['duration_s', 'instance_uuid']),
            ('ix_boots_request_id', ['request_id'])):
        op.create_index(name, 'boots', columns)

    op.create_table(
        'boot_phases',
        sa.Column('instance_uuid', sa.String(36), primary_key=True),
        sa.Column('phase', sa.String(32), primary_key=True),
        sa.Column('project_id', sa.String(64), nullable=True),
        sa.Column('host', sa.String(255), nullable=True),
        sa.Column('created_at', types.UTCDateTime(), nullable=False),
        sa.Column('duration_s', sa.Double(), nullable=False),
        **_MYSQL)
    op.create_index('ix_boot_phases_phase_created', 'boot_phases',
                    ['phase', 'created_at', 'host', 'duration_s'])
    op.create_index('ix_boot_phases_project_phase_created', 'boot_phases',
                    ['project_id', 'phase', 'created_at', 'host',
                     'duration_s'])

    op.create_table(
        'rejections',
        sa.Column('id', types.BigId, primary_key=True, autoincrement=True),
        sa.Column('received_at', types.UTCDateTime(), nullable=False),
        sa.Column('message_id', sa.String(255), nullable=True),
        sa.Column('reason', sa.String(1024), nullable=False),
        sa.Column('source', sa.String(255), nullable=True),
        sa.Column('raw', types.LongText, nullable=True),
        **_MYSQL)
    op.create_index('ix_rejections_received', 'rejections', ['received_at'])

    op.create_table(
        'findings',
        sa.Column('key', sa.String(255), primary_key=True),
        sa.Column('severity', sa.String(16), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('first_seen', types.UTCDateTime(), nullable=False),
        sa.Column('last_seen', types.UTCDateTime(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        **_MYSQL)

    op.create_table(
        'heartbeats',
        sa.Column('exchange', sa.String(255), primary_key=True),
        sa.Column('last_message_at', types.UTCDateTime(), nullable=False),
        sa.Column('received', sa.BigInteger(), nullable=False),
        **_MYSQL)

    op.create_table(
        'emitted',
        sa.Column('instance_uuid', sa.String(36), primary_key=True),
        sa.Column('state', sa.String(32), primary_key=True),
        sa.Column('emitted_at', types.UTCDateTime(), nullable=False),
        **_MYSQL)
