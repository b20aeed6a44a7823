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

"""Text rendering of boot records for people: tables and the diagnosis.

Works on the record dict (``BootRecord.to_dict()``, or the API's JSON), so
``bootdoctor-manage replay``, ``boot show`` and ``demo`` and the
``openstack boot diagnose`` CLI print a boot's diagnosis with this one
renderer: what happened, where it went wrong, which logs to read (with the
exact grep) and what to run next, in an 80-column terminal.

Needs nothing but the catalogue (plain data) and PrettyTable: the
``openstack`` CLI plugin imports it with no server library installed.
"""

import shlex
import textwrap

import prettytable

from bootdoctor import catalogue

WIDTH = 80
LIST_COLUMNS = ('instance_uuid', 'status', 'phase', 'step', 'host',
                'attempts', 'root cause', 'duration_s')
STATE_MARK = {'observed': '+', 'inferred': '~', 'pending': '.',
              'failed': 'X', 'skipped': '-'}


# The values of a record, as text.

def duration(seconds):
    """'1.5 s', '2 min 05 s', '1 h 02 min' or '' for None."""
    if seconds is None:
        return ''
    seconds = float(seconds)
    if seconds < 60:
        return '%.1f s' % seconds
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return '%d min %02d s' % (minutes, secs)
    hours, minutes = divmod(minutes, 60)
    return '%d h %02d min' % (hours, minutes)


def fault_text(fault):
    """'Exception: message (code)' for a fault dict, '' for None."""
    if not fault:
        return ''
    text = fault.get('exception') or 'Fault'
    if fault.get('message'):
        text += ': %s' % fault['message']
    if fault.get('code'):
        text += ' (code %s)' % fault['code']
    return text


def step_count(record):
    """How many steps a boot has: those of the record, as the API sent
    them, or the catalogue's count for a record without its steps.
    """
    steps = (record or {}).get('steps')
    if isinstance(steps, list) and steps:
        return len(steps)
    return catalogue.STEP_COUNT


def step_title(record, number):
    for step in record.get('steps') or ():
        if step.get('number') == number:
            return step.get('title')
    return None


def grep_command(log):
    """The exact command that finds the boot in a log file.

    The catalogue's patterns are fixed strings (a request id, ' ERROR ',
    '|WARN|'), hence ``grep -F``; a value that is already a command is
    kept as it is.
    """
    pattern = log.get('grep') or ''
    path = log.get('path') or ''
    if pattern.startswith(('grep ', 'zgrep ', 'journalctl ')):
        return pattern
    return 'grep -F %s %s' % (shlex.quote(pattern), shlex.quote(path))


def ordered_phases(phases):
    """(name, span) pairs in boot order, unknown phases last."""
    known = [p for p in catalogue.PHASES if p in (phases or {})]
    rest = [p for p in (phases or {}) if p not in catalogue.PHASES]
    return [(name, phases[name]) for name in known + rest]


def root_cause_text(record):
    """The root cause in one short cell: 'neutron step 24 @host: Exc'."""
    cause = record.get('root_cause')
    if not cause:
        return ''
    text = '%s step %s' % (cause.get('component') or '?', cause.get('step'))
    if cause.get('host'):
        text += ' @%s' % cause['host']
    if cause.get('exception'):
        text += ': %s' % cause['exception']
    return text


# A table of boots.

def list_row(record):
    return (record['instance_uuid'], record['status'], record['phase'] or '',
            record['step'] or '', record['host'] or '',
            len(record['attempts']), root_cause_text(record),
            '' if record['duration_s'] is None else
            '%.1f' % record['duration_s'])


def boots_table(records):
    table = prettytable.PrettyTable(LIST_COLUMNS)
    table.align = 'l'
    for record in records:
        table.add_row(list_row(record))
    return table.get_string()


# The diagnosis of one boot.

def diagnosis_text(record, *, label=None, width=WIDTH):
    """The diagnosis of a boot record dict, as one string.

    Lines fit in ``width`` columns, but for a command that cannot be
    split at a blank; ``label`` is the name the user gave the server.
    """
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
    return '\n'.join(out).rstrip('\n')


def _wrap(text, width, indent='', subsequent=None):
    # Never split an id or a command at a hyphen: people copy them.
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
    title = step_title(record, step)
    fields = [
        ('Status', record.get('status')),
        ('Phase', record.get('phase')),
        ('Step', ('%s/%s %s' % (step, step_count(record),
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
        ('Duration', duration(record.get('duration_s'))),
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
        out.extend(_wrap(fault_text(cause), width, '  '))
        where = []
        if cause.get('step'):
            where.append('step %s (%s)' % (
                cause['step'], step_title(record, cause['step']) or
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
        out.extend(_wrap('Nova fault: ' + fault_text(fault), width,
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
    for name, span in ordered_phases(phases):
        span = span or {}
        if span.get('duration_s') is not None:
            text = duration(span['duration_s'])
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
            out.extend(_wrap('fault: ' + fault_text(
                attempt['fault']), width, '     ', '       '))


def _logs(out, record, width):
    logs = (record.get('diagnosis') or {}).get('logs') or ()
    if not logs:
        return
    _section(out, 'Logs to read')
    for log in logs:
        where = 'on %s: %s' % (log.get('host') or '?', log.get('path') or '?')
        out.extend(_wrap(where, width, '  '))
        out.extend(command_lines(grep_command(log), width, '    '))


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
