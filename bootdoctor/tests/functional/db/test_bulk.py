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

"""bulk.insert on each backend: COPY on PostgreSQL, INSERT elsewhere."""

import datetime

from oslo_db import exception as db_exc
import pytest
import sqlalchemy as sa

from bootdoctor.db import bulk
from bootdoctor.db import models
from bootdoctor.tests.functional.db import servers

N = models.notifications
UTC = datetime.timezone.utc
# Every character COPY's text format treats specially, and some it does
# not.
AWKWARD = ['back\\slash', 'tab\there', 'line\nend', 'carriage\rreturn',
           '\\N', '\\\\N\t\n', 'quote\'s "double"', 'é ü 中文 🙂', '',
           '\\u0000 as text', 'trailing backslash\\']


def _rows(prefix):
    rows = []
    for i, text in enumerate(AWKWARD):
        rows.append({
            'message_id': '%s-%d' % (prefix, i),
            'event_type': text or 'empty',
            'publisher_id': None if i % 3 == 0 else text,
            'priority': 'INFO',
            'timestamp': datetime.datetime(2026, 12, 6, 8, 42, 21, i * 7,
                                           tzinfo=UTC),
            # A naive time is UTC, as for an INSERT.
            'received_at': datetime.datetime(2026, 12, 6, 9, 0, i),
            'message': {'text': text, 'list': [text, None, 1.5, True, 3],
                        'nested': {text: {'deeper': text}}},
        })
    return rows


def _stored(conn, prefix):
    rows = conn.execute(
        sa.select(N, sa.type_coerce(N.c.message, sa.Text()).label('raw'))
        .where(N.c.message_id.like(prefix + '-%'))
        .order_by(N.c.timestamp)).mappings().all()
    return [dict(row) for row in rows]


def _statements(connection):
    seen = []

    def before(conn, cursor, statement, parameters, context, many):
        seen.append(statement.split(None, 1)[0].upper())
    sa.event.listen(connection.engine, 'before_cursor_execute', before)
    return seen, lambda: sa.event.remove(connection.engine,
                                         'before_cursor_execute', before)


def test_rows_come_back_as_given(connection):
    rows = _rows('given')
    seen, stop = _statements(connection)
    try:
        with connection._writer.begin() as conn:
            bulk.insert(conn, N, rows)
    finally:
        stop()
    with connection.engine.connect() as conn:
        stored = _stored(conn, 'given')
    assert len(stored) == len(rows)
    for row, back in zip(rows, stored):
        for key, value in row.items():
            if key == 'received_at':
                value = value.replace(tzinfo=UTC)
            assert back[key] == value, key
    expected = 'COPY' if connection.dialect == 'postgresql' else 'INSERT'
    assert expected in seen
    with connection.engine.connect() as conn:
        assert bulk.installed(conn) is (connection.dialect == 'postgresql')


def test_bulk_stores_what_an_insert_stores(connection):
    # On PostgreSQL the first is a COPY.
    with connection._writer.begin() as conn:
        bulk.insert(conn, N, _rows('copy'))
        conn.execute(sa.insert(N), _rows('insert'))
    with connection.engine.connect() as conn:
        copied = _stored(conn, 'copy')
        inserted = _stored(conn, 'insert')
    assert len(copied) == len(inserted) == len(AWKWARD)
    for one, other in zip(copied, inserted):
        one.pop('message_id')
        other.pop('message_id')
        # The same JSON text, character for character.
        assert one == other


def test_a_duplicate_key_is_oslo_db_s_duplicate_entry(connection):
    rows = _rows('dup')[:2]
    with connection._writer.begin() as conn:
        bulk.insert(conn, N, rows)
    with pytest.raises(db_exc.DBDuplicateEntry):
        with connection._writer.begin() as conn:
            bulk.insert(conn, N, rows[1:])
    # The failed transaction left nothing behind.
    with connection.engine.connect() as conn:
        assert len(_stored(conn, 'dup')) == 2


def test_a_failed_copy_leaves_the_connection_usable(connection):
    rows = _rows('again')
    with connection._writer.begin() as conn:
        bulk.insert(conn, N, rows[:1])
    for _ in range(3):
        with pytest.raises(db_exc.DBDuplicateEntry):
            with connection._writer.begin() as conn:
                bulk.insert(conn, N, rows[:2])
    with connection._writer.begin() as conn:
        bulk.insert(conn, N, rows[1:])
    with connection.engine.connect() as conn:
        assert len(_stored(conn, 'again')) == len(rows)


def test_nothing_to_insert_runs_no_statement(connection):
    seen, stop = _statements(connection)
    try:
        with connection._writer.begin() as conn:
            bulk.insert(conn, N, [])
    finally:
        stop()
    assert 'COPY' not in seen and 'INSERT' not in seen


@pytest.fixture(scope='module')
def postgresql():
    with servers.connection('postgresql') as conn:
        yield conn


def test_a_server_lost_during_a_copy_is_a_connection_error(postgresql):
    rows = _rows('lost')
    with pytest.raises(db_exc.DBConnectionError):
        with postgresql._writer.begin() as conn:
            pid = conn.exec_driver_sql('SELECT pg_backend_pid()').scalar()
            admin, _ = servers._admin_engine('postgresql')
            try:
                with admin.connect() as other:
                    other.exec_driver_sql(
                        'SELECT pg_terminate_backend(%d)' % pid)
            finally:
                admin.dispose()
            bulk.insert(conn, N, rows)
    # The pool recovers; nothing of the lost transaction was stored.
    with postgresql.engine.connect() as conn:
        assert _stored(conn, 'lost') == []
    with postgresql._writer.begin() as conn:
        bulk.insert(conn, N, rows)
    with postgresql.engine.connect() as conn:
        assert len(_stored(conn, 'lost')) == len(rows)


def test_a_parsed_message_is_stored_as_its_own_text(connection):
    # The parser encodes the message once; storage writes that text, the
    # same as it would have encoded, and it reads back as the message.
    from bootdoctor import notification
    from bootdoctor.tests.unit.notification import samples

    message = samples.jsonl('recorded', 'a_boot_success.jsonl')[20]
    message['payload']['display_name'] = 'vm-é-🙂 \\ \t'
    parsed = notification.parse(message)
    assert parsed.message_json
    connection.add_observations([parsed])
    with connection.engine.connect() as conn:
        row = conn.execute(
            sa.select(N.c.message,
                      sa.type_coerce(N.c.message, sa.Text()).label('raw'))
            .where(N.c.message_id == parsed.message_id)).one()
    assert row.raw == parsed.message_json
    assert row.message == parsed.message
