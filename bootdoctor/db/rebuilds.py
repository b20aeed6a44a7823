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

"""Rebuilding boot records from stored observations, many at a time.

The transaction a :class:`bootdoctor.db.api.Connection` opens for
:meth:`~bootdoctor.db.api.Connection.rebuild_many` runs :func:`rebuild`:
lock the boots (in instance order, so writers queue and never deadlock),
read all their observations in one query and their related observations
in one query per run of overlapping windows, build each record in Python,
and save them all at once. A batch of notifications naming twenty boots
thus costs a handful of statements and one commit, not twenty of each.
"""

from bootdoctor.db import locks
from bootdoctor.db import observations
from bootdoctor.db import records


def rebuild(conn, instance_uuids, build, related_window, cache=None):
    """Rebuild and save these boots' records; return them, in uuid order.

    :param build: ``callable(own, related) -> BootRecord or None``.
    :param related_window: ``callable(own) -> [(image_ids, user_ids,
        since, until, kinds), ...]`` (see
        :func:`bootdoctor.db.observations.related`).
    :param cache: a :class:`bootdoctor.db.decoded.DecodedObservations`,
        or None.
    """
    uuids = sorted(set(instance_uuids))
    if not uuids:
        return []
    locks.lock_many(conn, uuids)
    own = {uuid: obs for uuid, obs in
           observations.for_instances(conn, uuids, cache).items() if obs}
    related = observations.related_many(
        conn, {uuid: related_window(obs) for uuid, obs in own.items()},
        cache)
    built, counts = [], {}
    for uuid in sorted(own):
        record = build(own[uuid], related[uuid])
        if record is not None:
            built.append(record)
            counts[uuid] = len(own[uuid])
    if built:
        records.save(conn, [record.to_dict() for record in built], counts)
    return built
