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

"""A batch's boot records are updated a page at a time on PostgreSQL.

Against the real PostgreSQL: saving 150 changed records sends the UPDATEs
in two round trips (pages of 100 and 50), not 150, and every record is
stored as saved.
"""

import sqlalchemy as sa

from bootdoctor.tests.functional.db import servers
from bootdoctor.tests.unit.db import fakes

RECORDS = 150


def test_updates_go_a_page_at_a_time():
    with servers.connection('postgresql') as conn:
        conn.save_records([fakes.record(n, status='building')
                           for n in range(RECORDS)])
        sent = []

        def capture(sa_conn, cursor, statement, parameters, context, many):
            if statement.startswith('UPDATE boots'):
                # What psycopg2 sent last for this statement.
                sent.append(cursor.query.count(b'UPDATE boots'))
        sa.event.listen(conn.engine, 'after_cursor_execute', capture)
        conn.save_records([fakes.record(n, status='active')
                           for n in range(RECORDS)])
        sa.event.remove(conn.engine, 'after_cursor_execute', capture)
        # One executemany; its last page held the last 50 UPDATEs.
        assert sent == [RECORDS - 100]
        stored = conn.list_records({}, None, limit=RECORDS + 1,
                                   detail=False)
        assert len(stored) == RECORDS
        assert {r['status'] for r in stored} == {'active'}
