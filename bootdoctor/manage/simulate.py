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

"""bootdoctor-manage simulate: publish realistic boot notifications."""

import argparse
import collections
import json
import sys

from oslo_messaging import opts as messaging_opts

from bootdoctor.manage import db as manage_db
from bootdoctor.manage import replay
from bootdoctor import simulator


def add_parsers(subparsers):
    parser = subparsers.add_parser(
        'simulate',
        help='Publish simulated boots exactly as Nova, Neutron, Cinder and '
             'Glance put them on the wire (oslo.messaging Notifiers, '
             'messagingv2 driver, one exchange per service, both Nova '
             'formats), built from real recorded notifications.')
    parser.add_argument('--transport-url', metavar='URL',
                        help='Where to publish, e.g. '
                             'rabbit://guest:guest@127.0.0.1:5672/. Default: '
                             '[oslo_messaging_notifications] transport_url, '
                             'else [DEFAULT] transport_url.')
    parser.add_argument('--boots', type=manage_db.positive, default=14,
                        metavar='N', help='How many boots (default 14).')
    parser.add_argument('--rate', type=float, default=0, metavar='R',
                        help='Notifications per second; 0 (default) sends '
                             'as fast as the broker takes them.')
    parser.add_argument('--scenario', action='append', metavar='NAME',
                        help='A scenario, or "mix" for every scenario in '
                             'turn (the default). May be repeated. '
                             'See --list.')
    parser.add_argument('--concurrency', type=manage_db.positive, default=8,
                        metavar='C',
                        help='Boots in flight at once, whose messages '
                             'interleave (default 8).')
    parser.add_argument('--seed', type=int, metavar='S',
                        help='Make identities, hosts and the interleaving '
                             'reproducible.')
    parser.add_argument('--exchange', action='append', default=[],
                        metavar='SERVICE=EXCHANGE',
                        help='Publish a service\'s notifications to another '
                             'exchange, e.g. cinder=openstack. Defaults: '
                             'nova, neutron, cinder, glance.')
    parser.add_argument('--topic', action='append', default=[],
                        metavar='TOPIC=NAME',
                        help='Publish a Notifier topic under another name, '
                             'e.g. notifications=test_notifications (the '
                             'topics are notifications and '
                             'versioned_notifications).')
    parser.add_argument('--start', type=_time, metavar='TIMESTAMP',
                        help='When the boots start (ISO 8601; naive times '
                             'are UTC), for the times in the payloads and, '
                             'with --output, the message times. Default: '
                             'now.')
    parser.add_argument('--output', metavar='FILE',
                        help='Write the notifications to FILE as JSON Lines '
                             '(what a notification listener receives, '
                             'which bootdoctor-manage replay reads) instead '
                             'of publishing them. Message n is dated '
                             '--start plus n x 100 ms; with --seed and '
                             '--start the file is reproducible.')
    parser.add_argument('--list', action='store_true',
                        help='List the scenarios and exit.')
    parser.set_defaults(func=simulate_command)


def _time(text):
    try:
        return replay.parse_time(text)
    except ValueError:
        raise argparse.ArgumentTypeError('%r is not an ISO 8601 time'
                                         % text)


def configured_url(conf):
    """The notification transport URL configured for this process."""
    for group, options in messaging_opts.list_opts():
        conf.register_opts(options, group=group)
    return (conf.oslo_messaging_notifications.transport_url or
            conf.transport_url)


def parse_pairs(option, items, keys):
    """{KEY: VALUE} from KEY=VALUE items, KEY one of ``keys``."""
    pairs = {}
    for item in items:
        key, sep, value = item.partition('=')
        if not sep or not value or key not in keys:
            raise ValueError('%s takes %s with %s one of %s, not %r' % (
                option, _METAVARS[option], _METAVARS[option].split('=')[0],
                ', '.join(keys), item))
        pairs[key] = value
    return pairs


_METAVARS = {'--exchange': 'SERVICE=EXCHANGE', '--topic': 'TOPIC=NAME'}


def simulate_command(conf, out=None):
    out = out or sys.stdout
    args = conf.command
    if args.list:
        for scenario in simulator.SCENARIOS.values():
            print('%-28s %s' % (scenario.name, scenario.description),
                  file=out)
        return 0
    try:
        names = simulator.scenario_names(args.scenario or [simulator.MIX])
        exchanges = parse_pairs('--exchange', args.exchange,
                                simulator.publisher.DEFAULT_EXCHANGES)
        topics = parse_pairs('--topic', args.topic,
                             simulator.publisher.TOPICS)
    except (KeyError, ValueError) as exc:
        print('error: %s' % (exc.args[0] if exc.args else exc),
              file=sys.stderr)
        return 2
    if args.output:
        boots = simulator.plan(args.boots, names, seed=args.seed,
                               start=args.start)
        sent = write_stream(args.output, simulator.listener_views(
            boots, args.concurrency, seed=args.seed, start=args.start))
        summarise(boots, sent, None, out, written_to=args.output)
        return 0
    url = args.transport_url or configured_url(conf)
    if not url:
        print('error: give --transport-url or set [oslo_messaging_'
              'notifications] transport_url', file=sys.stderr)
        return 2
    boots = simulator.plan(args.boots, names, seed=args.seed,
                           start=args.start)
    publisher = simulator.Publisher(url, exchanges=exchanges, topics=topics)
    try:
        sent = publisher.publish(
            (e for _, e in simulator.interleave(
                boots, args.concurrency, seed=args.seed)),
            rate=args.rate or None)
    finally:
        publisher.close()
    summarise(boots, sent, publisher.exchanges, out)
    return 0


def write_stream(path, views):
    """Write listener views to ``path``, one JSON object a line."""
    count = 0
    with open(path, 'w', encoding='utf-8') as f:
        for view in views:
            f.write(json.dumps(view, sort_keys=True) + '\n')
            count += 1
    return count


def summarise(boots, sent, exchanges, out, written_to=None):
    per_service = collections.Counter(
        e.service for b in boots for e in b.emissions)
    if written_to:
        print('Wrote %d notifications for %d boots to %s.'
              % (sent, len(boots), written_to), file=out)
    else:
        print('Published %d notifications for %d boots.'
              % (sent, len(boots)), file=out)
    for service, count in sorted(per_service.items()):
        where = 'service' if written_to else 'exchange'
        name = service if written_to else exchanges[service]
        print('  %s %-12s %6d' % (where, name, count), file=out)
    print('', file=out)
    print('%-36s  %-28s  %s' % ('instance', 'scenario', 'expected'),
          file=out)
    for boot in boots:
        expected = ', '.join('%s=%s' % kv
                             for kv in sorted(boot.expected.items()))
        print('%-36s  %-28s  %s' % (boot.instance_uuid, boot.scenario.name,
                                    expected), file=out)
