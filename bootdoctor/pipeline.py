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
"""

from bootdoctor import tracker

# Related observations (Glance image.send, Keystone authentications) are
# looked up in this window around a boot; the tracker keeps the matching
# ones.
RELATED_KINDS = ('image.send', 'identity.authenticate')


def rebuild(connection, instance_uuids, *, now=None, deadlines=None):
    """Rebuild and save the records of these instances; returns them."""
    records = []
    for uuid in sorted(set(instance_uuids)):
        own = connection.observations_for(uuid)
        if not tracker.is_boot(own):
            continue
        related = _related(connection, own)
        records.append(tracker.build_record(own, now=now,
                                            deadlines=deadlines,
                                            related=related))
    if records:
        connection.save_records([r.to_dict() for r in records])
    return records


def _related(connection, own):
    images = sorted({o.details.get('image_id') for o in own
                     if o.details.get('image_id')})
    users = sorted({o.user_id for o in own if o.user_id})
    since = min(o.timestamp for o in own) - tracker.builder.AUTH_WINDOW
    until = max(o.timestamp for o in own)
    return connection.related_for(images, users, since, until)
