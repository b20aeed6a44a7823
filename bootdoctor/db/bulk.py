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

"""Many new rows at once: COPY on PostgreSQL, a multi-row INSERT elsewhere.

A batch stores hundreds of notifications (about 2.5 KB of JSON each) and
as many observations. As one multi-row INSERT, SQLAlchemy processes each
row's parameters, psycopg2 quotes every value into a statement of a
megabyte or more, and PostgreSQL parses it. ``COPY ... FROM STDIN``
sends the same rows as tab-separated text that PostgreSQL reads without
parsing SQL.

The rows go through the columns' own bind processing (the same JSON text
and naive UTC timestamps an INSERT stores) and the COPY runs as a
statement of the SQLAlchemy connection, inside its transaction: a
psycopg2 error goes through SQLAlchemy's and oslo.db's error handling
as any statement's does (a duplicate key is a ``DBDuplicateEntry``, a
lost server a ``DBConnectionError``). :func:`install` hooks the COPY
into the engine's execution; without it, and on SQLite and MySQL,
:func:`insert` runs the INSERT.
"""

import datetime
import io

import sqlalchemy as sa

# The execution option carrying a COPY's rows (text), read by the hook.
COPY_ROWS = 'bootdoctor_copy_rows'
# Set on the dialect of an engine whose executions run COPY (see
# install()); the engines of its execution options share it.
INSTALLED = 'bootdoctor_copy'
NULL = '\\N'
# COPY's text format: a backslash escapes, a tab ends a column and a
# line end a row; in a value each is escaped (the backslash first).
_ESCAPES = (('\\', '\\\\'), ('\t', '\\t'), ('\n', '\\n'),
            ('\r', '\\r'))


def install(db_engine):
    """Let :func:`insert` use COPY on this engine (psycopg2 only)."""
    if db_engine.dialect.driver != 'psycopg2':
        return False

    def _copy(cursor, statement, context):
        rows = context.execution_options.get(COPY_ROWS)
        if rows is None:
            return None
        cursor.copy_expert(statement, io.StringIO(rows))
        return True

    sa.event.listen(db_engine, 'do_execute_no_params', _copy)
    setattr(db_engine.dialect, INSTALLED, True)
    return True


def installed(conn):
    return getattr(conn.dialect, INSTALLED, False)


def insert(conn, table, rows):
    """Insert ``rows`` (dicts with the same keys) into ``table``.

    Raises ValueError when the rows' keys differ, as an INSERT of them
    would fail.
    """
    if not rows:
        return
    if not installed(conn):
        conn.execute(sa.insert(table), rows)
        return
    names = list(rows[0])
    dialect = conn.dialect
    processors = [table.c[name].type.dialect_impl(dialect).bind_processor(
        dialect) for name in names]
    pairs = list(zip(names, processors))
    lines = []
    for row in rows:
        if len(row) != len(names):
            raise ValueError('rows of one insert must have the same keys')
        try:
            lines.append('\t'.join([
                _text(process(row[name]) if process else row[name])
                for name, process in pairs]))
        except KeyError as exc:
            raise ValueError('rows of one insert must have the same keys: '
                             '%s is missing' % exc) from None
    lines.append('')
    statement = 'COPY %s (%s) FROM STDIN' % (
        _quote(dialect, table.name),
        ', '.join(_quote(dialect, name) for name in names))
    # Without parameters, the statement goes to the cursor through
    # do_execute_no_params, where the hook runs it as a COPY.
    conn.exec_driver_sql(statement, execution_options={
        COPY_ROWS: '\n'.join(lines), 'no_parameters': True})


def _quote(dialect, name):
    return dialect.identifier_preparer.quote(name)


def _text(value):
    """A value as COPY's text format writes it."""
    if value is None:
        return NULL
    kind = type(value)
    if kind is str:
        for char, escaped in _ESCAPES:
            if char in value:
                value = value.replace(char, escaped)
        return value
    if kind is bool:
        return 't' if value else 'f'
    if kind is datetime.datetime:
        return value.isoformat(sep=' ')
    if kind is int or kind is float:
        return repr(value)
    raise TypeError('no COPY text for %s' % kind.__name__)
