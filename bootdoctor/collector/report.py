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

"""The bootdoctor section of the collector's Guru Meditation report.

``kill -USR2 <pid>`` (or touching ``[oslo_reports] file_event_handler``)
prints the standard report plus this section: what the process listens to,
what it has counted, and, from the database, the boots in flight, the
stuck boots and the deployment warnings. Secrets are masked: the transport
URL and database URL are printed without passwords.
"""

import collections
import os

from oslo_reports.models import with_default_views

from bootdoctor.collector import collection
from bootdoctor.collector import counters as counters_mod
from bootdoctor.db import api as db_api
from bootdoctor.notification import listener as listener_mod
from bootdoctor import service

TITLE = 'bootdoctor collector'
_state = {'collector': None, 'workers': None, 'conf': None,
          'connection': None}
_registered = []


def register():
    """Add the section to this process's Guru Meditation report (once)."""
    if not _registered:
        service.register_report_section(TITLE, generator)
        _registered.append(True)


def attach(collector):
    """The collector this process's report describes (None: none)."""
    _state['collector'] = collector


def describe_master(conf, workers):
    """In the master process: the configuration and the worker count."""
    _state['conf'] = conf
    _state['workers'] = workers
    _state['connection'] = None


def generator():
    model = with_default_views.ModelWithDefaultViews(
        {'text': render()}, text_view=lambda model: model['text'])
    return model


def render():
    """The section's text."""
    collector = _state['collector']
    conf = collector.conf if collector is not None else _state['conf']
    if conf is None:
        return 'No collector configured in this process.'
    lines = []
    _listening(lines, conf, collector)
    if collector is not None:
        _counters(lines, collector)
    if collector is not None:
        connection = collector.connection
    else:
        lines.append('')
        lines.append('This is the master process: each worker\'s report '
                     '(kill -USR2 <worker pid>) has its counters.')
        connection = _master_connection(conf)
    if connection is not None:
        _database(lines, connection)
    return '\n'.join(lines)


def _master_connection(conf):
    if _state.get('connection') is None:
        try:
            _state['connection'] = db_api.get_connection(conf)
        except Exception:  # noqa: a report must not fail
            return None
    return _state['connection']


def _listening(lines, conf, collector):
    lines.append('Process %d%s' % (os.getpid(), (
        ', worker %s' % collector.worker) if collector is not None else
        ', master of %s worker(s)' % (_state['workers'] or
                                      conf.collector.workers)))
    lines.append('Transport: %s' % listener_mod.transport_url(conf))
    lines.append('Pool: %s' % (conf.collector.pool or
                               '(none: the default queues)'))
    lines.append('Exchanges: %s' % ', '.join(conf.collector.exchanges))
    lines.append('Topics: %s' % ', '.join(conf.collector.topics))
    lines.append('Targets: %d (every exchange x topic)' % (
        len(conf.collector.exchanges) * len(conf.collector.topics)))
    lines.append('Batches: size %d, timeout %.2f s' % (
        conf.collector.batch_size, conf.collector.batch_timeout))


def _counters(lines, collector):
    snap = collector.counters.snapshot()
    totals = snap['totals']
    lines.append('')
    lines.append('Counted by this process since %s:' %
                 snap['started_at'].isoformat())
    lines.append('  ' + ', '.join('%s %d' % (f, totals[f])
                                  for f in counters_mod.FIELDS))
    combiner = collector.processor.combiner if collector.processor \
        else None
    groups = combiner.groups if combiner else 0
    held = combiner.held if combiner else 0
    lines.append('  batches %d (handled in %d groups, %d of them waited '
                 'for more), database errors %d, back-off now %.1f s' % (
                     snap['batches'], groups, held, snap['db_errors'],
                     collector.backoff.delay))
    lines.append('  ' + counters_mod.describe_cpu(
        snap['cpu'], totals['received'], collection.collecting()))
    lines.append('  emitted: %s' % (', '.join(
        '%s %d' % kv for kv in sorted(snap['emitted'].items())) or 'none'))
    delays = snap['delays']
    if delays:
        lines.append('  publish to record (last %d): p50 %.3f s, p99 %.3f s, '
                     'max %.3f s' % (delays['count'], delays['p50'],
                                     delays['p99'], delays['max']))
    kept = getattr(collector.connection, 'decoded', None)
    if kept is not None:
        lines.append('  decoded observations kept %d of %d (found %d, '
                     'decoded %d)' % (len(kept), kept.size, kept.hits,
                                      kept.misses))
    else:
        lines.append('  decoded observations kept: none '
                     '([collector] decoded_observations = 0)')
    lines.append('  ' + collection.describe())
    last = snap['last_stuck_check']
    lines.append('  stuck searches %d, last at %s' % (
        snap['stuck_checks'], last.isoformat() if last else 'never'))
    lines.append('')
    header = '  %-10s %-40s' % ('exchange', 'event type') + ''.join(
        ' %10s' % f for f in counters_mod.FIELDS)
    lines.append(header)
    for (exchange, event_type), counts in snap['per_type'].items():
        lines.append('  %-10s %-40s' % (exchange, event_type) + ''.join(
            ' %10d' % counts[f] for f in counters_mod.FIELDS))
    lines.append('')
    lines.append('Last message per exchange (this process):')
    for exchange, when in snap['last_message_at'].items():
        lines.append('  %-10s %s' % (exchange, when.isoformat()))
    if not snap['last_message_at']:
        lines.append('  none yet')


def _database(lines, connection):
    lines.append('')
    lines.append('Database: %s' % connection.safe_url)
    try:
        building = connection.list_records(filters={'status': 'building'},
                                           limit=10000, detail=False)
        stuck = connection.list_records(filters={'status': 'stuck'},
                                        limit=20, detail=False)
        findings = connection.findings()
        heartbeats = connection.heartbeats()
    except Exception as exc:  # noqa: a report must not fail
        lines.append('  not readable now: %s' % exc)
        return
    phases = collections.Counter(b.get('phase') or 'unknown'
                                 for b in building)
    lines.append('Boots in flight by phase: %s' % (', '.join(
        '%s %d' % kv for kv in sorted(phases.items())) or 'none'))
    lines.append('Stuck boots (newest 20):')
    for boot in stuck:
        lines.append('  %s  phase %s, step %s, host %s, since %s' % (
            boot['instance_uuid'], boot.get('phase'), boot.get('step'),
            boot.get('host'), boot.get('updated_at')))
    if not stuck:
        lines.append('  none')
    lines.append('Deployment warnings:')
    for finding in findings:
        lines.append('  [%s] %s (seen %d times, last %s): %s' % (
            finding['severity'], finding['key'], finding['count'],
            finding['last_seen'], finding['message']))
    if not findings:
        lines.append('  none')
    lines.append('Messages per exchange, all collectors:')
    for beat in heartbeats:
        lines.append('  %-10s %8d, last %s' % (
            beat['exchange'], beat['received'], beat['last_message_at']))
    if not heartbeats:
        lines.append('  none yet')
