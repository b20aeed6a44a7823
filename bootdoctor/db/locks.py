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

"""Per-boot row locks for rebuilding a record."""

import sqlalchemy as sa

from bootdoctor.db import models
from bootdoctor.db import validation

L = models.boot_locks


def lock_many(conn, instance_uuids):
    """Lock these boots' rows in instance order until the transaction ends.

    Every writer takes its boots' locks in the same (sorted) order, so two
    writers rebuilding overlapping sets of boots queue instead of
    deadlocking. A boot's row is created the first time; a concurrent
    creator loses with a duplicate-key error and the caller's retry starts
    over. On SQLite the write transaction (BEGIN IMMEDIATE) already excludes
    other writers and FOR UPDATE is not emitted.
    """
    uuids = sorted(set(instance_uuids))
    for chunk in validation.chunks(uuids):
        query = (sa.select(L.c.instance_uuid)
                 .where(L.c.instance_uuid.in_(chunk))
                 .order_by(L.c.instance_uuid).with_for_update())
        found = set(conn.execute(query).scalars())
        missing = [u for u in chunk if u not in found]
        if missing:
            conn.execute(sa.insert(L), [{'instance_uuid': u}
                                        for u in missing])
            conn.execute(query.where(
                L.c.instance_uuid.in_(missing))).all()
