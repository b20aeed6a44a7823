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

"""Rebuilding many boots in one transaction, on every backend.

A batch rebuild must give each boot exactly the record a rebuild of that
boot alone gives: the same own observations and the same related ones,
although the related reads of all the boots are merged into a few.
"""

import datetime
import random

import pytest
import sqlalchemy as sa

from bootdoctor.db import api
from bootdoctor.db import exceptions
from bootdoctor.db import models
from bootdoctor.db import observations
from bootdoctor import notification
from bootdoctor import pipeline
from bootdoctor import simulator
from bootdoctor.tests.unit.db import fakes
from bootdoctor import tracker

START = datetime.datetime(2031, 2, 3, 4, 0, tzinfo=datetime.timezone.utc)
NOW = START + datetime.timedelta(hours=3)


def _build(own, related):
    if not tracker.is_boot(own):
        return None
    return tracker.build_record(own, now=NOW, related=related)


def _store_mix(connection, boots=12, seed=5):
    """A simulator mix (downloads and authentications included)."""
    plan = simulator.plan(boots, 'mix', seed=seed, start=START)
    parsed = []
    for number, (_, emission) in enumerate(simulator.interleave(plan,
                                                                seed=seed)):
        parsed.append(notification.parse(simulator.listener_view(
            emission, message_id='r-%05d' % number,
            timestamp=START + datetime.timedelta(milliseconds=300 * number))))
    connection.add_observations(parsed)
    return sorted({b.instance_uuid for b in plan})


class RebuildCases:

    def test_a_batch_gives_each_boot_its_own_record(self, connection):
        uuids = _store_mix(connection)
        alone = {}
        for uuid in uuids:
            record = connection.rebuild(uuid, _build, pipeline.related_window)
            alone[uuid] = record.to_dict()
        together = connection.rebuild_many(uuids, _build,
                                           pipeline.related_window)
        assert [r.instance_uuid for r in together] == uuids
        assert {r.instance_uuid: r.to_dict() for r in together} == alone
        # Glance downloads (related, instance-less messages) were used,
        # so the merge of related reads was exercised.
        assert any('image.send' in ' '.join(step['evidence'])
                   for r in alone.values() for step in r['steps']
                   if step['number'] == 19)
        for uuid in uuids:
            assert connection.get_record(uuid) == alone[uuid]

    def test_boots_without_a_build_get_no_record(self, connection):
        port_only = fakes.obs('p1', fakes.uuid(77), kind='port.create.end',
                              seconds=1)
        connection.add_observations([fakes.parsed(port_only)])
        assert connection.rebuild_many(
            [fakes.uuid(77), fakes.uuid(78)], _build,
            pipeline.related_window) == []
        assert connection.rebuild_many([], _build,
                                       pipeline.related_window) == []
        assert connection.get_record(fakes.uuid(77)) is None
        assert connection.get_record(fakes.uuid(78)) is None

    def test_merged_related_reads_equal_one_read_per_boot(self, connection):
        rng = random.Random(11)  # nosec B311  # test data
        stored = []
        for n in range(120):
            seconds = rng.randrange(0, 7200)
            if rng.random() < 0.5:
                stored.append(fakes.obs(
                    'g%d' % n, None, kind='image.send', seconds=seconds,
                    user_id=None, project_id=None,
                    details={'image_id': 'img-%d' % rng.randrange(4)}))
            else:
                stored.append(fakes.obs(
                    'k%d' % n, None, kind='identity.authenticate',
                    seconds=seconds, user_id='user-%d' % rng.randrange(4),
                    project_id=None))
        connection.add_observations([fakes.parsed(o) for o in stored])
        windows = {}
        for key in range(30):
            since = fakes.T0 + datetime.timedelta(
                seconds=rng.randrange(-600, 7200))
            until = since + datetime.timedelta(seconds=rng.randrange(0, 1800))
            images = {'img-%d' % rng.randrange(5)
                      for _ in range(rng.randrange(3))}
            users = {'user-%d' % rng.randrange(5)
                     for _ in range(rng.randrange(3))}
            kinds = rng.choice([None, ('image.send',),
                                ('identity.authenticate',)])
            windows[key] = [(images, (), since, until, kinds),
                            ((), users, since, until, kinds)]
        with connection._read() as conn:
            merged = observations.related_many(conn, windows)
            for key, reads in windows.items():
                expected = []
                for images, users, since, until, kinds in reads:
                    expected += observations.related(
                        conn, images, users, since, until, kinds=kinds)
                unique = {(o.message_id, o.instance_uuid): o
                          for o in expected}
                assert merged[key] == sorted(unique.values(),
                                             key=lambda o: o.sort_key())
        assert any(merged.values())

    @pytest.fixture
    def twin(self, connection):
        """Another Connection on the same database, keeping decodings."""
        twin = api.Connection(
            connection.engine.url.render_as_string(hide_password=False),
            decoded_cache=10000)
        yield twin
        twin.close()

    def test_kept_decodings_give_the_same_records(self, connection, twin):
        uuids = _store_mix(connection)
        plain = {r.instance_uuid: r.to_dict() for r in connection.rebuild_many(
            uuids, _build, pipeline.related_window)}
        # The first rebuild decodes every row, the second none.
        for round_ in range(2):
            kept = twin.rebuild_many(uuids, _build, pipeline.related_window)
            assert {r.instance_uuid: r.to_dict() for r in kept} == plain
        assert twin.decoded.misses == len(twin.decoded)
        assert twin.decoded.hits >= twin.decoded.misses

    def test_stored_observations_are_kept_decoded(self, twin):
        uuids = _store_mix(twin)
        kept = len(twin.decoded)
        assert kept > 0
        records = twin.rebuild_many(uuids, _build, pipeline.related_window)
        assert records and twin.decoded.misses == 0
        assert len(twin.decoded) == kept

    def test_a_kept_decoding_of_a_deleted_row_is_not_used(self, connection,
                                                          twin):
        first = fakes.obs('m1', fakes.uuid(5), seconds=1)
        second = fakes.obs('m2', fakes.uuid(5), seconds=2)
        twin.add_observations([fakes.parsed(first), fakes.parsed(second)])
        assert len(twin.decoded) == 2
        # As purge does: the row goes, its decoding stays kept.
        with connection.engine.begin() as conn:
            conn.execute(sa.delete(models.observations).where(
                models.observations.c.message_id == 'm1'))
        with twin._read() as conn:
            found = observations.for_instances(conn, [fakes.uuid(5)],
                                               twin.decoded)
        assert found == {fakes.uuid(5): [second]}

    def test_a_failed_store_keeps_nothing(self, twin):
        good = fakes.obs('m1', fakes.uuid(5), seconds=1)
        bad = fakes.obs('m2', fakes.uuid(5), seconds=2, kind='x' * 65)
        with pytest.raises(exceptions.InvalidInput):
            twin.add_observations([fakes.parsed(good), fakes.parsed(bad)])
        assert len(twin.decoded) == 0
        assert twin.observations_for(fakes.uuid(5)) == []
