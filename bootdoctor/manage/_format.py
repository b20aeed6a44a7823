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


"""Output helpers shared by the bootdoctor-manage commands.

``print_table(rows, columns)`` prints a left-aligned table for people;
``print_json(obj)`` prints indented JSON with sorted keys for scripts.
Both write to ``out`` (stdout by default), so tests can capture them.
"""

import json
import sys

import prettytable

FORMATS = ('table', 'json')


def add_format_argument(parser, default='table'):
    """Add the usual ``--format table|json`` option to a parser."""
    parser.add_argument('--format', choices=FORMATS, default=default,
                        help='Output format: a table for people or JSON '
                             'for scripts (default: %(default)s).')


def _cell(value):
    if value is None:
        return ''
    if isinstance(value, float):
        return '%.1f' % value
    if isinstance(value, (list, tuple)):
        return ', '.join(str(_cell(v)) for v in value)
    return value


def format_table(rows, columns, headers=None):
    """A table of ``rows`` (dicts or sequences) as a string.

    ``columns`` names the dict keys to show, in order; ``headers`` their
    titles (the column names by default). None prints as an empty cell,
    floats with one decimal.
    """
    table = prettytable.PrettyTable(list(headers or columns))
    table.align = 'l'
    for row in rows:
        if isinstance(row, dict):
            row = [row.get(column) for column in columns]
        table.add_row([_cell(value) for value in row])
    return table.get_string()


def print_table(rows, columns, headers=None, out=None):
    (out or sys.stdout).write(format_table(rows, columns, headers) + '\n')


def print_json(obj, out=None):
    out = out or sys.stdout
    json.dump(obj, out, indent=2, sort_keys=True)
    out.write('\n')


def error(message, out=None):
    """Print a one-line error for the operator on stderr."""
    (out or sys.stderr).write(message.rstrip('\n') + '\n')
