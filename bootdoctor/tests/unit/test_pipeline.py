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

"""The store-then-rebuild path: records independent of arrival order.

A boot's Glance download carries no instance; whether it is stored before
the boot's own messages, between them or after all of them, the stored
record must be the same, and must count it (step 19).
"""

import datetime

import pytest

from bootdoctor.db import api
from bootdoctor import notification
from bootdoctor import pipeline
from bootdoctor import simulator

START = datetime.datetime(2030, 5, 17, 12, 0, tzinfo=datetime.timezone.utc)
NOW = START + datetime.timedelta(hours=2)


def _messages(seed=7):
    boots = simulator.plan(3, 'success', seed=seed, start=START)
    views = []
    for number, (_, emission) in enumerate(simulator.interleave(boots,
                                                                seed=seed)):
        views.append(simulator.listener_view(
            emission, message_id='m-%04d' % number,
            timestamp=START + datetime.timedelta(milliseconds=50 * number)))
    return boots, [notification.parse(v) for v in views]


def _store(parsed_batches, tmp_path, name):
    connection = api.Connection('sqlite:///%s' % (tmp_path / name))
    connection.upgrade()
    for batch in parsed_batches:
        connection.add_observations(batch)
        pipeline.rebuild(connection, pipeline.affected(
            connection, [o for p in batch for o in p.observations]),
            now=NOW)
    return connection


def _is_download(parsed):
    return parsed.event_type == 'image.send'


@pytest.mark.parametrize('where', ['first', 'last', 'alone'])
def test_a_download_counts_wherever_it_arrives(tmp_path, where):
    boots, parsed = _messages()
    assert any(_is_download(p) for p in parsed)
    in_order = _store([parsed[i:i + 10] for i in range(0, len(parsed), 10)],
                      tmp_path, 'in-order.sqlite')
    downloads = [p for p in parsed if _is_download(p)]
    others = [p for p in parsed if not _is_download(p)]
    batches = {'first': [downloads, others],
               'last': [others, downloads],
               'alone': [[p] for p in others] + [[p] for p in downloads]}
    moved = _store(batches[where], tmp_path, 'moved.sqlite')
    for boot in boots:
        want = in_order.get_record(boot.instance_uuid)
        assert want['steps'][18]['state'] == 'observed', want['steps'][18]
        assert moved.get_record(boot.instance_uuid) == want
