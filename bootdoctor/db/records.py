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


"""Boot records: save one, fetch one.

A record is stored as the JSON of ``BootRecord.to_dict()`` plus the
columns that filters, sorting and statistics read; the lists of records
are :mod:`bootdoctor.db.record_lists`. Functions here take a SQLAlchemy
connection inside a transaction.
"""

import sqlalchemy as sa

from bootdoctor.db import bulk
from bootdoctor.db import exceptions
from bootdoctor.db import listing
from bootdoctor.db import models
from bootdoctor.db import statements
from bootdoctor.db import types
from bootdoctor.db import validation

B = models.boots
P = models.boot_phases


def _timestamp(record, key, uuid):
    try:
        return types.to_utc(record.get(key))
    except (TypeError, ValueError):
        raise exceptions.InvalidInput('boot %s: %s %r is not ISO 8601'
                                      % (uuid, key, record.get(key)))


def _int(value, what, uuid):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise exceptions.InvalidInput('boot %s: %s %r is not a number'
                                      % (uuid, what, value))
    return value


def boot_row(record, observation_count=0):
    """The boots row for a record dict (BootRecord.to_dict())."""
    if not isinstance(record, dict):
        raise exceptions.InvalidInput('a boot record must be a dict, not %s'
                                      % type(record).__name__)
    uuid = record.get('instance_uuid')
    if not uuid or not isinstance(uuid, str):
        raise exceptions.InvalidInput('a boot record needs an instance_uuid')
    status = record.get('status')
    if status not in models.BOOT_STATUSES:
        raise exceptions.InvalidInput('boot %s: status %r is not one of %s'
                                      % (uuid, status,
                                         ', '.join(models.BOOT_STATUSES)))
    created = (_timestamp(record, 'created_at', uuid)
               or _timestamp(record, 'updated_at', uuid)
               or _timestamp(record, 'finished_at', uuid))
    if created is None:
        raise exceptions.InvalidInput('boot %s: no created_at, updated_at '
                                      'or finished_at' % uuid)
    root = record.get('root_cause') or {}
    item, has_traceback = listing.item(record)
    row = {
        'instance_uuid': uuid,
        'project_id': record.get('project_id'),
        'user_id': record.get('user_id'),
        'request_id': record.get('request_id'),
        'status': status,
        'phase': record.get('phase'),
        'step': _int(record.get('step'), 'step', uuid),
        'host': record.get('host'),
        'failed_step': _int(root.get('step'), 'root_cause.step', uuid),
        'failed_component': root.get('component'),
        'failed_host': root.get('host'),
        'created_at': created,
        'updated_at': _timestamp(record, 'updated_at', uuid) or created,
        'finished_at': _timestamp(record, 'finished_at', uuid),
        'duration_s': _int(record.get('duration_s'), 'duration_s', uuid),
        'observation_count': int(observation_count or 0),
        'record': record,
        'listing': item,
        'has_traceback': has_traceback,
    }
    return validation.check_lengths(B, row, 'boot %s' % uuid)


def phase_rows(row):
    """boot_phases rows: one per phase of the record with a duration."""
    result = []
    phases = row['record'].get('phases') or {}
    if not isinstance(phases, dict):
        raise exceptions.InvalidInput('boot %s: phases must be a mapping'
                                      % row['instance_uuid'])
    for name in sorted(phases):
        span = phases[name] or {}
        duration = span.get('duration_s') if isinstance(span, dict) else None
        if duration is None:
            continue
        result.append(validation.check_lengths(P, {
            'instance_uuid': row['instance_uuid'],
            'phase': name,
            'project_id': row['project_id'],
            'host': row['host'],
            'created_at': row['created_at'],
            'duration_s': _int(duration, 'phases.%s.duration_s' % name,
                               row['instance_uuid']),
        }, 'boot %s' % row['instance_uuid']))
    return result


def save(conn, records, observation_counts=None):
    """Insert or update records; return the instance_uuids written.

    With ``observation_counts`` ({instance_uuid: n}, the number of
    observations each record was built from), a stored record built from
    more observations is kept: when several collectors rebuild the same
    boot at once, the one that saw less does not overwrite the other.
    Without it, the last save wins.

    The stored rows are locked (SELECT ... FOR UPDATE) in instance order,
    so concurrent saves of the same boots queue instead of interleaving. A
    concurrent insert of the same new boot raises DBDuplicateEntry and the
    caller retries the transaction.
    """
    counts = observation_counts or {}
    rows = {}
    for record in records:
        row = boot_row(record, counts.get(
            record.get('instance_uuid') if isinstance(record, dict) else None,
            0))
        rows[row['instance_uuid']] = row
    if not rows:
        return []
    stored = {}
    for chunk in validation.chunks(sorted(rows)):
        query = (sa.select(B.c.instance_uuid, B.c.observation_count)
                 .where(B.c.instance_uuid.in_(chunk))
                 .order_by(B.c.instance_uuid).with_for_update())
        stored.update((uuid, n) for uuid, n in conn.execute(query))
    inserts, updates = [], []
    for uuid in sorted(rows):
        row = rows[uuid]
        if uuid not in stored:
            inserts.append(row)
        elif (row['observation_count'] == 0
              or row['observation_count'] >= stored[uuid]):
            updates.append(dict(row, _uuid=uuid))
    if inserts:
        conn.execute(sa.insert(B), inserts)
    if updates:
        values = {name: sa.bindparam(name) for name in B.c.keys()
                  if name != 'instance_uuid'}
        conn.execute(sa.update(B)
                     .where(B.c.instance_uuid == sa.bindparam('_uuid'))
                     .values(values), updates)
    written = [row['instance_uuid'] for row in inserts + updates]
    for chunk in validation.chunks(written):
        conn.execute(sa.delete(P).where(P.c.instance_uuid.in_(chunk)))
    phases = [p for uuid in written for p in phase_rows(rows[uuid])]
    bulk.insert(conn, P, phases)
    return sorted(written)


def get(conn, instance_uuid, project_id=None, decode=True):
    """The record dict, or None if unknown or in another project."""
    query = statements.cached(
        ('get', decode, project_id is not None),
        lambda: _by_uuid(record_column(decode), project_id is not None))
    row = conn.execute(query, {'instance_uuid': instance_uuid,
                               'project_id': project_id}).first()
    return row.record if row else None


def get_stored(conn, instance_uuid):
    """The row of project_id, has_traceback and record text, or None.

    has_traceback is None for rows saved before the column existed.
    """
    query = statements.cached('get stored', lambda: _by_uuid(
        [B.c.project_id, B.c.has_traceback, record_column(False)], False))
    return conn.execute(query, {'instance_uuid': instance_uuid}).first()


def exists(conn, instance_uuid, project_id=None):
    query = statements.cached(
        ('exists', project_id is not None),
        lambda: _by_uuid(B.c.instance_uuid, project_id is not None))
    return conn.execute(query, {'instance_uuid': instance_uuid,
                                'project_id': project_id}
                        ).first() is not None


def _by_uuid(columns, in_project):
    columns = columns if isinstance(columns, list) else [columns]
    query = sa.select(*columns).where(
        B.c.instance_uuid == sa.bindparam('instance_uuid'))
    if in_project:
        query = query.where(B.c.project_id == sa.bindparam('project_id'))
    return query


def record_column(decode):
    """The record column, or its stored JSON text if not ``decode``."""
    if decode:
        return B.c.record
    return sa.type_coerce(B.c.record, sa.Text()).label('record')
