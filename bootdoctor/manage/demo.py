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

"""bootdoctor-manage demo: the whole thing on the embedded default.

A collector and a SQLite database in a temporary directory, fed by the
notification simulator: through RabbitMQ at the configured URL when it
answers, else through oslo.messaging's in-process fake transport. On a
real broker the demo uses exchanges, topics and a pool of its own (named
``bootdoctor-demo-<tag>-...``) and deletes them afterwards, so no real
consumer ever sees a simulated boot. Then it prints the boots and the
diagnosis of the failed and stuck ones.
"""

import json
import logging
import shutil
import socket
import sys
import tempfile
import time
import uuid

import kombu
from oslo_config import cfg
import oslo_messaging
import prettytable

from bootdoctor.collector import service as collector_service
from bootdoctor.db import api as db_api
from bootdoctor.notification import listener
from bootdoctor import report
from bootdoctor import simulator

DEFAULT_URL = 'rabbit://guest:guest@127.0.0.1:5672/'
FAKE_URL = 'fake://'
PRIORITIES = ('audit', 'debug', 'info', 'warn', 'error', 'critical',
              'sample')


def add_parsers(subparsers):
    parser = subparsers.add_parser(
        'demo',
        help='Run bootdoctor end to end on the embedded default: a '
             'collector and a SQLite database in a temporary directory, '
             'fed by the notification simulator through RabbitMQ when it '
             'answers (else the in-process fake transport); print the '
             'boots and the diagnosis of the failed and stuck ones.')
    parser.add_argument('--transport-url', metavar='URL',
                        help='The broker to try. Default: '
                             '[oslo_messaging_notifications] transport_url, '
                             'else [DEFAULT] transport_url, else %s.'
                             % DEFAULT_URL)
    parser.add_argument('--fake', action='store_true',
                        help='Use the in-process fake transport without '
                             'trying a broker.')
    parser.add_argument('--boots', type=int, default=0, metavar='N',
                        help='How many boots; default one of each '
                             'scenario.')
    parser.add_argument('--seed', type=int, default=1, metavar='S',
                        help='Make the boots reproducible (default 1).')
    parser.add_argument('--deadline', type=int, default=3, metavar='SEC',
                        help='Phase deadline for this demo, so that the '
                             'silent stalls turn stuck within seconds '
                             '(default 3; production defaults are 300 to '
                             '600, see [tracker]).')
    parser.add_argument('--format', choices=('table', 'json'),
                        default='table', help='Output format.')
    parser.add_argument('--keep', action='store_true',
                        help='Keep the temporary directory (database and '
                             'nothing else) and print its path.')
    parser.set_defaults(func=demo_command)


def configured_url(conf):
    """The configured notification URL; oslo's bare default means local."""
    url = listener.configured_url(conf)
    return DEFAULT_URL if url in (None, '', 'rabbit://') else url


def amqp_urls(url):
    """kombu URLs for the hosts of an oslo.messaging rabbit:// URL."""
    parsed = oslo_messaging.TransportURL.parse(cfg.ConfigOpts(), url)
    if parsed.transport not in ('rabbit', 'kombu', 'amqp'):
        return []
    vhost = parsed.virtual_host or '/'
    return ['amqp://%s:%s@%s:%s/%s' % (
        host.username or 'guest', host.password or 'guest',
        host.hostname or '127.0.0.1', host.port or 5672, vhost)
        for host in parsed.hosts or [oslo_messaging.TransportHost()]]


def broker_answers(url, timeout=3):
    """None if a broker of ``url`` accepts a login, else why not."""
    try:
        candidates = amqp_urls(url)
    except Exception as exc:  # noqa: any unparsable URL
        return 'cannot parse the transport URL (%s)' % exc
    if not candidates:
        return 'not a RabbitMQ URL'
    reason = None
    for amqp in candidates:
        try:
            with kombu.Connection(amqp, connect_timeout=timeout) as conn:
                conn.ensure_connection(max_retries=1, timeout=timeout)
            return None
        except (OSError, socket.timeout, Exception) as exc:  # noqa
            reason = str(exc) or exc.__class__.__name__
    return reason


class Names:
    """The demo's own exchanges, topics and pool."""

    def __init__(self):
        self.tag = 'bootdoctor-demo-%s' % uuid.uuid4().hex[:8]
        self.exchanges = {s: '%s-%s' % (self.tag, s)
                          for s in ('nova', 'neutron', 'cinder', 'glance')}
        self.topics = {'notifications': '%s-notifications' % self.tag,
                       'versioned_notifications': '%s-versioned' % self.tag}
        self.out_exchange = '%s-bootdoctor' % self.tag
        self.out_topic = '%s-out' % self.tag

    def cleanup(self, url):
        """Delete the demo's queues and exchanges from the broker."""
        queues = [self.tag] + ['%s.%s' % (topic, priority)
                               for topic in list(self.topics.values()) +
                               [self.out_topic] for priority in PRIORITIES]
        exchanges = list(self.exchanges.values()) + [self.out_exchange]
        for amqp in amqp_urls(url):
            try:
                with kombu.Connection(amqp, connect_timeout=3) as conn:
                    channel = conn.channel()
                    for queue in queues:
                        channel.queue_delete(queue)
                    for exchange in exchanges:
                        channel.exchange_delete(exchange)
                return
            # Cleaning up the demo's queues is best effort: a host that
            # fails is skipped for the next one, the demo has ended.
            except Exception:  # noqa  # nosec B112  # see above
                continue


