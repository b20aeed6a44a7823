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

"""bootdoctor-manage steps: print the 29-step boot catalogue.

``steps`` lists every step; ``steps NUMBER`` shows one with its evidence,
failures, tools, actions and the logs of its components. ``--format json``
prints ``{"steps": [...]}`` or ``{"step": {...}, "components": [...]}``.
"""

import json
import sys
import textwrap

import prettytable

from bootdoctor import catalogue

WRAP = 72


def add_parsers(subparsers):
    parser = subparsers.add_parser(
        'steps',
        help='Show the 29-step boot catalogue: every step, or one step in '
             'full (evidence, failures, logs, tools, actions).')
    parser.add_argument('number', nargs='?', type=int, metavar='NUMBER',
                        help='The step to show in full (1-%d).'
                        % catalogue.STEP_COUNT)
    parser.add_argument('--format', choices=('table', 'json'),
                        default='table', help='Output format.')
    parser.set_defaults(func=steps_command)


def steps_command(conf, out=None):
    out = out or sys.stdout
    args = conf.command
    number, fmt = args.number, args.format
    if number is None:
        items = catalogue.steps()
        if fmt == 'json':
            _dump({'steps': [s.to_dict() for s in items]}, out)
        else:
            out.write(list_table(items) + '\n')
        return 0
    try:
        item = catalogue.step(number)
    except KeyError:
        sys.stderr.write('No step %s: the catalogue has steps 1 to %d.\n'
                         % (number, catalogue.STEP_COUNT))
        return 1
    involved = [catalogue.components()[name] for name in item.components]
    if fmt == 'json':
        _dump({'step': item.to_dict(),
               'components': [c.to_dict() for c in involved]}, out)
    else:
        out.write(show_table(item, involved) + '\n')
    return 0


def _dump(data, out):
    json.dump(data, out, indent=2, sort_keys=True)
    out.write('\n')


def list_table(items):
    table = prettytable.PrettyTable(
        ['#', 'Phase', 'Channel', 'Components', 'Title', 'Proved by'])
    table.align = 'l'
    for item in items:
        kinds = sorted({e['kind'] for e in item.evidence})
        table.add_row([item.number, item.phase, item.channel,
                       ', '.join(item.components), item.title,
                       '\n'.join(kinds) or '(inferred)'])
    return table.get_string()


def describe_matcher(matcher):
    """``kind attr=value ...`` for one evidence matcher."""
    words = [matcher['kind']]
    for key, value in matcher.items():
        if key == 'kind':
            continue
        if value is None:
            value = 'null'
        elif isinstance(value, (list, tuple)):
            value = '|'.join(str(v) for v in value)
        words.append('%s=%s' % (key, value))
    return ' '.join(words)


def _wrap(text):
    return '\n'.join(textwrap.wrap(text or '', WRAP))


def _failure_lines(failure):
    head = ', '.join(failure.exceptions) or '(no exception)'
    if failure.messages:
        head += ' [message: %s]' % ' | '.join(failure.messages)
    if failure.component:
        head += ' -> %s' % failure.component
    lines = [head, textwrap.indent(_wrap(failure.summary), '  ')]
    lines += ['  $ %s' % action for action in failure.actions]
    return '\n'.join(lines)


def show_table(item, involved):
    logs = ['%s: grep %r %s' % (log.host, log.grep, log.path)
            for component in involved for log in component.logs]
    rows = [
        ('Number', item.number),
        ('Title', item.title),
        ('Phase', item.phase),
        ('Channel', item.channel),
        ('Components', ', '.join(item.components)),
        ('Description', _wrap(item.description)),
        ('Modern Nova', _wrap(item.modern)),
        ('Evidence', '\n'.join(describe_matcher(e) for e in item.evidence)
         or '(none: inferred from later steps)'),
        ('Skipped when', ', '.join(item.skipped_when) or '-'),
        ('Failures', '\n'.join(_failure_lines(f) for f in item.failures)
         or '-'),
        ('Logs', '\n'.join(logs) or '-'),
        ('Tools', '\n'.join(item.tools) or '-'),
        ('Actions', '\n'.join(item.actions) or '-'),
    ]
    table = prettytable.PrettyTable(['Field', 'Value'])
    table.align = 'l'
    for field, value in rows:
        table.add_row([field, value])
    return table.get_string()
