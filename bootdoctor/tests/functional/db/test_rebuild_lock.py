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

"""Two writers rebuilding one boot: the stored record sees both.

Each writer stores its own observation, then rebuilds. Without the boot
lock, both can read before either commits its record and the last save
wins with a record built without the other's observation; with it, the
second rebuild reads everything the first had committed.
"""

import threading
import time

from bootdoctor import pipeline
from bootdoctor.tests.unit.db import fakes
from bootdoctor import tracker


def test_concurrent_rebuilds_keep_every_observation(connection):
    uuid = fakes.uuid(4242)
    connection.add_observations([fakes.parsed(fakes.obs(
        'start', uuid, kind='instance.create.start', seconds=0,
        state='building'))])
    first_is_building = threading.Event()

    def slow_build(own, related):
        # Hold the first rebuild open while the second writer stores and
        # rebuilds: the second must wait for the lock, then see all.
        first_is_building.set()
        time.sleep(0.5)
        return tracker.build_record(own, related=related)

    def first():
        connection.add_observations([fakes.parsed(fakes.obs(
            'update', uuid, seconds=1, state='building',
            task_state='networking'))])
        connection.rebuild(uuid, slow_build, pipeline.related_window)

    def second():
        first_is_building.wait(10)
        connection.add_observations([fakes.parsed(fakes.obs(
            'end', uuid, kind='instance.create.end', seconds=2,
            state='active', host='compute1'))])
        pipeline.rebuild(connection, [uuid])

    threads = [threading.Thread(target=first),
               threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    record = connection.get_record(uuid)
    assert record['status'] == 'active'
    assert len(connection.observations_for(uuid)) == 3
    assert record == pipeline.rebuild(connection, [uuid])[0].to_dict()


def test_overlapping_batch_rebuilds_all_succeed(connection):
    # Two writers rebuild overlapping sets of boots, each given in its own
    # order, both creating the boots' lock rows at first: they queue on
    # the locks (taken in instance order), a lost race to create a lock
    # row is retried, and neither writer sees an error.
    uuids = [fakes.uuid(5000 + n) for n in range(40)]
    connection.add_observations([fakes.parsed(fakes.obs(
        'start-%d' % n, uuid, kind='instance.create.start', seconds=n,
        state='building')) for n, uuid in enumerate(uuids)])
    errors = []

    def writer(order, rounds=15):
        try:
            for _ in range(rounds):
                connection.rebuild_many(order, _slowly,
                                        pipeline.related_window)
        except Exception as exc:  # noqa: reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(uuids[:30],)),
               threading.Thread(target=writer,
                                args=(list(reversed(uuids[10:])),))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    assert not any(thread.is_alive() for thread in threads)
    for uuid in uuids:
        assert connection.get_record(uuid)['status'] == 'building'


def _slowly(own, related):
    time.sleep(0.002)
    return tracker.build_record(own, related=related)