def _configure(conf, names, url, database, deadline):
    listener.register_opts(conf)
    conf.set_override('connection', database, group='database')
    conf.set_override('transport_url', url,
                      group='oslo_messaging_notifications')
    conf.set_override('topics', [names.out_topic],
                      group='oslo_messaging_notifications')
    conf.set_override('control_exchange', names.out_exchange)
    conf.set_override('exchanges', list(names.exchanges.values()),
                      group='collector')
    conf.set_override('topics', list(names.topics.values()),
                      group='collector')
    conf.set_override('pool', names.tag, group='collector')
    conf.set_override('workers', 1, group='collector')
    conf.set_override('batch_timeout', 0.2, group='collector')
    conf.set_override('stuck_check_interval', 1, group='collector')
    for phase in ('scheduling', 'networking', 'block_device_mapping',
                  'spawning'):
        conf.set_override('%s_deadline' % phase, deadline, group='tracker')


def demo_command(conf, out=None):
    out = out or sys.stdout
    args = conf.command
    if args.deadline < 1 or args.boots < 0:
        print('error: --deadline must be at least 1 and --boots positive',
              file=sys.stderr)
        return 2
    url = FAKE_URL
    names = Names()
    if not args.fake:
        wanted = args.transport_url or configured_url(conf)
        why = broker_answers(wanted)
        if why is None:
            url = wanted
            say(out, 'Using RabbitMQ at %s (exchanges, topics and pool '
                'named %s-*, deleted afterwards).'
                % (listener.mask_url(wanted), names.tag))
        else:
            say(out, 'RabbitMQ at %s does not answer (%s): using '
                'oslo.messaging\'s in-process fake:// transport.'
                % (listener.mask_url(wanted), why))
    else:
        say(out, 'Using oslo.messaging\'s in-process fake:// transport.')
    logger = logging.getLogger('bootdoctor')
    level = logger.level
    if not conf.debug:
        # The collector's own log lines would drown the demo's output.
        logger.setLevel(logging.ERROR)
    workdir = tempfile.mkdtemp(prefix='bootdoctor-demo-')
    try:
        return _run(conf, args, url, names, workdir, out)
    finally:
        logger.setLevel(level)
        if url != FAKE_URL:
            names.cleanup(url)
        if args.keep:
            say(out, 'Kept %s' % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def say(out, text):
    print(text, file=out)
    out.flush()


def _run(conf, args, url, names, workdir, out):
    database = 'sqlite:///%s/bootdoctor.sqlite' % workdir
    _configure(conf, names, url, database, args.deadline)
    connection = db_api.Connection(database)
    connection.upgrade()
    say(out, 'Database: %s' % database)
    count = args.boots or len(simulator.SCENARIOS)
    boots = simulator.plan(count, simulator.MIX, seed=args.seed)
    collector = collector_service.Collector(conf, connection=connection)
    collector.start()
    publisher = simulator.Publisher(url, exchanges=names.exchanges,
                                    topics=names.topics)
    try:
        started = time.monotonic()
        sent = publisher.publish(
            e for _, e in simulator.interleave(boots, seed=args.seed))
        say(out, 'Published %d notifications for %d boots (Nova, Neutron, '
            'Cinder, Glance) in %.1f s; the collector is consuming them.'
            % (sent, len(boots), time.monotonic() - started))
        _wait_drained(collector, sent, timeout=120)
        say(out, 'Stored in %.1f s.' % (time.monotonic() - started))
        if any(b.scenario.stalls for b in boots):
            say(out, 'Waiting for the silent stalls to pass their %d s '
                'deadline...' % args.deadline)
            _wait_settled(connection, boots, args.deadline)
    finally:
        publisher.close()
        collector.stop()
    records = [connection.get_record(b.instance_uuid) for b in boots]
    if args.format == 'json':
        print(json.dumps({'boots': [r for r in records if r]}, indent=2,
                         sort_keys=True), file=out)
        return 0
    _print(out, boots, records, collector, connection)
    return 0


def _wait_drained(collector, sent, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        totals = collector.counters.totals()
        if totals['processed'] + totals['duplicates'] + (
                totals['rejected']) >= sent:
            return
        time.sleep(0.1)


def _wait_settled(connection, boots, deadline_s):
    stalls = {b.instance_uuid for b in boots if b.scenario.stalls}
    until = time.monotonic() + deadline_s * 3 + 10
    while time.monotonic() < until:
        pending = [u for u in stalls
                   if (connection.get_record(u) or {}).get('status') ==
                   'building']
        if not pending:
            return
        time.sleep(0.5)


def _print(out, boots, records, collector, connection):
    table = prettytable.PrettyTable(('scenario',) + report.LIST_COLUMNS)
    table.align = 'l'
    for boot, record in zip(boots, records):
        if record is not None:
            table.add_row((boot.scenario.name,) + report.list_row(record))
    say(out, '')
    say(out, table.get_string())
    for boot, record in zip(boots, records):
        if record is None or record['status'] not in ('error', 'stuck'):
            continue
        say(out, '')
        say(out, '=' * 78)
        say(out, '%s (%s)' % (boot.scenario.name, boot.scenario.description))
        say(out, report.diagnosis_text(record, width=78))
    totals = collector.counters.totals()
    emitted = collector.counters.snapshot()['emitted']
    statuses = {}
    for record in records:
        if record is not None:
            statuses[record['status']] = statuses.get(record['status'],
                                                      0) + 1
    say(out, '')
    fields = ('received', 'processed', 'duplicates', 'rejected')
    say(out, 'Collector: %s.' % ', '.join('%s %d' % (k, totals[k])
                                          for k in fields))
    say(out, 'Boots: %s.' % ', '.join('%s %d' % kv
                                      for kv in sorted(statuses.items())))
    say(out, 'Notifications sent by bootdoctor: %s.' % (', '.join(
        '%s x%d' % kv for kv in sorted(emitted.items())) or 'none'))
    for finding in connection.findings():
        say(out, 'Deployment %s: %s' % (finding['severity'],
                                        finding['message']))
