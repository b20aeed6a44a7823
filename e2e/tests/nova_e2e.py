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

import dataclasses
import json
import os
import pathlib
import socket
import subprocess
import threading
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


@dataclasses.dataclass
class Received:
    """One notification as the collector got it."""
    message_id: str
    event_type: str
    parsed: object = None       # bootdoctor.notification.Parsed
    rejection: str = None       # ParseError reason


class Sink:
    """Thread-safe store the collector's endpoint feeds."""

    def __init__(self):
        self._cond = threading.Condition()
        self._items = {}

    def add(self, item):
        with self._cond:
            self._items.setdefault(item.message_id, item)
            self._cond.notify_all()

    def items(self):
        with self._cond:
            return dict(self._items)

    def wait_for(self, message_ids, timeout):
        """Wait until every id arrived; return the ids still missing."""
        wanted = set(message_ids)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                missing = wanted - self._items.keys()
                left = deadline - time.monotonic()
                if not missing or left <= 0:
                    return missing
                self._cond.wait(left)


class Collector:
    """A notification listener on the run's exchange feeding a Sink.

    It uses bootdoctor's parser on every message, as the collector
    service does, and keeps the parse result or the rejection reason.
    """

    TOPICS = ('notifications', 'versioned_notifications')

    def __init__(self, exchange, pool):
        self.exchange = exchange
        self.pool = pool
        self.sink = Sink()
        self._listener = None
        self._transport = None

    def start(self):
        from oslo_config import cfg
        import oslo_messaging

        conf = cfg.ConfigOpts()
        conf([], project='bootdoctor-e2e')
        self._transport = oslo_messaging.get_notification_transport(
            conf, url=TRANSPORT_URL)
        targets = [oslo_messaging.Target(exchange=self.exchange, topic=topic)
                   for topic in self.TOPICS]
        self._listener = oslo_messaging.get_notification_listener(
            self._transport, targets, [_Endpoint(self.sink)],
            pool=self.pool, allow_requeue=False)
        self._listener.start()

    def stop(self):
        if self._listener is not None:
            self._listener.stop()
            self._listener.wait()
            self._listener = None
        if self._transport is not None:
            self._transport.cleanup()
            self._transport = None
        _delete_broker_objects(queue=self.pool, exchange=self.exchange)


class _Endpoint:
    def __init__(self, sink):
        self._sink = sink

    def _handle(self, priority, ctxt, publisher_id, event_type, payload,
                metadata):
        import oslo_messaging

        from bootdoctor import notification

        item = Received(message_id=metadata.get('message_id'),
                        event_type=event_type)
        try:
            item.parsed = notification.parse_listener(
                ctxt, publisher_id, event_type, payload, metadata, priority)
        except notification.ParseError as exc:
            item.rejection = exc.reason
        self._sink.add(item)
        return oslo_messaging.NotificationResult.HANDLED

    def audit(self, *args):
        return self._handle('AUDIT', *args)

    def critical(self, *args):
        return self._handle('CRITICAL', *args)

    def debug(self, *args):
        return self._handle('DEBUG', *args)

    def error(self, *args):
        return self._handle('ERROR', *args)

    def info(self, *args):
        return self._handle('INFO', *args)

    def sample(self, *args):
        return self._handle('SAMPLE', *args)

    def warn(self, *args):
        return self._handle('WARN', *args)


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
