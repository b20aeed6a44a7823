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

"""Text rendering of boot records for people (tables and diagnoses).

Works on the record dict (``BootRecord.to_dict()``), so replay, the manage
commands, the demo and the CLI render a boot the same way.
"""

import datetime
import textwrap

import prettytable

LIST_COLUMNS = ('instance_uuid', 'status', 'phase', 'step', 'host',
                'attempts', 'root cause', 'duration_s')
STATE_MARKS = {'observed': '+', 'inferred': '~', 'pending': ' ',
               'failed': 'X', 'skipped': '-'}


def root_cause_text(record):
    cause = record.get('root_cause')
    if not cause:
        return ''
    text = '%s step %s' % (cause.get('component') or '?', cause.get('step'))
    if cause.get('host'):
        text += ' @%s' % cause['host']
    if cause.get('exception'):
        text += ': %s' % cause['exception']
    return text


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


def diagnosis_text(record, width=80):
    """A report for a person, readable in ``width`` columns."""
    # Never split an id or a command at a hyphen: people copy them.
    wrap = textwrap.TextWrapper(width=width, subsequent_indent='    ',
                                break_on_hyphens=False,
                                break_long_words=False)
    out = []
    add = out.append
    add('Boot %s: %s' % (record['instance_uuid'], record['status'].upper()))
    add('  request %s' % record.get('request_id'))
    add('  project %s' % record.get('project_id'))
    diagnosis = record.get('diagnosis') or {}
    add('')
    add(wrap.fill(diagnosis.get('summary') or ''))
    cause = record.get('root_cause')
    if cause:
        add('')
        add('Root cause')
        for key in ('step', 'component', 'host', 'exception'):
            add('  %-10s %s' % (key + ':', cause.get(key)))
        if cause.get('message'):
            add(wrap.fill('  message:   %s' % cause['message']))
    if record.get('attempts'):
        add('')
        add('Attempts')
        for index, attempt in enumerate(record['attempts'], 1):
            fault = attempt.get('fault') or {}
            line = '  %d. %s %s' % (index, attempt.get('host') or '?',
                                    attempt['outcome'])
            if fault.get('exception') or fault.get('message'):
                line += ': %s %s' % (fault.get('exception') or '',
                                     fault.get('message') or '')
            add(wrap.fill(line))
    add('')
    add('Steps (+ observed, ~ inferred, X failed, - skipped)')
    for step in record['steps']:
        at = _clock(step.get('at'))
        add(_clip('  %s %2d %-12s %s' % (STATE_MARKS[step['state']],
                                         step['number'], at, step['title']),
                  width))
    phases = record.get('phases') or {}
    if phases:
        add('')
        add('Phases')
        for name, span in phases.items():
            duration = span.get('duration_s')
            add('  %-22s %s' % (name, '-' if duration is None
                                else '%.3fs' % duration))
    if diagnosis.get('logs'):
        add('')
        add('Logs to read')
        for log in diagnosis['logs']:
            add(_clip('  [%s] %s' % (log['host'], log['path']), width))
            add(_clip('      grep %s' % log['grep'], width))
    if diagnosis.get('actions'):
        add('')
        add('Next commands')
        for action in diagnosis['actions']:
            add(wrap.fill('  $ %s' % action))
    for note in diagnosis.get('notes') or ():
        add('')
        add(wrap.fill('Note: %s' % note))
    return '\n'.join(out)


def _clock(text):
    """HH:MM:SS.mmm of an ISO time, or blanks."""
    if not text:
        return ''
    value = datetime.datetime.fromisoformat(text)
    return value.strftime('%H:%M:%S.') + '%03d' % (value.microsecond // 1000)


def _clip(line, width):
    return line if len(line) <= width else line[:width - 1] + '~'
