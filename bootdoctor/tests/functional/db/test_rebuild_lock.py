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
