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


"""Deployment findings, collector heartbeats and emitted-notification marks.

- A finding is a deployment warning (for example notify_on_state_change
  is off): one row per key, counted each time it is seen again.
- A heartbeat is the last message time and message count per exchange,
  kept by the collectors for liveness reports.
- An emitted mark makes "notify once per boot per state" hold across
  several collectors: the first to insert the mark emits.
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite

from bootdoctor.db import exceptions
from bootdoctor.db import models
from bootdoctor.db import types
from bootdoctor.db import validation

F = models.findings
H = models.heartbeats
E = models.emitted

SEVERITIES = ('info', 'warning', 'error', 'critical')


def _iso(value):
    return value.isoformat() if value is not None else None


def record_finding(conn, key, severity, message, now):
    """Create the finding or count it again; update its text."""
    if severity not in SEVERITIES:
        raise exceptions.InvalidInput('finding %s: severity %r is not one '
                                      'of %s' % (key, severity,
                                                 ', '.join(SEVERITIES)))
    if not key or not isinstance(key, str) or not message:
        raise exceptions.InvalidInput('a finding needs a key and a message')
    validation.check_lengths(F, {'key': key}, 'finding')
    updated = conn.execute(
        sa.update(F).where(F.c.key == key).values(
            severity=severity, message=message, last_seen=now,
            count=F.c.count + 1)).rowcount
    if not updated:
        # A concurrent first insert raises DBDuplicateEntry; the caller
        # retries and then updates.
        conn.execute(sa.insert(F).values(
            key=key, severity=severity, message=message, first_seen=now,
            last_seen=now, count=1))


def clear_finding(conn, key):
    return conn.execute(sa.delete(F).where(F.c.key == key)).rowcount > 0


def list_findings(conn):
    rows = conn.execute(sa.select(F).order_by(F.c.key)).mappings()
    return [{'key': row['key'], 'severity': row['severity'],
             'message': row['message'],
             'first_seen': _iso(row['first_seen']),
             'last_seen': _iso(row['last_seen']), 'count': row['count']}
            for row in rows]


def heartbeat(conn, exchange, last_message_at, received=1):
    """Count ``received`` messages from ``exchange``; keep the newest time."""
    if not exchange or not isinstance(exchange, str):
        raise exceptions.InvalidInput('a heartbeat needs an exchange')
    if isinstance(received, bool) or not isinstance(received, int) or (
            received < 0):
        raise exceptions.InvalidInput('received must be a count')
    validation.check_lengths(H, {'exchange': exchange}, 'heartbeat')
    when = types.to_utc(last_message_at)
    when_bind = sa.bindparam(None, when, type_=H.c.last_message_at.type)
    newest = sa.case((H.c.last_message_at < when_bind, when_bind),
                     else_=H.c.last_message_at)
    updated = conn.execute(
        sa.update(H).where(H.c.exchange == exchange).values(
            last_message_at=newest,
            received=H.c.received + received)).rowcount
    if not updated:
        conn.execute(sa.insert(H).values(
            exchange=exchange, last_message_at=when, received=received))


def list_heartbeats(conn):
    rows = conn.execute(sa.select(H).order_by(H.c.exchange)).mappings()
    return [{'exchange': row['exchange'],
             'last_message_at': _iso(row['last_message_at']),
             'received': row['received']} for row in rows]


def mark_emitted_many(conn, pairs, now):
    """Insert the marks no writer holds yet; return the pairs inserted.

    One insert that skips held keys, its rows in key order, so that two
    writers marking the same boots queue rather than deadlock. A key
    another transaction inserted but has not committed makes the insert
    wait for it: of two writers, exactly one gets each mark.
    """
    for instance_uuid, state in pairs:
        if not instance_uuid or not state:
            raise exceptions.InvalidInput('an emitted mark needs an '
                                          'instance and a state')
    rows = [validation.check_lengths(E, {
        'instance_uuid': instance_uuid, 'state': state, 'emitted_at': now},
        'emitted mark') for instance_uuid, state in sorted(set(pairs))]
    insert = _insert_new(conn.dialect.name)
    if conn.dialect.insert_executemany_returning:
        # PostgreSQL, SQLite 3.35+, MariaDB 10.5+: one statement.
        return {(row.instance_uuid, row.state) for row in conn.execute(
            insert.returning(E.c.instance_uuid, E.c.state), rows)}
    # MySQL: no RETURNING; an insert per mark tells by its row count.
    return {(row['instance_uuid'], row['state']) for row in rows
            if conn.execute(insert, row).rowcount}


def _insert_new(dialect):
    """An insert into ``emitted`` that skips a key already there."""
    if dialect == 'postgresql':
        return postgresql.insert(E).on_conflict_do_nothing()
    if dialect == 'sqlite':
        return sqlite.insert(E).on_conflict_do_nothing()
    if dialect == 'mysql':
        return sa.insert(E).prefix_with('IGNORE')
    raise exceptions.InvalidInput('no insert that skips held keys on %s'
                                  % dialect)
