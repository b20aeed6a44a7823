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

"""Run the Nova driver and collect what it published, for the e2e tests.

The Nova side (``e2e/novastack``) runs in its own virtualenv as a
subprocess; this side runs in bootdoctor's and consumes, over RabbitMQ,
everything the driver's Nova published to a per-run exchange.
"""

import json
import os
import pathlib
import socket
import subprocess
import time
import uuid

E2E_DIR = pathlib.Path(__file__).resolve().parent.parent
REPO_DIR = E2E_DIR.parent
BROKER_HOST = '127.0.0.1'
BROKER_PORT = 5672
TRANSPORT_URL = 'rabbit://guest:guest@%s:%d/' % (BROKER_HOST, BROKER_PORT)
STAMP = '.bootdoctor-e2e-stamp'
DRIVER_TIMEOUT = 1800
RECEIVE_TIMEOUT = 120


def nova_venv():
    """The Nova virtualenv directory (``NOVA_VENV`` or ``.venv-nova``)."""
    return pathlib.Path(os.environ.get('NOVA_VENV') or
                        REPO_DIR / '.venv-nova')


def nova_venv_problem():
    """Why the Nova virtualenv cannot be used, or None."""
    venv = nova_venv()
    if not (venv / STAMP).is_file():
        return ('the Nova virtualenv %s is missing or incomplete; build it '
                'with e2e/build-nova-venv.sh' % venv)
    return None


def broker_problem():
    """Why RabbitMQ cannot be used, or None."""
    try:
        with socket.create_connection((BROKER_HOST, BROKER_PORT), timeout=2):
            return None
    except OSError as exc:
        return 'RabbitMQ is not reachable on %s:%d (%s)' % (
            BROKER_HOST, BROKER_PORT, exc)


def list_scenarios():
    """The scenario names the driver knows, in its order."""
    out = subprocess.run(
        [str(nova_venv() / 'bin' / 'python'), '-m', 'novastack.run',
         '--list'],
        cwd=E2E_DIR, env=_driver_env(), capture_output=True, text=True,
        timeout=300, check=True).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def _driver_env():
    env = dict(os.environ)
    env['PYTHONPATH'] = str(E2E_DIR)
    env.pop('VIRTUAL_ENV', None)
    return env


def run_driver(scenarios, exchange, workdir):
    """Run the driver for ``scenarios``; return (exit code, result dict).

    Nova's output goes to ``workdir/driver.log`` and each scenario's Nova
    log to ``workdir/logs/<scenario>.log``.
    """
    output = workdir / 'nova-result.json'
    with open(workdir / 'driver.log', 'w') as log:
        proc = subprocess.run(
            [str(nova_venv() / 'bin' / 'python'), '-m', 'novastack.run',
             '--transport-url', TRANSPORT_URL, '--exchange', exchange,
             '--output', str(output), '--log-dir', str(workdir / 'logs')]
            + list(scenarios),
            cwd=E2E_DIR, env=_driver_env(), stdout=log,
            stderr=subprocess.STDOUT, timeout=DRIVER_TIMEOUT)
    result = json.loads(output.read_text()) if output.exists() else None
    return proc.returncode, result


class Collector:
    """bootdoctor's collector listening to the run's exchange.

    This is the collector service's own worker
    (:class:`bootdoctor.collector.service.Collector`: the oslo.messaging
    batch listener, the event type filter, the batch processor, storage
    and record rebuilds) on a SQLite database of the run, with its own
    pool on the run's exchange only. It sends no notifications of its own.
    """

    POLL = 0.2

    def __init__(self, exchange, pool, workdir):
        self.exchange = exchange
        self.pool = pool
        self.db_url = 'sqlite:///%s' % (workdir / 'bootdoctor.sqlite')
        self.connection = None
        self._collector = None

    def start(self):
        from bootdoctor.collector import service
        from bootdoctor import conf as bootdoctor_conf
        from bootdoctor.db import api as db_api
        from bootdoctor.notification import listener

        conf = bootdoctor_conf.new_conf()
        listener.register_opts(conf)
        conf([], project='bootdoctor', default_config_files=[])
        conf.set_override('exchanges', [self.exchange], group='collector')
        conf.set_override('pool', self.pool, group='collector')
        conf.set_override('emit_notifications', False, group='collector')
        conf.set_override('transport_url', TRANSPORT_URL,
                          group='oslo_messaging_notifications')
        self.connection = db_api.Connection(self.db_url)
        self.connection.upgrade()
        self._collector = service.Collector(conf, connection=self.connection)
        self._collector.start()

    def stored_message_ids(self, instance_uuids):
        """Message ids stored for these instances, or rejected."""
        ids = {obs.message_id for uuid in instance_uuids
               for obs in self.connection.observations_for(uuid)}
        ids.update(r['message_id'] for r in self.rejections())
        return ids

    def rejections(self):
        return self.connection.rejections(limit=None)

    def wait_for(self, messages, timeout):
        """Wait until every message is stored; return the missing ids.

        ``messages`` are send log entries (``message_id``,
        ``instance_uuid``).
        """
        wanted = {m['message_id'] for m in messages}
        uuids = {m['instance_uuid'] for m in messages}
        deadline = time.monotonic() + timeout
        while True:
            missing = wanted - self.stored_message_ids(uuids)
            if not missing or time.monotonic() >= deadline:
                return missing
            time.sleep(self.POLL)

    def stop(self):
        if self._collector is not None:
            self._collector.stop()
            self._collector = None
        _delete_broker_objects(queue=self.pool, exchange=self.exchange)


def listened_event_types():
    """The event types bootdoctor's collector lets through its filter."""
    from bootdoctor import notification

    return frozenset(notification.event_types())


def expected_messages(sent):
    """What the collector must store of what the driver sent.

    That is every notification about an instance whose event type the
    collector listens for.
    """
    types = listened_event_types()
    return [m for m in sent
            if m['instance_uuid'] and m['event_type'] in types]


def _delete_broker_objects(queue, exchange):
    """Remove the run's queue and exchange from the broker."""
    import kombu

    with kombu.Connection('amqp://guest:guest@%s:%d//'
                          % (BROKER_HOST, BROKER_PORT)) as conn:
        channel = conn.channel()
        channel.queue_delete(queue)
        channel.exchange_delete(exchange)


def new_exchange():
    name = 'bootdoctor-e2e-%s' % uuid.uuid4().hex[:12]
    return name, name
