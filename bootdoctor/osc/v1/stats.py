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


"""``openstack boot stats``: counts, failures and phase durations.

The API counts boots by status, failures by step, component and host,
and gives phase durations (p50, p95, p99) over a window; it groups by
host itself. Grouping by phase (failures at the steps of each phase
beside its durations) and by component is done here from the same
answer and the step catalogue.
"""

from cliff import columns as cliff_columns
from osc_lib.command import command

from bootdoctor.osc.v1 import columns
from bootdoctor.osc.v1 import common
from bootdoctor import report

GROUPS = ('host', 'phase', 'component')
PERCENTILES = ('p50', 'p95', 'p99')
FIELDS = ('since', 'until', 'project_id', 'total', 'by_status', 'failures',
          'phases', 'group_by', 'groups')


def _counts(mapping):
    text = ', '.join('%s %s' % (k, v) for k, v in (mapping or {}).items()
                     if v)
    return text or 'none'


def _phase_line(name, entry):
    entry = entry or {}
    parts = ['%s boots' % entry.get('count', 0)]
    parts += ['%s %s' % (p, report.duration(entry.get(p)) or '-')
              for p in PERCENTILES]
    return '%s: %s' % (name, ', '.join(parts))


def _ranked(items, key):
    return ', '.join('%s (%s)' % (i.get(key), i.get('count'))
                     for i in items or ()) or 'none'


class StatusColumn(cliff_columns.FormattableColumn):
    def human_readable(self):
        return _counts(self._value)


class FailuresColumn(cliff_columns.FormattableColumn):
    def human_readable(self):
        failures = self._value or {}
        return '\n'.join((
            'total: %s' % failures.get('total', 0),
            'by step: %s' % _ranked(failures.get('by_step'), 'step'),
            'by component: %s' % _ranked(failures.get('by_component'),
                                         'component'),
            'by host: %s' % _ranked(failures.get('by_host'), 'host')))


class PhaseStatsColumn(cliff_columns.FormattableColumn):
    def human_readable(self):
        return '\n'.join(_phase_line(name, entry)
                         for name, entry in (self._value or {}).items())


class GroupsColumn(cliff_columns.FormattableColumn):
    def human_readable(self):
        lines = []
        for group in self._value or ():
            if 'host' in group:
                lines.append('%s: %s boots (%s)' % (
                    group['host'] or 'no host', group.get('total', 0),
                    _counts(group.get('by_status'))))
                for name, entry in (group.get('phases') or {}).items():
                    lines.append('  ' + _phase_line(name, entry))
            elif 'phase' in group:
                line = _phase_line(group['phase'], group)
                lines.append('%s, %s failures' % (line, group['failures']))
            else:
                lines.append('%s: %s failures' % (group.get('component'),
                                                  group.get('failures')))
        return '\n'.join(lines)


FORMATTERS = {'by_status': StatusColumn, 'failures': FailuresColumn,
              'phases': PhaseStatsColumn, 'groups': GroupsColumn}


def by_phase(stats, steps):
    """Per phase: its durations and the failures at its steps."""
    phase_of = {s.get('number'): s.get('phase') for s in steps}
    failures = {}
    for item in (stats.get('failures') or {}).get('by_step') or ():
        phase = phase_of.get(item.get('step'), 'unknown')
        failures[phase] = failures.get(phase, 0) + (item.get('count') or 0)
    names = list(common.PHASES)
    names += [p for p in list(stats.get('phases') or {}) + list(failures)
              if p not in names]
    groups = []
    for name in names:
        entry = (stats.get('phases') or {}).get(name) or {}
        if not entry and name not in failures and name not in common.PHASES:
            continue
        group = {'phase': name, 'count': entry.get('count', 0)}
        group.update({p: entry.get(p) for p in PERCENTILES})
        group['failures'] = failures.get(name, 0)
        groups.append(group)
    return groups


def by_component(stats):
    """Per component: the failures whose root cause is in it."""
    return [{'component': item.get('component'),
             'failures': item.get('count', 0)}
            for item in (stats.get('failures') or {}).get('by_component')
            or ()]


class ShowStats(command.ShowOne):
    """Show boot statistics over a time window.

    Counts by status, failures by step, component and host, and phase
    durations (p50, p95, p99) of the boots created in the window.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--since', metavar='<time>', type=common.timestamp,
            help='Start of the window: ISO 8601 (2024-05-01T12:00:00Z) or '
                 'an age (30m, 6h, 2d); default: the API\'s window before '
                 '--until (one day unless configured otherwise)')
        parser.add_argument(
            '--until', metavar='<time>', type=common.timestamp,
            help='End of the window: ISO 8601 or an age (default: now)')
        parser.add_argument(
            '--group-by', metavar='<key>', choices=GROUPS,
            help='Also break the figures down by host (counts and phase '
                 'durations per compute host), phase (durations and '
                 'failures per phase) or component (failures per '
                 'component)')
        parser.add_argument(
            '--all-projects', action='store_true', default=False,
            help='Count the boots of every project (admin only)')
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.boot
        group = parsed_args.group_by
        stats = dict(client.get_stats(
            since=parsed_args.since, until=parsed_args.until,
            group_by='host' if group == 'host' else None,
            all_projects=parsed_args.all_projects or None))
        if group == 'phase':
            stats['group_by'] = group
            stats['groups'] = by_phase(stats, client.list_steps())
        elif group == 'component':
            stats['group_by'] = group
            stats['groups'] = by_component(stats)
        names = [n for n in FIELDS if n in stats]
        names += sorted(n for n in stats if n not in FIELDS)
        values = []
        for name in names:
            value = stats[name]
            if name in FORMATTERS:
                value = FORMATTERS[name](value)
            elif isinstance(value, (dict, list)):
                value = columns.NestedColumn(value)
            values.append(value)
        return tuple(names), tuple(values)
