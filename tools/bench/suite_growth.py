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
"""The growth part of the benchmark suite (run by tools/bench/suite.py).

Does the cost of a notification grow with the history already stored?
The same fresh stream (``--growth-count`` notifications cloned from the
recorded Nova streams, as replay_bench.py makes them) is replayed into a
SQLite database already holding 0 boots and each of ``--history`` boots,
each run in a process of its own.

The history is made fast: one template of about 500 boots is replayed for
real, then its notifications, observations, boots and phases are copied
in SQL as many times as needed, each copy with its own message ids and
instance uuids (the last 12 hex digits replaced by the copy's number), so
the primary keys and every index hold the full history.
"""

import json
import os
import sqlite3
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE_NOTIFICATIONS = 10000
# Key columns rewritten in each copy, by table.
KEYS = {
    'notifications': ('message_id',),
    'observations': ('message_id', 'instance_uuid'),
    'boots': ('instance_uuid',),
    'boot_phases': ('instance_uuid',),
}


def _replay_bench():
    if HERE not in sys.path:
        sys.path.insert(0, HERE)
    import replay_bench
    return replay_bench


def replay_into(path, url):
    """Replay ``path`` into ``url``; returns the figures (in a child)."""
    from bootdoctor.db import api as db_api
    from bootdoctor.manage import replay
    connection = db_api.Connection(url)
    connection.upgrade()
    started = time.perf_counter()
    run = replay.Replay(connection)
    run.feed_file(path)
    boots = len(run.records(None, None))
    elapsed = time.perf_counter() - started
    connection.close()
    return {'notifications': run.received, 'boots': boots,
            'seconds': round(elapsed, 2),
            'per_second': round(run.received / elapsed, 1)}


def _copy_expression(column, keys):
    if column not in keys:
        return '"%s"' % column
    # A uuid keeps its shape: its last 12 hex digits become the copy's.
    return ("CASE WHEN length({c}) = 36 THEN substr({c}, 1, 24) || "
            "printf('%012x', :copy) ELSE {c} || '-' || :copy END").format(
                c='"%s"' % column)


def fill_history(template, target, boots):
    """Copy the template's rows into ``target`` until it holds ``boots``."""
    db = sqlite3.connect(target)
    db.execute('ATTACH DATABASE ? AS tpl', (template,))
    per_copy = db.execute('SELECT count(*) FROM tpl.boots').fetchone()[0]
    copies = -(-boots // per_copy)
    statements = []
    for table, keys in KEYS.items():
        columns = [row[1] for row in
                   db.execute('PRAGMA tpl.table_info("%s")' % table)]
        statements.append('INSERT INTO main."%s" (%s) SELECT %s FROM tpl."%s"'
                          % (table, ', '.join('"%s"' % c for c in columns),
                             ', '.join(_copy_expression(c, keys)
                                       for c in columns), table))
    for copy in range(1, copies + 1):
        with db:
            for statement in statements:
                db.execute(statement, {'copy': copy})
    stored = db.execute('SELECT count(*) FROM main.boots').fetchone()[0]
    notifications = db.execute(
        'SELECT count(*) FROM main.notifications').fetchone()[0]
    db.close()
    return stored, notifications


def growth(args, directory):
    rb = _replay_bench()
    template_stream = os.path.join(directory, 'template.jsonl')
    fresh_stream = os.path.join(directory, 'fresh.jsonl')
    rb.synthesise(template_stream, TEMPLATE_NOTIFICATIONS)
    written, _ = rb.synthesise(fresh_stream, args.growth_count)
    template = os.path.join(directory, 'template.sqlite')
    replay_into(template_stream, 'sqlite:///' + template)
    runs = []
    for history in [0] + list(args.history):
        target = os.path.join(directory, 'growth-%d.sqlite' % history)
        url = 'sqlite:///' + target
        from bootdoctor.db import api as db_api
        connection = db_api.Connection(url)
        connection.upgrade()
        connection.close()
        started = time.monotonic()
        stored, notifications = (fill_history(template, target, history)
                                 if history else (0, 0))
        filled = time.monotonic() - started
        output = subprocess.run(
            [sys.executable, os.path.abspath(__file__), fresh_stream, url],
            check=True, capture_output=True, text=True).stdout
        result = json.loads(output.strip().splitlines()[-1])
        result.update({'history_boots': stored,
                       'history_notifications': notifications,
                       'fill_seconds': round(filled, 1),
                       'database_mib': round(
                           os.path.getsize(target) / 1048576.0, 1)})
        print('  %d stored boots: %.0f notifications/s' % (
            stored, result['per_second']), flush=True)
        runs.append(result)
        os.unlink(target)
    os.unlink(template)
    return {'stream': written, 'runs': runs}


if __name__ == '__main__':
    print(json.dumps(replay_into(sys.argv[1], sys.argv[2])))
