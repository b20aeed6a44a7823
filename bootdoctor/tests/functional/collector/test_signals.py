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

"""A running collector and its signals: SIGUSR2, SIGHUP, SIGTERM."""

import re
import signal

from bootdoctor import simulator
from bootdoctor.tests.functional.collector import conftest
from bootdoctor.tests.functional.collector import process


def _section(output, pid):
    """The bootdoctor section of process ``pid``'s Guru Meditation."""
    start = output.rindex('Process %d, ' % pid)
    end = output.find('====', start)
    return output[start:end if end > 0 else None]


def test_sigusr2_prints_the_bootdoctor_section(tmp_path, names, sqlite_url):
    collector = process.CollectorProcess(str(tmp_path), names, sqlite_url)
    collector.start()
    boots = simulator.plan(3, ['no_valid_host', 'success', 'stall_spawning'],
                           seed=12)
    publisher = conftest.publisher(names)
    try:
        sent = publisher.publish(e for b in boots for e in b.emissions)
        conftest.wait_for_notifications(sqlite_url, sent)
        assert conftest.wait_until_expected(sqlite_url, boots) == {}
        worker = collector.worker_pids(1)[0]
        since = len(collector.output())
        collector.signal(signal.SIGUSR2, worker)
        output = collector.wait_for_output('Messages per exchange',
                                           since=since)
        worker_section = _section(output, worker)
        since = len(output)
        collector.signal(signal.SIGUSR2)
        output = collector.wait_for_output('Messages per exchange',
                                           since=since)
        master_section = _section(output, collector.pid)
    finally:
        publisher.close()
        assert collector.stop() == 0
    assert '====                      bootdoctor collector' in output
    for section in (worker_section, master_section):
        assert 'Pool: %s' % names.pool in section
        assert 'Targets: 8 (every exchange x topic)' in section
        assert 'Transport: rabbit://guest:***@' in section
        assert 'Deployment warnings:' in section
        assert 'Stuck boots' in section
        assert boots[2].instance_uuid in section
    assert 'worker 0' in worker_section
    assert 'received %d, processed %d, duplicates 0, rejected 0' % (
        sent, sent) in worker_section
    assert 'compute_task.build_instances.error' in worker_section
    # The worker froze what it held at start and raised the threshold.
    frozen = re.search(r'Garbage collector: thresholds 10000/\d+/\d+, '
                       r'(\d+) objects still frozen from the start',
                       worker_section)
    assert frozen and int(frozen.group(1)) > 10000, worker_section
    assert 'master of 1 worker(s)' in master_section
    # No secret anywhere in the report.
    assert 'guest:guest' not in output


def test_sighup_reloads_the_mutable_options(tmp_path, names, sqlite_url):
    collector = process.CollectorProcess(
        str(tmp_path), names, sqlite_url,
        options={'collector': {'workers': 2}})
    collector.start()
    try:
        with open(collector.config) as f:
            text = f.read()
        with open(collector.config, 'w') as f:
            f.write(text.replace('stuck_check_interval = 1',
                                 'stuck_check_interval = 17\n'
                                 'gc_threshold = 5000'))
        since = len(collector.output())
        collector.signal(signal.SIGHUP)
        # Each of the two workers reloads, and says so, in its own time.
        output = collector.wait_for_output('stuck search every 17 s',
                                           since=since, count=2)
        reloaded = output[since:].count('stuck search every 17 s')
        worker = collector.worker_pids(2)[0]
        since = len(output)
        collector.signal(signal.SIGUSR2, worker)
        output = collector.wait_for_output('Messages per exchange',
                                           since=since)
        section = _section(output, worker)
    finally:
        assert collector.stop() == 0
    assert reloaded == 2
    assert 'Garbage collector: thresholds 5000/' in section, section
