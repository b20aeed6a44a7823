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

"""A real bootdoctor-collector process, started from a config file."""

import os
import shutil
import signal
import subprocess
import sys
import time

import psutil

from bootdoctor.tests.functional.collector import rabbit

# Short deadlines and searches, so stalls turn stuck within a test.
FAST = {
    'collector': {'stuck_check_interval': 1, 'batch_timeout': 0.2,
                  'requeue_backoff': 0.2, 'requeue_backoff_max': 2},
    'tracker': {'scheduling_deadline': 3, 'networking_deadline': 3,
                'block_device_mapping_deadline': 3, 'spawning_deadline': 3},
}


def _command():
    found = shutil.which('bootdoctor-collector',
                         path=os.path.dirname(sys.executable))
    if found:
        return [found]
    return [sys.executable, '-m', 'bootdoctor.cmd.collector']


class CollectorProcess:
    """``bootdoctor-collector --config-file <dir>/collector.conf``.

    :param names: the test's rabbit.Names.
    :param database: the SQLAlchemy URL.
    :param options: {group: {option: value}} over FAST.
    """

    def __init__(self, directory, names, database, options=None,
                 pool=None, name='collector'):
        self.directory = directory
        self.names = names
        self.pool = pool or names.pool
        self.name = name
        self.config = os.path.join(directory, '%s.conf' % name)
        self.log = os.path.join(directory, '%s.log' % name)
        groups = {group: dict(values) for group, values in FAST.items()}
        for group, values in (options or {}).items():
            groups.setdefault(group, {}).update(values)
        groups.setdefault('DEFAULT', {}).update(
            state_path=directory, control_exchange=names.out_exchange,
            debug=False)
        groups.setdefault('database', {})['connection'] = database
        groups.setdefault('oslo_messaging_notifications', {}).update(
            transport_url=rabbit.URL, topics=names.out_topic)
        groups['collector'].update(
            exchanges=','.join(names.exchanges.values()),
            topics=','.join(names.topics.values()), pool=self.pool)
        with open(self.config, 'w') as f:
            for group, values in groups.items():
                f.write('[%s]\n' % group)
                for key, value in values.items():
                    f.write('%s = %s\n' % (key, value))
        self.process = None

    def start(self, wait=True, consumers=None):
        log = open(self.log, 'a')
        self.process = subprocess.Popen(
            _command() + ['--config-file', self.config], stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        if wait:
            workers = consumers or self.workers()
            rabbit.wait_for_consumers(self.pool, workers)
        return self

    def workers(self):
        with open(self.config) as f:
            for line in f:
                if line.startswith('workers = '):
                    return int(line.split('=')[1])
        return 1

    @property
    def pid(self):
        return self.process.pid

    def worker_pids(self, count=None, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            children = psutil.Process(self.pid).children()
            if len(children) >= (count or 1) or (
                    time.monotonic() > deadline):
                return [c.pid for c in children]
            time.sleep(0.2)

    def signal(self, signum, pid=None):
        os.kill(pid or self.pid, signum)

    def stop(self, timeout=90):
        """SIGTERM and wait; returns the exit code."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise

    def kill(self):
        """kill -9 the master and every worker at once."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.pid, signal.SIGKILL)
        self.process.wait(30)

    def output(self):
        with open(self.log, errors='replace') as f:
            return f.read()

    def wait_for_output(self, text, timeout=30, since=0, count=1):
        """The log once ``text`` is in it ``count`` times after
        ``since``.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            output = self.output()
            if output[since:].count(text) >= count:
                return output
            time.sleep(0.2)
        raise AssertionError('%r not %d times in the %s log:\n%s' % (
            text, count, self.name, self.output()[-3000:]))
