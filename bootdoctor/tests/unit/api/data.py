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

"""Boot data for the API tests: real streams, then copies in two projects.

The recorded Nova streams in bootdoctor/tests/data/samples/recorded/ go
through the real path (parse, store, rebuild), so those boots have their
events and raw notifications. Copies of their records, with new instance
UUIDs, projects and creation times, fill two projects with enough boots
to filter and page through.
"""

import copy
import datetime
import glob
import os
import uuid

from bootdoctor.db import api as db_api
from bootdoctor import notification
from bootdoctor import pipeline

SAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), 'data', 'samples', 'recorded')
# The copies are created one minute apart from this time on.
BASE_TIME = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.timezone.utc)
COPIES_PER_PROJECT = 12


def streams():
    return sorted(glob.glob(os.path.join(SAMPLES, '*.jsonl')))


def load_stream(connection, path):
    """Store one stream through the real pipeline; return its boots."""
    parsed = []
    for _line, item in notification.read_messages(path):
        if isinstance(item, notification.ParseError):
            continue
        parsed.append(notification.parse(item))
    new = connection.add_observations(parsed)
    uuids = {o.instance_uuid for o in new if o.instance_uuid}
    now = max(o.timestamp for o in new)
    return [r.to_dict() for r in pipeline.rebuild(connection, uuids,
                                                  now=now)]


def _shift(value, delta):
    if value is None:
        return None
    return (datetime.datetime.fromisoformat(value) + delta).isoformat()


def copy_record(record, instance_uuid, project_id, created_at, host=None):
    """The record as if it were another instance's, created later."""
    result = copy.deepcopy(record)
    delta = created_at - datetime.datetime.fromisoformat(
        record['created_at'])
    result['instance_uuid'] = instance_uuid
    result['project_id'] = project_id
    for key in ('created_at', 'updated_at', 'finished_at'):
        result[key] = _shift(result.get(key), delta)
    for attempt in result.get('attempts') or ():
        for key in ('started_at', 'ended_at'):
            attempt[key] = _shift(attempt.get(key), delta)
    for span in (result.get('phases') or {}).values():
        for key in ('started_at', 'ended_at'):
            span[key] = _shift(span.get(key), delta)
    for step in result.get('steps') or ():
        step['at'] = _shift(step.get('at'), delta)
    if host is not None:
        result['host'] = host
    return result


class Dataset:
    """What was stored, for the tests to compare against."""

    def __init__(self, url, project_a, project_b):
        self.url = url
        self.project_a = project_a
        self.project_b = project_b
        self.samples = []      # real boots, in their own project
        self.records = {}      # instance_uuid -> stored record

    @property
    def sample_project(self):
        return self.samples[0]['project_id']

    def of_project(self, project_id):
        return [r for r in self.records.values()
                if r['project_id'] == project_id]

    def phase_durations(self):
        """{phase: [duration_s]} of every stored record."""
        result = {}
        for record in self.records.values():
            for name, span in (record.get('phases') or {}).items():
                if (span or {}).get('duration_s') is not None:
                    result.setdefault(name, []).append(span['duration_s'])
        return result

    def with_traceback(self):
        """A real boot whose fault has a traceback."""
        for record in self.samples:
            if (record.get('fault') or {}).get('traceback'):
                return record
        raise LookupError('no sample boot with a traceback')


def load_in_project(dataset, project_id, directory):
    """Store the recorded streams again, as boots of ``project_id``.

    The streams are rewritten (the samples' project and instance UUIDs
    replaced) into ``directory`` and go through the real pipeline, so
    these boots have events and raw notifications that the project's own
    users may list. Returns their records, also added to the dataset.
    """
    connection = db_api.Connection(dataset.url)
    loaded = []
    try:
        for path in streams():
            with open(path, encoding='utf-8') as f:
                text = f.read().replace(dataset.sample_project, project_id)
            for sample in dataset.samples:
                text = text.replace(sample['instance_uuid'], str(
                    uuid.uuid5(uuid.NAMESPACE_URL, '%s/%s' % (
                        project_id, sample['instance_uuid']))))
            copy_path = os.path.join(directory, os.path.basename(path))
            with open(copy_path, 'w', encoding='utf-8') as f:
                f.write(text)
            for record in load_stream(connection, copy_path):
                dataset.records[record['instance_uuid']] = record
                loaded.append(record)
    finally:
        connection.close()
    return loaded


def build(url, project_a, project_b):
    """Store the samples and their copies in the database at ``url``."""
    connection = db_api.Connection(url)
    connection.upgrade()
    dataset = Dataset(url, project_a, project_b)
    for path in streams():
        dataset.samples.extend(load_stream(connection, path))
    copies = []
    for p_index, project in enumerate((project_a, project_b)):
        for i in range(COPIES_PER_PROJECT):
            source = dataset.samples[i % len(dataset.samples)]
            created = BASE_TIME + datetime.timedelta(
                minutes=i, seconds=p_index)
            copies.append(copy_record(
                source, str(uuid.uuid5(uuid.NAMESPACE_URL,
                                       '%s/%d' % (project, i))),
                project, created, host='compute%d' % (i % 3)))
    connection.save_records(copies)
    for record in dataset.samples + copies:
        dataset.records[record['instance_uuid']] = record
    connection.close()
    return dataset
