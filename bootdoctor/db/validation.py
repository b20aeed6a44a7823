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


"""Checks on values before they reach a column.

A value too long for its column is refused with a clear error naming the
column, the same on all three databases (SQLite would store it, MySQL in
strict mode would fail the whole transaction with a driver error).
"""

from bootdoctor.db import exceptions


# {table: {column name: its length}} for the columns that have one.
_LENGTHS = {}


def _lengths(table):
    lengths = _LENGTHS.get(table)
    if lengths is None:
        lengths = _LENGTHS[table] = {
            column.name: column.type.length for column in table.c
            if getattr(column.type, 'length', None) is not None}
    return lengths


def check_lengths(table, row, what):
    """Raise InvalidInput if a string in ``row`` overflows its column."""
    lengths = _lengths(table)
    for name, value in row.items():
        length = lengths.get(name)
        if (length is not None and isinstance(value, str)
                and len(value) > length):
            raise exceptions.InvalidInput(
                '%s: %s.%s is %d characters long, at most %d are allowed'
                % (what, table.name, name, len(value), length))
    return row


def chunks(items, size=500):
    """``items`` in lists of at most ``size`` (for IN clauses)."""
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]
