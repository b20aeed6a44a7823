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


"""The bootdoctor schema, as SQLAlchemy Core tables.

The alembic migrations in :mod:`bootdoctor.db.migration` create exactly
this schema; a functional test compares the two on every backend.

Design notes:

- Raw notifications are kept (``notifications``) so that a boot record
  can always be rebuilt from them. ``observations`` holds what parsing
  made of them, keyed by ``(message_id, instance_uuid)``; an observation
  with no instance (Glance image.send, Keystone authenticate) uses ''
  because a NULL in a unique key lets MySQL and PostgreSQL store
  duplicates.
- ``boots`` holds one row per instance: the record as JSON plus the
  columns that lists, filters and statistics need. Every list index ends
  with ``(created_at, instance_uuid)`` (or the other sort key) so that a
  filtered list sorted by creation time is an index range scan and keyset
  pagination by ``(created_at, instance_uuid)`` never sorts.
- ``boot_phases`` holds each finished phase's duration with the boot's
  creation time, project and host copied in, so that percentiles over a
  time window read one covering index range and no JSON.
- JSON is text (:class:`bootdoctor.db.types.JSONText`) on all three
  databases, so all three store and return the same documents.
"""

import sqlalchemy as sa

from bootdoctor.db import types

UUID_LEN = 36
ID_LEN = 64
HOST_LEN = 255
MESSAGE_ID_LEN = 255
EVENT_TYPE_LEN = 255
REASON_LEN = 1024
SOURCE_LEN = 255
# Raw text kept for a rejected message, in characters.
RAW_LIMIT = 65536

# An observation with no instance is stored with this instance_uuid.
NO_INSTANCE = ''

BOOT_STATUSES = ('building', 'active', 'error', 'stuck', 'deleted')
# Boots with a root cause: the ones counted as failures in statistics.
FAILED_STATUSES = ('error', 'stuck')

metadata = sa.MetaData()

_MYSQL = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4',
          'mysql_collate': 'utf8mb4_bin'}

notifications = sa.Table(
    'notifications', metadata,
    sa.Column('message_id', sa.String(MESSAGE_ID_LEN), primary_key=True),
    sa.Column('event_type', sa.String(EVENT_TYPE_LEN), nullable=False),
    sa.Column('publisher_id', sa.String(HOST_LEN), nullable=True),
    sa.Column('priority', sa.String(16), nullable=True),
    sa.Column('timestamp', types.UTCDateTime(), nullable=False),
    sa.Column('received_at', types.UTCDateTime(), nullable=False),
    # The canonical message from parsing: message_id, event_type,
    # publisher_id, priority, timestamp, payload, ctxt.
    sa.Column('message', types.JSONText(), nullable=False),
    sa.Index('ix_notifications_timestamp', 'timestamp'),
    **_MYSQL)

observations = sa.Table(
    'observations', metadata,
    sa.Column('message_id', sa.String(MESSAGE_ID_LEN), primary_key=True),
    sa.Column('instance_uuid', sa.String(UUID_LEN), primary_key=True,
              default=NO_INSTANCE),
    sa.Column('kind', sa.String(64), nullable=False),
    sa.Column('source', sa.String(32), nullable=False),
    sa.Column('timestamp', types.UTCDateTime(), nullable=False),
    # Keys that find related observations (no instance) for a boot.
    sa.Column('image_id', sa.String(ID_LEN), nullable=True),
    sa.Column('user_id', sa.String(ID_LEN), nullable=True),
    sa.Column('project_id', sa.String(ID_LEN), nullable=True),
    # Observation.to_dict()
    sa.Column('data', types.JSONText(), nullable=False),
    # Serves observations_for(uuid) too, by its prefix.
    sa.Index('ix_observations_instance_image', 'instance_uuid', 'image_id',
             'timestamp'),
    sa.Index('ix_observations_instance_user', 'instance_uuid', 'user_id',
             'timestamp'),
    # Retention: old observations of no (longer any) boot.
    sa.Index('ix_observations_timestamp', 'timestamp'),
    # The boots a newly stored related observation may belong to.
    sa.Index('ix_observations_image_time', 'image_id', 'timestamp'),
    # The same for the usual download, whose receiving project is known:
    # one project's boots of the image, not every project's.
    sa.Index('ix_observations_image_project_time', 'image_id',
             'project_id', 'timestamp'),
    sa.Index('ix_observations_user_time', 'user_id', 'timestamp'),
    **_MYSQL)

