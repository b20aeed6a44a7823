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


def check_lengths(table, row, what):
    """Raise InvalidInput if a string in ``row`` overflows its column."""
    for name, value in row.items():
        if not isinstance(value, str):
            continue
        length = getattr(table.c[name].type, 'length', None)
        if length is not None and len(value) > length:
            raise exceptions.InvalidInput(
                '%s: %s.%s is %d characters long, at most %d are allowed'
                % (what, table.name, name, len(value), length))
    return row


def chunks(items, size=500):
    """``items`` in lists of at most ``size`` (for IN clauses)."""
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]
