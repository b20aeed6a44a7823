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


"""Retention: delete boots and their evidence older than a cutoff.

Each function deletes one batch in the caller's transaction and returns
what it deleted, so that a large purge is many short transactions instead
of one that locks the tables for minutes.

What goes:

- boots last updated before the cutoff, with their observations, phase
  durations and emitted-notification marks;
- observations before the cutoff that belong to no boot (related
  Glance/Keystone observations, events of instances never tracked);
- raw notifications before the cutoff left with no observation;
- rejections received before the cutoff.
"""

import sqlalchemy as sa

from bootdoctor.db import models
from bootdoctor.db import validation

B = models.boots
OBS = models.observations
N = models.notifications


def _delete_notifications(conn, message_ids):
    """Delete those of ``message_ids`` no observation refers to."""
    deleted = 0
    for chunk in validation.chunks(sorted(set(message_ids))):
        referenced = sa.exists().where(OBS.c.message_id == N.c.message_id)
        deleted += conn.execute(sa.delete(N).where(
            N.c.message_id.in_(chunk), ~referenced)).rowcount
    return deleted


def _delete_observations(conn, keys):
    if keys:
        conn.execute(
            sa.delete(OBS).where(OBS.c.message_id == sa.bindparam('m'),
                                 OBS.c.instance_uuid == sa.bindparam('i')),
            [{'m': m, 'i': i} for m, i in keys])
    return len(keys)


def boots_batch(conn, cutoff, batch):
    """Delete up to ``batch`` boots updated before ``cutoff``."""
    uuids = list(conn.execute(
        sa.select(B.c.instance_uuid).where(B.c.updated_at < cutoff)
        .order_by(B.c.updated_at, B.c.instance_uuid).limit(batch)
    ).scalars())
    counts = {'boots': 0, 'observations': 0, 'notifications': 0}
    if not uuids:
        return counts
    keys = list(conn.execute(
        sa.select(OBS.c.message_id, OBS.c.instance_uuid)
        .where(OBS.c.instance_uuid.in_(uuids))).tuples())
    counts['observations'] = _delete_observations(conn, keys)
    counts['notifications'] = _delete_notifications(
        conn, [m for m, _ in keys])
    for table in (models.boot_phases, models.emitted, models.boot_locks):
        conn.execute(sa.delete(table).where(
            table.c.instance_uuid.in_(uuids)))
    counts['boots'] = conn.execute(sa.delete(B).where(
        B.c.instance_uuid.in_(uuids))).rowcount
    return counts


def orphans_batch(conn, cutoff, batch):
    """Delete old observations of no boot and unreferenced notifications.

    At most ``batch`` of each, older than ``cutoff``.
    """
    no_boot = ~sa.exists().where(B.c.instance_uuid == OBS.c.instance_uuid)
    keys = list(conn.execute(
        sa.select(OBS.c.message_id, OBS.c.instance_uuid)
        .where(OBS.c.timestamp < cutoff, no_boot)
        .order_by(OBS.c.timestamp).limit(batch)).tuples())
    counts = {'observations': _delete_observations(conn, keys)}
    unreferenced = ~sa.exists().where(OBS.c.message_id == N.c.message_id)
    message_ids = {m for m, _ in keys}
    message_ids.update(conn.execute(
        sa.select(N.c.message_id).where(N.c.timestamp < cutoff,
                                        unreferenced)
        .order_by(N.c.timestamp).limit(batch)).scalars())
    counts['notifications'] = _delete_notifications(conn, message_ids)
    return counts


def rejections_batch(conn, cutoff, batch):
    """Delete up to ``batch`` rejections received before ``cutoff``."""
    R = models.rejections
    ids = list(conn.execute(
        sa.select(R.c.id).where(R.c.received_at < cutoff)
        .order_by(R.c.id).limit(batch)).scalars())
    if not ids:
        return {'rejections': 0}
    return {'rejections': conn.execute(
        sa.delete(R).where(R.c.id.in_(ids))).rowcount}