boots = sa.Table(
    'boots', metadata,
    sa.Column('instance_uuid', sa.String(UUID_LEN), primary_key=True),
    sa.Column('project_id', sa.String(ID_LEN), nullable=True),
    sa.Column('user_id', sa.String(ID_LEN), nullable=True),
    sa.Column('request_id', sa.String(ID_LEN), nullable=True),
    sa.Column('status', sa.String(16), nullable=False),
    sa.Column('phase', sa.String(32), nullable=True),
    sa.Column('step', sa.Integer(), nullable=True),
    sa.Column('host', sa.String(HOST_LEN), nullable=True),
    # From root_cause: where a failed or stuck boot went wrong.
    sa.Column('failed_step', sa.Integer(), nullable=True),
    sa.Column('failed_component', sa.String(64), nullable=True),
    sa.Column('failed_host', sa.String(HOST_LEN), nullable=True),
    sa.Column('created_at', types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', types.UTCDateTime(), nullable=False),
    sa.Column('finished_at', types.UTCDateTime(), nullable=True),
    sa.Column('duration_s', sa.Double(), nullable=True),
    # How many observations the record was built from; a record built
    # from fewer never overwrites one built from more (several collectors).
    sa.Column('observation_count', sa.Integer(), nullable=False,
              default=0),
    # BootRecord.to_dict()
    sa.Column('record', types.JSONText(), nullable=False),
    # The record as GET /v1/boots lists it, tracebacks null, and whether
    # the record had tracebacks (bootdoctor.db.listing). NULL in rows
    # stored before the column existed, until their boot is rebuilt.
    sa.Column('listing', types.JSONText(), nullable=True),
    sa.Column('has_traceback', sa.Boolean(), nullable=True),
    sa.Index('ix_boots_created', 'created_at', 'instance_uuid'),
    sa.Index('ix_boots_updated', 'updated_at', 'instance_uuid'),
    sa.Index('ix_boots_status_created', 'status', 'created_at',
             'instance_uuid'),
    sa.Index('ix_boots_project_created', 'project_id', 'created_at',
             'instance_uuid'),
    sa.Index('ix_boots_project_status_created', 'project_id', 'status',
             'created_at', 'instance_uuid'),
    sa.Index('ix_boots_host_created', 'host', 'created_at',
             'instance_uuid'),
    sa.Index('ix_boots_component_created', 'failed_component',
             'created_at', 'instance_uuid'),
    # Sorting by duration reads finished boots from this index, then the
    # unfinished ones (NULL) by instance_uuid.
    sa.Index('ix_boots_duration', 'duration_s', 'instance_uuid'),
    sa.Index('ix_boots_request_id', 'request_id'),
    **_MYSQL)

boot_phases = sa.Table(
    'boot_phases', metadata,
    sa.Column('instance_uuid', sa.String(UUID_LEN), primary_key=True),
    sa.Column('phase', sa.String(32), primary_key=True),
    sa.Column('project_id', sa.String(ID_LEN), nullable=True),
    sa.Column('host', sa.String(HOST_LEN), nullable=True),
    sa.Column('created_at', types.UTCDateTime(), nullable=False),
    sa.Column('duration_s', sa.Double(), nullable=False),
    # Covering indexes: percentiles over a window are index-only scans
    # that return the rows grouped by phase (the query names every phase).
    sa.Index('ix_boot_phases_phase_created', 'phase', 'created_at', 'host',
             'duration_s'),
    sa.Index('ix_boot_phases_project_phase_created', 'project_id', 'phase',
             'created_at', 'host', 'duration_s'),
    **_MYSQL)

rejections = sa.Table(
    'rejections', metadata,
    sa.Column('id', types.BigId, primary_key=True, autoincrement=True),
    sa.Column('received_at', types.UTCDateTime(), nullable=False),
    sa.Column('message_id', sa.String(MESSAGE_ID_LEN), nullable=True),
    sa.Column('reason', sa.String(REASON_LEN), nullable=False),
    # Where it came from: 'exchange nova topic notifications.info',
    # 'file stream.jsonl line 3'.
    sa.Column('source', sa.String(SOURCE_LEN), nullable=True),
    sa.Column('raw', types.LongText, nullable=True),
    sa.Index('ix_rejections_received', 'received_at'),
    **_MYSQL)

findings = sa.Table(
    'findings', metadata,
    sa.Column('key', sa.String(255), primary_key=True),
    sa.Column('severity', sa.String(16), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('first_seen', types.UTCDateTime(), nullable=False),
    sa.Column('last_seen', types.UTCDateTime(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False, default=1),
    **_MYSQL)

heartbeats = sa.Table(
    'heartbeats', metadata,
    sa.Column('exchange', sa.String(255), primary_key=True),
    sa.Column('last_message_at', types.UTCDateTime(), nullable=False),
    sa.Column('received', sa.BigInteger(), nullable=False, default=0),
    **_MYSQL)

emitted = sa.Table(
    'emitted', metadata,
    sa.Column('instance_uuid', sa.String(UUID_LEN), primary_key=True),
    sa.Column('state', sa.String(32), primary_key=True),
    sa.Column('emitted_at', types.UTCDateTime(), nullable=False),
    **_MYSQL)

# One row per instance whose record has been rebuilt: the row a rebuild
# locks (SELECT ... FOR UPDATE) while it reads the observations and saves
# the record, so that of two writers rebuilding one boot the second reads
# everything the first had committed (see Connection.rebuild).
boot_locks = sa.Table(
    'boot_locks', metadata,
    sa.Column('instance_uuid', sa.String(UUID_LEN), primary_key=True),
    **_MYSQL)
