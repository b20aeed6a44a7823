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

"""From stored observations to stored boot records: the one rebuild path.

The collector and ``bootdoctor-manage replay`` both store observations,
then call :func:`rebuild` for the instances they touched, so a boot record
is always the tracker's function of everything stored for that instance.

Collectors sharing a pool, or one collector's concurrent batches, may
rebuild the same boot at once. Each rebuild runs under the boots' locks in
storage (:meth:`bootdoctor.db.api.Connection.rebuild_many`, up to
``REBUILD_CHUNK`` boots in one transaction): the second writer reads every
observation the first had committed, so no record is ever saved from an
older view than the one before it.
"""

import datetime

from bootdoctor import tracker

# How long around a Glance image download a boot of that image may be to
# have received it: a build longer than this sees its download as another
# boot's.
DOWNLOAD_WINDOW = datetime.timedelta(hours=2)

# How many boots one rebuild transaction takes: a batch's boots share
# their locks, reads and commit; a replay of many boots holds no lock on
# more than this many at a time.
REBUILD_CHUNK = 100


def affected(connection, observations):
    """The instances whose records these new observations may change.

    Their own instances, and for an observation with no instance the boots
    the tracker may attach it to, so a record does not depend on whether
    such a message was stored before or after the boot's own: for a Glance
    image.send, the boots of that image and project that were spawning
    then; for a Keystone authentication, the boots of that user that
    started within the hour after it and before the user's next successful
    authentication (a boot takes only the latest one). Bounded by the
    boots in flight, not by the boots stored.
    """
    uuids = {o.instance_uuid for o in observations if o.instance_uuid}
    downloads, authentications = [], []
    for obs in observations:
        if obs.instance_uuid:
            continue
        if obs.kind == 'image.send' and obs.details.get('image_id'):
            downloads.append((obs.details['image_id'],
                              obs.details.get('receiver_project'),
                              obs.timestamp, DOWNLOAD_WINDOW))
        elif obs.kind == 'identity.authenticate' and obs.user_id:
            authentications.append((obs.user_id, obs.timestamp,
                                    tracker.builder.AUTH_WINDOW))
    if downloads or authentications:
        uuids |= connection.candidates(downloads, authentications)
    return uuids


def rebuild(connection, instance_uuids, *, now=None, deadlines=None):
    """Rebuild and save the records of these instances; returns them.

    Instances that Nova never reported building (a port event of a
    running server, say) get no record.
    """
    def build(own, related):
        if not tracker.is_boot(own):
            return None
        return tracker.build_record(own, now=now, deadlines=deadlines,
                                    related=related)

    records = []
    uuids = sorted(set(instance_uuids))
    for start in range(0, len(uuids), REBUILD_CHUNK):
        records += connection.rebuild_many(
            uuids[start:start + REBUILD_CHUNK], build, related_window)
    return records


def related_window(own):
    """Which related observations a boot may use, as reads of storage.

    ``[(image_ids, user_ids, since, until, kinds), ...]``: the downloads
    of its images from its first message to its last (the tracker counts
    a download only while the boot spawns), and its users'
    authentications from an hour before its first message to its last.
    Reading downloads over that hour too, or the downloads its users
    received, would read every download of a popular image in the hour,
    for every rebuild.
    """
    images = sorted({o.details.get('image_id') for o in own
                     if o.details.get('image_id')})
    users = sorted({o.user_id for o in own if o.user_id})
    first = min(o.timestamp for o in own)
    last = max(o.timestamp for o in own)
    return [(images, (), first, last, ('image.send',)),
            ((), users, first - tracker.builder.AUTH_WINDOW, last,
             ('identity.authenticate',))]
