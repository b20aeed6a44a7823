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


"""The ``openstack boot diagnose`` report: a boot record for a person.

Plain text that fits an 80-column terminal: what happened, where it went
wrong, which logs to read (with the exact grep) and what to run next.
The same record is available as data with ``-f json`` or ``-f yaml``.
"""

import textwrap

from bootdoctor.osc.v1 import columns

WIDTH = 80
STATE_MARK = {'observed': '+', 'inferred': '~', 'pending': '.',
              'failed': 'X', 'skipped': '-'}


def render(record, *, label=None, width=WIDTH):
    """The report for a boot record dict, as one string."""
    out = []
    _header(out, record, label, width)
    _summary(out, record, width)
    _root_cause(out, record, width)
    _steps(out, record, width)
    _phases(out, record)
    _attempts(out, record, width)
    _logs(out, record, width)
    _actions(out, record, width)
    _notes(out, record, width)
    return '\n'.join(out).rstrip('\n') + '\n'


def _wrap(text, width, indent='', subsequent=None):
    return textwrap.wrap(
        str(text), width=width, initial_indent=indent,
        subsequent_indent=indent if subsequent is None else subsequent,
        break_long_words=True, break_on_hyphens=False) or [indent.rstrip()]


def command_lines(command, width, indent):
    """A shell command within ``width``, continued with backslashes.

    The lines still paste into a shell as one command. A command that
    cannot be split into shell words is kept on one line.
    """
    line = indent + command
    if len(line) <= width:
        return [line]
    words = shell_words(command)
    if words is None:
        return [line]
    lines, current = [], indent
    for word in words:
        candidate = current + (' ' if current.strip() else '') + word
        if current.strip() and len(candidate) + 2 > width:
            lines.append(current + ' \\')
            current = indent + '    ' + word
        else:
            current = candidate
    lines.append(current)
    return lines


def shell_words(command):
    """The words of a command, verbatim (quotes kept), or None.

    Splits at blanks outside quotes only, so pipes, placeholders and
    quoting come out exactly as written; None for unbalanced quotes.
    """
    words, current, quote, escaped = [], '', None, False
    for char in command:
        if escaped:
            current += char
            escaped = False
        elif char == '\\' and quote != "'":
            current += char
            escaped = True
        elif quote:
            current += char
            if char == quote:
                quote = None
        elif char in '\'"':
            current += char
            quote = char
        elif char.isspace():
            if current:
                words.append(current)
            current = ''
        else:
            current += char
    if quote or escaped:
        return None
    if current:
        words.append(current)
    return words


def _section(out, title):
    out.append('')
    out.append(title)
    out.append('-' * len(title))


def _header(out, record, label, width):
    uuid = record.get('instance_uuid') or '?'
    title = 'Boot of server %s' % uuid
    if label and label != uuid:
        title = 'Boot of server %s (%s)' % (label, uuid)
    out.extend(_wrap(title, width))
    out.append('=' * min(width, len(out[-1])))
    step = record.get('step')
    title = columns.step_title(record, step)
    fields = [
        ('Status', record.get('status')),
        ('Phase', record.get('phase')),
        ('Step', ('%s/%s %s' % (step, columns.step_count(record),
                                title or '')).strip()
         if step is not None else None),
        ('Host', ' / '.join(v for v in (record.get('host'),
                                        record.get('node')) if v)),
        ('Request', record.get('request_id')),
        ('Project', record.get('project_id')),
        ('User', record.get('user_id')),
        ('Started', record.get('created_at')),
        ('Updated', record.get('updated_at')),
        ('Finished', record.get('finished_at')),
        ('Duration', columns.duration(record.get('duration_s'))),
    ]
    for name, value in fields:
        if value:
            out.extend(_wrap(value, width, '%-9s ' % (name + ':'),
                             ' ' * 10))


def _summary(out, record, width):
    diagnosis = record.get('diagnosis') or {}
    if diagnosis.get('summary'):
        _section(out, 'Summary')
        out.extend(_wrap(diagnosis['summary'], width))


def _root_cause(out, record, width):
    cause = record.get('root_cause')
    fault = record.get('fault')
    if not cause and not fault:
        return
    _section(out, 'Root cause')
    if cause:
        out.extend(_wrap(columns.fault_text(cause), width, '  '))
        where = []
        if cause.get('step'):
            where.append('step %s (%s)' % (
                cause['step'], columns.step_title(record, cause['step']) or
                '?'))
        if cause.get('component'):
            where.append('component %s' % cause['component'])
        if cause.get('host'):
            where.append('host %s' % cause['host'])
        if where:
            out.extend(_wrap('at ' + ', '.join(where), width, '  '))
    same = cause and fault and all(
        cause.get(k) == fault.get(k) for k in ('exception', 'message'))
    if fault and not same:
        out.extend(_wrap('Nova fault: ' + columns.fault_text(fault), width,
                         '  ', '    '))


def _steps(out, record, width):
    steps = record.get('steps') or ()
    if not steps:
        return
    _section(out, 'Steps (+ observed, ~ inferred, X failed, - skipped, '
                  '. pending)')
    for step in steps:
        at = (step.get('at') or '').replace('T', ' ')[:19]
        state = step.get('state') or ''
        head = '%s %2s %-8s %-19s ' % (
            STATE_MARK.get(state, '?'), step.get('number', '?'), state,
            at or '-')
        out.extend(_wrap(step.get('title') or '', width, head,
                         ' ' * len(head)))


def _phases(out, record):
    phases = record.get('phases') or {}
    if not phases:
        return
    _section(out, 'Phases')
    for name, span in columns.ordered_phases(phases):
        span = span or {}
        if span.get('duration_s') is not None:
            text = columns.duration(span['duration_s'])
        elif span.get('started_at'):
            text = 'started %s, not finished' % span['started_at']
        else:
            text = 'not reached'
        out.append('  %-22s %s' % (name, text))


def _attempts(out, record, width):
    attempts = record.get('attempts') or ()
    if not attempts:
        return
    _section(out, 'Attempts')
    for i, attempt in enumerate(attempts, 1):
        host = ' / '.join(v for v in (attempt.get('host'),
                                      attempt.get('node')) if v) or '?'
        line = '%d. %s: %s' % (i, host, attempt.get('outcome') or '?')
        span = ' -> '.join(v for v in (attempt.get('started_at'),
                                       attempt.get('ended_at')) if v)
        out.extend(_wrap(line, width, '  ', '     '))
        if span:
            out.extend(_wrap(span, width, '     '))
        if attempt.get('fault'):
            out.extend(_wrap('fault: ' + columns.fault_text(
                attempt['fault']), width, '     ', '       '))


def _logs(out, record, width):
    logs = (record.get('diagnosis') or {}).get('logs') or ()
    if not logs:
        return
    _section(out, 'Logs to read')
    for log in logs:
        where = 'on %s: %s' % (log.get('host') or '?', log.get('path') or '?')
        out.extend(_wrap(where, width, '  '))
        out.extend(command_lines(columns.grep_command(log), width, '    '))


def _actions(out, record, width):
    actions = (record.get('diagnosis') or {}).get('actions') or ()
    if not actions:
        return
    _section(out, 'Next commands')
    for action in actions:
        out.extend(command_lines(str(action), width, '  '))


def _notes(out, record, width):
    notes = (record.get('diagnosis') or {}).get('notes') or ()
    if not notes:
        return
    _section(out, 'Notes')
    for note in notes:
        out.extend(_wrap(note, width, '  * ', '    '))
