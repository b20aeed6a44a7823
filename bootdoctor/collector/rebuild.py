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

"""Rebuild boot records safely while other collectors do the same.

:func:`bootdoctor.pipeline.rebuild` is the one rebuild path; this adds
what concurrent writers need. Collectors sharing a pool (or one collector's
concurrent batches) may rebuild the same boot at once: each saves the
number of observations its record was built from, and the storage keeps
the record built from more, so a writer that read fewer observations
never overwrites a newer record (:func:`bootdoctor.db.records.save`).
Observations are only ever added, so more means newer.
"""

from bootdoctor import pipeline
from bootdoctor import tracker


def rebuild(connection, instance_uuids, *, now=None, deadlines=None):
    """Rebuild and save these instances' records; return the records."""
    records, counts = [], {}
    for uuid in sorted(set(instance_uuids)):
        own = connection.observations_for(uuid)
        if not tracker.is_boot(own):
            continue
        related = pipeline._related(connection, own)
        record = tracker.build_record(own, now=now, deadlines=deadlines,
                                      related=related)
        records.append(record)
        counts[uuid] = len(own)
    if records:
        connection.save_records([r.to_dict() for r in records],
                                observation_counts=counts)
    return records
