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
import shutil
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


# PostgreSQL ----------------------------------------------------------------

def _pg_copy_expression(column, keys, shift=None):
    """The value of ``column`` in copy ``g.copy``.

    With ``shift`` (seconds) a timestamp moves that many seconds further
    into the past at each copy, so that the history spreads over time
    before the fresh stream, as a cloud's history does, instead of piling
    every copy into the template's minutes.
    """
    if shift and column[1].startswith('timestamp'):
        return '"%s" - g.copy * interval \'%d seconds\'' % (column[0], shift)
    column = column[0] if isinstance(column, tuple) else column
    if column not in keys:
        return '"%s"' % column
    return ("CASE WHEN length({c}) = 36 THEN substr({c}, 1, 24) || "
            "lpad(to_hex(g.copy), 12, '0') ELSE {c} || '-' || g.copy "
            "END").format(c='"%s"' % column)


def fill_history_pg(url, boots, step=10, spread=False):
    """Turn a copy of the template database into ``boots`` of history.

    The template's rows are moved aside, then copied back ``copies`` times
    with new keys (no copy keeps the template's own keys, so the fresh
    stream, cloned from the same recordings, has no duplicates in it). The
    secondary indexes are dropped during the bulk copy and built again
    afterwards, then the tables are analysed, as after a restore.
    """
    import sqlalchemy as sa
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        per_copy = conn.exec_driver_sql(
            'SELECT count(*) FROM boots').scalar()
        copies = -(-boots // per_copy)
        # The template's span, plus a minute, is how far each copy moves.
        shift = int(conn.exec_driver_sql(
            'SELECT extract(epoch FROM max("timestamp") - min("timestamp")) '
            'FROM notifications').scalar() or 0) + 60 if spread else None
        indexes = [row[0] for row in conn.exec_driver_sql(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' "
            "AND tablename IN (%s) AND right(indexname, 5) <> '_pkey'" %
            ', '.join("'%s'" % t for t in KEYS))]
        for name in conn.exec_driver_sql(
                "SELECT indexname FROM pg_indexes WHERE schemaname = "
                "'public' AND tablename IN (%s) AND right(indexname, 5) <> "
                "'_pkey'" % ', '.join("'%s'" % t for t in KEYS)).scalars():
            conn.exec_driver_sql('DROP INDEX "%s"' % name)
        for table, keys in KEYS.items():
            columns = [tuple(row) for row in conn.exec_driver_sql(
                'SELECT column_name, data_type FROM information_schema.'
                "columns WHERE table_name = '%s' ORDER BY ordinal_position"
                % table)]
            conn.exec_driver_sql('CREATE UNLOGGED TABLE "tpl_%s" AS SELECT * '
                                 'FROM "%s"' % (table, table))
            conn.exec_driver_sql('TRUNCATE "%s"' % table)
            for first in range(1, copies + 1, step):
                conn.exec_driver_sql(
                    'INSERT INTO "%s" (%s) SELECT %s FROM "tpl_%s" CROSS JOIN '
                    'generate_series(%d, %d) AS g(copy)' % (
                        table, ', '.join('"%s"' % c[0] for c in columns),
                        ', '.join(_pg_copy_expression(c, keys, shift)
                                  for c in columns), table,
                        first, min(copies, first + step - 1)))
            conn.exec_driver_sql('DROP TABLE "tpl_%s"' % table)
        for statement in indexes:
            conn.exec_driver_sql(statement)
        stored = conn.exec_driver_sql('SELECT count(*) FROM boots').scalar()
        notifications = conn.exec_driver_sql(
            'SELECT count(*) FROM notifications').scalar()
    with engine.connect().execution_options(
            isolation_level='AUTOCOMMIT') as conn:
        conn.exec_driver_sql('VACUUM ANALYZE')
        size = conn.exec_driver_sql(
            'SELECT pg_database_size(current_database())').scalar()
    engine.dispose()
    return stored, notifications, size


def _pg_admin(args, statement):
    import sqlalchemy as sa
    engine = sa.create_engine(args.postgresql, isolation_level='AUTOCOMMIT')
    with engine.connect() as conn:
        result = conn.exec_driver_sql(statement)
        result = result.fetchall() if result.returns_rows else None
    engine.dispose()
    return result


def _measure(fresh_stream, url):
    output = subprocess.run(
        [sys.executable, os.path.abspath(__file__), fresh_stream, url],
        check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def growth_pg(args, databases, directory, template_stream, fresh_stream):
    """Growth on PostgreSQL; sizes over ``--growth-disk-limit`` skipped."""
    template_url = databases.new('postgresql', 'growth_template')
    template_db = databases.created[-1]
    replay_into(template_stream, template_url)
    per_boot = empty = None
    runs, skipped = [], []
    limit = args.growth_disk_limit * 1024 ** 3
    started_all = time.monotonic()
    time_limit = getattr(args, 'growth_time_limit', None)
    for history in [0] + list(args.history):
        spent = time.monotonic() - started_all
        if history and time_limit and spent > time_limit:
            skipped.append({'history_boots': history, 'why': (
                'the section had run %.0f s, over its --growth-time-limit '
                'of %.0f s' % (spent, time_limit))})
            print('  %d stored boots: skipped, %s' % (
                history, skipped[-1]['why']), flush=True)
            continue
        if history and per_boot:
            estimate = empty + per_boot * history
            free = shutil.disk_usage(args.growth_disk_path).free
            if estimate > limit or estimate > free:
                skipped.append({
                    'history_boots': history,
                    'estimated_gib': round(estimate / 1024.0 ** 3, 1),
                    'why': 'estimated %.1f GiB at %.0f KiB a boot, over the '
                           '%s GiB disk limit (--growth-disk-limit) or the '
                           '%.1f GiB free' % (
                               estimate / 1024.0 ** 3, per_boot / 1024.0,
                               args.growth_disk_limit, free / 1024.0 ** 3)})
                print('  %d stored boots: skipped, %s' % (
                    history, skipped[-1]['why']), flush=True)
                continue
        started = time.monotonic()
        if history:
            name = '%s_%d' % (template_db, history)
            _pg_admin(args, 'CREATE DATABASE %s TEMPLATE %s' % (
                name, template_db))
            url = databases.url_for(name)
            stored, notifications, size = fill_history_pg(
                url, history, spread=getattr(args, 'growth_spread', False))
            per_boot = (size - empty) / float(stored)
        else:
            url = databases.new('postgresql', 'growth_0')
            name = databases.created[-1]
            stored = notifications = 0
            size = empty = _pg_admin(
                args, "SELECT pg_database_size('%s')" % name)[0][0]
        filled = time.monotonic() - started
        result = _measure(fresh_stream, url)
        result.update({'history_boots': stored,
                       'history_notifications': notifications,
                       'fill_seconds': round(filled, 1),
                       'database_mib': round(size / 1048576.0, 1)})
        print('  %d stored boots: %.0f notifications/s' % (
            stored, result['per_second']), flush=True)
        runs.append(result)
        _pg_admin(args, 'DROP DATABASE IF EXISTS %s WITH (FORCE)' % name)
    return runs, skipped


def growth(args, directory, databases=None):
    rb = _replay_bench()
    template_stream = os.path.join(directory, 'template.jsonl')
    fresh_stream = os.path.join(directory, 'fresh.jsonl')
    rb.synthesise(template_stream, TEMPLATE_NOTIFICATIONS)
    written, _ = rb.synthesise(fresh_stream, args.growth_count)
    if getattr(args, 'growth_backend', 'sqlite') == 'postgresql':
        runs, skipped = growth_pg(args, databases, directory,
                                  template_stream, fresh_stream)
        return {'stream': written, 'backend': 'postgresql', 'runs': runs,
                'skipped': skipped,
                'history_spread': getattr(args, 'growth_spread', False)}
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
    return {'stream': written, 'backend': 'sqlite', 'runs': runs}


if __name__ == '__main__':
    print(json.dumps(replay_into(sys.argv[1], sys.argv[2])))
