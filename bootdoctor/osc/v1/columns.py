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


"""Cell formatters for boot records.

Each column keeps the API's value for ``-f json|yaml`` (machine_readable)
and renders a short, readable text for ``-f table|value|csv``
(human_readable).
"""

from cliff import columns

# The catalogue is plain data (Python and YAML): the CLI may read it and
# still need nothing but osc-lib.
from bootdoctor import catalogue
from bootdoctor import report

PHASE_ORDER = catalogue.PHASES


class StepColumn(columns.FormattableColumn):
    """The furthest step: '24/29 Spawn the guest' (data: 24)."""

    def __init__(self, value, title=None, count=None):
        super().__init__(value)
        self._title = title
        self._count = count or catalogue.STEP_COUNT

    def human_readable(self):
        if self._value is None:
            return ''
        text = '%s/%s' % (self._value, self._count)
        return '%s %s' % (text, self._title) if self._title else text


class DurationColumn(columns.FormattableColumn):
    def human_readable(self):
        return report.duration(self._value)


class FaultColumn(columns.FormattableColumn):
    """A Nova fault; the traceback only in machine formats."""

    def human_readable(self):
        return report.fault_text(self._value)


class RootCauseColumn(columns.FormattableColumn):
    def human_readable(self):
        cause = self._value
        if not cause:
            return ''
        text = report.fault_text(cause)
        where = []
        if cause.get('step'):
            where.append('step %s' % cause['step'])
        if cause.get('component'):
            where.append(cause['component'])
        if cause.get('host'):
            where.append('on %s' % cause['host'])
        return '%s [%s]' % (text, ' '.join(where)) if where else text


class ComponentColumn(columns.FormattableColumn):
    """The failed component of a root cause (built from the cause)."""

    def human_readable(self):
        return self.machine_readable() or ''

    def machine_readable(self):
        return (self._value or {}).get('component')


class AttemptsColumn(columns.FormattableColumn):
    def human_readable(self):
        lines = []
        for i, attempt in enumerate(self._value or (), 1):
            line = '%d. %s %s' % (i, attempt.get('host') or '?',
                                  attempt.get('outcome') or '')
            if attempt.get('fault'):
                line += ': %s' % report.fault_text(attempt['fault'])
            lines.append(line)
        return '\n'.join(lines)


class AttemptCountColumn(AttemptsColumn):
    def human_readable(self):
        return str(len(self._value or ()))


class StepsColumn(columns.FormattableColumn):
    """Every step of the boot: one line each, the list as data."""

    def human_readable(self):
        lines = []
        for step in self._value or ():
            lines.append('%2s %-8s %s %s' % (
                step.get('number'), step.get('state') or '',
                step.get('at') or '-', step.get('title') or ''))
        return '\n'.join(lines)


class PhasesColumn(columns.FormattableColumn):
    def human_readable(self):
        lines = []
        for name, span in report.ordered_phases(self._value):
            span = span or {}
            lines.append('%s: %s' % (
                name, report.duration(span.get('duration_s')) or
                ('started' if span.get('started_at') else 'not reached')))
        return '\n'.join(lines)


class DiagnosisColumn(columns.FormattableColumn):
    def human_readable(self):
        diagnosis = self._value or {}
        lines = []
        if diagnosis.get('summary'):
            lines.append(diagnosis['summary'])
        for log in diagnosis.get('logs') or ():
            lines.append('log: %s:%s  %s' % (
                log.get('host') or '?', log.get('path') or '?',
                report.grep_command(log)))
        for action in diagnosis.get('actions') or ():
            lines.append('next: %s' % action)
        for note in diagnosis.get('notes') or ():
            lines.append('note: %s' % note)
        return '\n'.join(lines)


class ListColumn(columns.FormattableColumn):
    def human_readable(self):
        return ', '.join(str(v) for v in self._value or ())


def nested_lines(value, indent=''):
    """Readable lines for nested dicts and lists (stats, step details)."""
    lines = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                flat = isinstance(item, dict) and all(
                    not isinstance(v, (dict, list)) for v in item.values())
                if flat:
                    lines.append('%s%s: %s' % (indent, key, _flat(item)))
                else:
                    lines.append('%s%s:' % (indent, key))
                    lines.extend(nested_lines(item, indent + '  '))
            else:
                lines.append('%s%s: %s' % (indent, key, _scalar(item)))
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                lines.append('%s- %s' % (indent, _flat(item)))
            else:
                lines.append('%s- %s' % (indent, _scalar(item)))
    else:
        lines.append(indent + _scalar(value))
    return lines


def _flat(mapping):
    return ', '.join('%s=%s' % (k, _scalar(v)) if not isinstance(
        v, (dict, list)) else '%s=%s' % (k, v) for k, v in mapping.items())


def _scalar(value):
    if value is None:
        return '-'
    if isinstance(value, float):
        return '%g' % value
    return str(value)


class NestedColumn(columns.FormattableColumn):
    """Any nested dict or list, as indented 'key: value' lines."""

    def human_readable(self):
        return '\n'.join(nested_lines(self._value))
