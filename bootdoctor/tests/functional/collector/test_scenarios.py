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

"""Every simulated scenario, through RabbitMQ, ends as the right record.

The simulator publishes with oslo.messaging Notifiers and the messagingv2
driver, one exchange per service, Nova on both topics; a real
bootdoctor-collector process consumes them into SQLite.
"""

import time

from bootdoctor.db import api
from bootdoctor import simulator
from bootdoctor.tests.functional.collector import conftest
from bootdoctor.tests.functional.collector import process
from bootdoctor.tests.functional.collector import rabbit


def test_every_scenario_ends_as_the_right_record(
        tmp_path, names, sqlite_url):
    collector = process.CollectorProcess(str(tmp_path), names, sqlite_url)
    collector.start()
    boots = simulator.plan(2 * len(simulator.SCENARIOS), 'mix', seed=101)
    publisher = conftest.publisher(names)
    try:
        sent = publisher.publish(
            e for _, e in simulator.interleave(boots, seed=5))
        stored = conftest.wait_for_notifications(sqlite_url, sent)
        wrong = conftest.wait_until_expected(sqlite_url, boots)
    finally:
        publisher.close()
        code = collector.stop()
    assert stored == sent
    assert wrong == {}
    assert code == 0
    connection = api.Connection(sqlite_url)
    assert connection.rejections() == []
    # The stuck and failed boots were announced, each once.
    failed = sum(b.expected['status'] == 'error' for b in boots)
    stuck = sum(b.scenario.stalls for b in boots)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        warn = rabbit.queue_state('%s.warn' % names.out_topic)
        error = rabbit.queue_state('%s.error' % names.out_topic)
        if warn and error and (warn[0], error[0]) == (stuck, failed):
            break
        time.sleep(0.2)
    assert (warn[0], error[0]) == (stuck, failed)
