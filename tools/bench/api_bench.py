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
"""bootdoctor-api latency over a large PostgreSQL database.

Fills a PostgreSQL database with N boot records (default 1,000,000) cloned
server-side from the records that the real pipeline builds from the
bundled Nova streams (bootdoctor/data/streams): 80 % of them the healthy
boot, 20 % the two failures, spread over 100 projects, 200 hosts and the
30 days before 2026-01-01. Then it times, through the whole WSGI stack
(middleware, policy, views, storage; noauth, or with ``--keystone`` real
tokens through auth_token and its token cache, see bench_keystone), each
request beside the hand-written SQL that fetches the same rows over a raw
DB-API connection. The application is called as a WSGI server calls it
(``--client webtest``: through WebTest, as runs before 2026-12-06 did):

- ``list``: GET /v1/boots?status=error&limit=100 as a project reader,
  first page and the page after its marker, beside the SELECT of the
  stored list items (boots.listing) of the same rows;
- ``show``: GET /v1/boots/{uuid} of a random boot;
- ``stats``: GET /v1/stats over one day of every project;
- ``stack floor``: the list's caller and token through the same stack
  (middleware, auth_token, Flask) to a view the benchmark adds, which
  reads nothing: what every request pays before its first query, with
  no SQL beside it.

It prints p50 and p99 of each and the ratio API / SQL. No timing is
asserted anywhere; this only reports.

    python tools/bench/api_bench.py [--boots 1000000] [--requests 300]
        [--url postgresql+psycopg2://postgres@127.0.0.1/bootdoctor_bench_api]
        [--reuse] [--drop] [--json out.json] [--keystone [CREDENTIALS]]
        [--client wsgi|webtest]

``--reuse`` keeps a database already filled with the same number of boots;
``--drop`` drops the database at the end (it takes a few GB at 1,000,000).
"""

import argparse
import datetime
import glob
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
from urllib import parse

import sqlalchemy as sa

import bench_keystone

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
STREAMS = os.path.join(REPO, 'bootdoctor', 'data', 'streams')
DEFAULT_URL = ('postgresql+psycopg2://postgres@127.0.0.1:5432/'
               'bootdoctor_bench_api')
PROJECTS = 100
HOSTS = 200
END = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
SPAN = datetime.timedelta(days=30)
CHUNK = 50000
FLOOR_PATH = '/v1/bench-floor'
FLOOR = 'stack floor'


def templates():
    """The records the real pipeline builds from the bundled streams."""
    from bootdoctor.db import api as db_api
    from bootdoctor import notification
    from bootdoctor import pipeline
    with tempfile.TemporaryDirectory() as tmp:
        conn = db_api.Connection('sqlite:///%s/t.sqlite' % tmp)
        conn.upgrade()
        records = []
        for path in sorted(glob.glob(os.path.join(STREAMS, '*.jsonl'))):
            parsed = [notification.parse(item) for _line, item
                      in notification.read_messages(path)
                      if not isinstance(item, notification.ParseError)]
            new = conn.add_observations(parsed)
            uuids = {o.instance_uuid for o in new if o.instance_uuid}
            records += [r.to_dict() for r in pipeline.rebuild(
                conn, uuids, now=max(o.timestamp for o in new))]
        conn.close()
    healthy = [r for r in records if r['status'] == 'active']
    failed = [r for r in records if r['status'] == 'error']
    if not healthy or not failed:
        sys.exit('the bundled streams gave no active and error boots')
    # Ten slots: eight healthy, two failed.
    return [healthy[0]] * 8 + [failed[i % len(failed)] for i in range(2)]


def prepare_database(url, boots, reuse):
    admin_url = sa.engine.make_url(url).set(database='postgres')
    name = sa.engine.make_url(url).database
    admin = sa.create_engine(admin_url, isolation_level='AUTOCOMMIT')
    with admin.connect() as conn:
        exists = conn.execute(sa.text(
            'SELECT 1 FROM pg_database WHERE datname = :n'), {'n': name}
        ).first()
        if exists and reuse:
            engine = sa.create_engine(url)
            with engine.connect() as check:
                try:
                    count = check.execute(sa.text(
                        'SELECT count(*) FROM boots')).scalar()
                except sa.exc.ProgrammingError:
                    count = None
            engine.dispose()
            if count == boots:
                print('reusing %s with %d boots' % (name, count))
                admin.dispose()
                return False
        if exists:
            conn.execute(sa.text('DROP DATABASE %s' % name))
        conn.execute(sa.text('CREATE DATABASE %s' % name))
    admin.dispose()
    return True


def drop_database(url):
    admin_url = sa.engine.make_url(url).set(database='postgres')
    admin = sa.create_engine(admin_url, isolation_level='AUTOCOMMIT')
    with admin.connect() as conn:
        conn.execute(sa.text('DROP DATABASE IF EXISTS %s WITH (FORCE)'
                             % sa.engine.make_url(url).database))
    admin.dispose()


def fill(url, boots):
    from bootdoctor.db import api as db_api
    from bootdoctor.db import records as db_records
    connection = db_api.Connection(url)
    connection.upgrade()
    slots = templates()
    engine = connection.engine
    rows = []
    for slot, record in enumerate(slots):
        row = db_records.boot_row(record)
        rows.append({
            'slot': slot, 'uuid': record['instance_uuid'],
            'project': record['project_id'], 'status': row['status'],
            'phase': row['phase'], 'step': row['step'],
            'failed_step': row['failed_step'],
            'failed_component': row['failed_component'],
            'duration_s': row['duration_s'],
            'record': json.dumps(record),
            'listing': json.dumps(row['listing'], separators=(',', ':')),
            'has_traceback': row['has_traceback'],
            'phases': json.dumps({p['phase']: p['duration_s']
                                  for p in db_records.phase_rows(row)})})
    started = time.monotonic()
    seconds = SPAN.total_seconds() / boots
    # One transaction per chunk; the temporary table lives in the session.
    with engine.connect() as conn:
        conn.execute(sa.text(
            'CREATE TEMPORARY TABLE t (slot int, uuid text, project text, '
            'status text, phase text, step int, failed_step int, '
            'failed_component text, duration_s float8, record text, '
            'listing text, has_traceback boolean, phases jsonb)'))
        conn.execute(sa.text(
            'INSERT INTO t VALUES (:slot, :uuid, :project, :status, :phase, '
            ':step, :failed_step, :failed_component, :duration_s, :record, '
            ':listing, :has_traceback, CAST(:phases AS jsonb))'), rows)
        conn.commit()
        for first in range(0, boots, CHUNK):
            last = min(first + CHUNK, boots)
            params = {'first': first, 'last': last - 1, 'end': END,
                      'step': seconds, 'projects': PROJECTS, 'hosts': HOSTS}
            # The writable CTE stores the boots; the outer INSERT their
            # phase durations, as save_records would.
            conn.execute(sa.text('''
                WITH g AS (
                    SELECT i, md5(i::text)::uuid::text AS uuid,
                           'project-' || ((i / 7) % :projects) AS project,
                           'compute-' || ((i / 3) % :hosts) AS host,
                           CAST(:end AS timestamp)
                             - make_interval(secs => i * :step) AS created
                    FROM generate_series(:first, :last) AS i),
                stored AS (
                    INSERT INTO boots (instance_uuid, project_id, user_id,
                        request_id, status, phase, step, host, failed_step,
                        failed_component, failed_host, created_at,
                        updated_at, finished_at, duration_s,
                        observation_count, record, listing, has_traceback)
                    SELECT g.uuid, g.project, 'user-' || (g.i % 1000),
                        'req-' || g.uuid, t.status, t.phase, t.step, g.host,
                        t.failed_step, t.failed_component,
                        CASE WHEN t.failed_step IS NULL THEN NULL
                             ELSE g.host END,
                        g.created, g.created + interval '1 minute',
                        g.created + interval '1 minute', t.duration_s, 30,
                        replace(replace(t.record, t.uuid, g.uuid),
                                t.project, g.project),
                        replace(replace(t.listing, t.uuid, g.uuid),
                                t.project, g.project),
                        t.has_traceback
                    FROM g JOIN t ON t.slot = g.i % 10)
                INSERT INTO boot_phases (instance_uuid, phase, project_id,
                    host, created_at, duration_s)
                SELECT g.uuid, p.key, g.project, g.host, g.created,
                    p.value::float8
                FROM g JOIN t ON t.slot = g.i % 10
                CROSS JOIN LATERAL jsonb_each_text(t.phases) AS p
            '''), params)
            conn.commit()
            rate = last / (time.monotonic() - started)
            print('  %d boots stored (%.0f/s)' % (last, rate), flush=True)
    with engine.connect().execution_options(
            isolation_level='AUTOCOMMIT') as conn:
        conn.execute(sa.text('VACUUM ANALYZE boots'))
        conn.execute(sa.text('VACUUM ANALYZE boot_phases'))
    print('filled %d boots in %.0f s' % (boots, time.monotonic() - started))
    connection.close()


def percentiles(samples):
    ordered = sorted(samples)

    def pick(q):
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered)
                                                            - 1))))]
    return {'p50': statistics.median(ordered), 'p99': pick(0.99),
            'n': len(ordered)}


def timed(func, count, warmup):
    for _ in range(warmup):
        func()
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        func()
        samples.append((time.perf_counter() - started) * 1000.0)
    return percentiles(samples)


def api_app(url, creds=None):
    """The API in the process, as a WSGI server builds it.

    Without ``creds`` it runs noauth; with the credentials of the
    Keystone of tools/keystone, behind auth_token (bench_keystone).
    """
    from oslo_config import cfg
    from oslo_log import log
    import webtest

    from bootdoctor.api import app as api_app_mod
    from bootdoctor.api import wsgi_app
    from bootdoctor import conf as bd_conf
    conf = cfg.ConfigOpts()
    log.register_options(conf)
    bd_conf.register_opts(conf)
    if creds is None:
        conf([], project='bootdoctor', default_config_files=[])
        conf.set_override('connection', url, group='database')
        conf.set_override('auth_strategy', 'noauth', group='api')
        conf.set_override('max_pool_size', 5, group='database')
    else:
        path = bench_keystone.write_config(
            os.path.join(tempfile.mkdtemp(prefix='api-bench-'),
                         'bootdoctor.conf'), creds, url)
        conf([], project='bootdoctor', default_config_files=[path])
    app = api_app_mod.create_app(conf)
    # Not part of the API: a view that reads nothing, to time what the
    # middleware, auth_token, policy-free Flask dispatch cost by
    # themselves (the floor under every request).
    app.add_url_rule(FLOOR_PATH, 'bench_floor',
                     lambda: app.response_class(
                         '{}', mimetype='application/json'))
    application = api_app_mod.wrap(app, conf)
    # As bootdoctor.api.wsgi_app.init_application does.
    wsgi_app.freeze_startup_objects()
    return webtest.TestApp(application)


class WSGIClient:
    """Calls the application as a WSGI server does, and nothing more.

    The environ a server would pass for a GET, the body read to its end,
    the status checked: what uWSGI does in C around each request. WebTest
    (``--client webtest``) also runs its lint checks on every request
    and response and builds a TestResponse, about 0.15 ms a request of
    Python that no deployment runs.
    """

    def __init__(self, application):
        self.application = application
        self.base = {
            'REQUEST_METHOD': 'GET', 'SCRIPT_NAME': '',
            'SERVER_NAME': '127.0.0.1', 'SERVER_PORT': '8795',
            'SERVER_PROTOCOL': 'HTTP/1.1', 'REMOTE_ADDR': '127.0.0.1',
            'wsgi.version': (1, 0), 'wsgi.url_scheme': 'http',
            'wsgi.errors': sys.stderr, 'wsgi.multithread': False,
            'wsgi.multiprocess': True, 'wsgi.run_once': False}

    def get(self, path, params=None, headers=None):
        path, _, query = path.partition('?')
        if params:
            query = '&'.join(filter(None, [query, parse.urlencode(params)]))
        environ = dict(self.base, PATH_INFO=path, QUERY_STRING=query)
        environ['wsgi.input'] = io.BytesIO(b'')
        for name, value in (headers or {}).items():
            environ['HTTP_' + name.upper().replace('-', '_')] = value
        statuses = []

        def start_response(status, response_headers, exc_info=None):
            statuses.append(status)
        result = self.application(environ, start_response)
        try:
            body = b''.join(result)
        finally:
            if hasattr(result, 'close'):
                result.close()
        if not statuses[0].startswith('200'):
            raise RuntimeError('GET %s: %s %s' % (path, statuses[0], body))
        return body


def run(url, requests, warmup, creds=None, client='wsgi'):
    app = api_app(url, creds)
    timed_app = app if client == 'webtest' else WSGIClient(app.app)
    raw = sa.create_engine(url).raw_connection()
    cursor = raw.cursor()
    cursor.execute('SELECT instance_uuid FROM boots TABLESAMPLE SYSTEM (1) '
                   'LIMIT 2000')
    uuids = [row[0] for row in cursor.fetchall()]
    if not uuids:
        # A small table: the sample of its pages may be empty.
        cursor.execute('SELECT instance_uuid FROM boots LIMIT 2000')
        uuids = [row[0] for row in cursor.fetchall()]
    rng = random.Random(42)
    project = 'project-7'
    reader = {'X-Project-Id': project, 'X-Roles': 'reader'}
    admin = {'X-Project-Id': 'admin', 'X-Roles': 'admin'}
    if creds is not None:
        project = bench_keystone.adopt(url, creds)
        reader, admin = bench_keystone.headers(creds)
    day_end = END - datetime.timedelta(days=3)
    day = {'since': (day_end - datetime.timedelta(days=1)).isoformat(),
           'until': day_end.isoformat()}
    first = app.get('/v1/boots?status=error&limit=100',
                    headers=reader).json['boots']
    marker = first[-1]['instance_uuid']
    results = {}

    # list, first page
    def api_list():
        timed_app.get('/v1/boots?status=error&limit=100', headers=reader)

    def sql_list():
        # The stored list items, as GET /v1/boots returns them to a reader.
        cursor.execute(
            'SELECT listing FROM boots WHERE project_id = %s AND status = %s '
            'ORDER BY created_at DESC, instance_uuid DESC LIMIT 101',
            (project, 'error'))
        cursor.fetchall()
        raw.commit()
    results['list'] = (timed(api_list, requests, warmup),
                       timed(sql_list, requests, warmup))

    # list, the page after a marker
    cursor.execute('SELECT created_at FROM boots WHERE instance_uuid = %s',
                   (marker,))
    mark_at = cursor.fetchone()[0]

    def api_next():
        timed_app.get('/v1/boots?status=error&limit=100&marker=%s'
                      % marker, headers=reader)

    def sql_next():
        cursor.execute(
            'SELECT created_at FROM boots WHERE instance_uuid = %s '
            'AND project_id = %s', (marker, project))
        cursor.fetchall()
        cursor.execute(
            'SELECT listing FROM boots WHERE project_id = %s AND status = %s '
            'AND created_at <= %s AND (created_at, instance_uuid) < (%s, %s) '
            'ORDER BY created_at DESC, instance_uuid DESC LIMIT 101',
            (project, 'error', mark_at, mark_at, marker))
        cursor.fetchall()
        raw.commit()
    results['list next page'] = (timed(api_next, requests, warmup),
                                 timed(sql_next, requests, warmup))

    # one boot
    def api_show():
        uuid = rng.choice(uuids)
        timed_app.get('/v1/boots/%s' % uuid, headers=admin)

    def sql_show():
        cursor.execute('SELECT record FROM boots WHERE instance_uuid = %s',
                       (rng.choice(uuids),))
        cursor.fetchall()
        raw.commit()
    results['show'] = (timed(api_show, requests, warmup),
                       timed(sql_show, requests, warmup))

    # stats over one day
    def api_stats():
        timed_app.get('/v1/stats', params=dict(day, all_projects='true'),
                      headers=admin)

    def sql_stats():
        # The statements the storage layer runs, in one transaction.
        window = (day['since'], day['until'])
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(
            'SELECT status, count(*) FROM boots WHERE created_at >= %s '
            "AND created_at < %s AND status IN ('building', 'active', "
            "'error', 'stuck', 'deleted') GROUP BY status", window)
        cursor.fetchall()
        cursor.execute(
            'SELECT failed_step, failed_component, failed_host, count(*) '
            'FROM boots WHERE created_at >= %s AND created_at < %s AND '
            "status IN ('error', 'stuck') GROUP BY 1, 2, 3", window)
        cursor.fetchall()
        cursor.execute(
            'SELECT phase, count(*), '
            'percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_s), '
            'percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_s), '
            'percentile_cont(0.99) WITHIN GROUP (ORDER BY duration_s) '
            "FROM boot_phases WHERE phase IN ('scheduling', 'networking', "
            "'block_device_mapping', 'spawning') AND created_at >= %s "
            'AND created_at < %s GROUP BY phase', window)
        cursor.fetchall()
        raw.commit()
    results['stats (1 day)'] = (timed(api_stats, max(20, requests // 10),
                                      min(warmup, 3)),
                                timed(sql_stats, max(20, requests // 10),
                                      min(warmup, 3)))

    # The same stack, caller and token around a view that reads nothing.
    def api_floor():
        timed_app.get(FLOOR_PATH, headers=reader)
    results[FLOOR] = (timed(api_floor, requests, warmup), None)
    raw.close()
    return results


def report(results):
    print('\n%-16s %10s %10s %10s %10s %8s %8s' % (
        'request', 'API p50', 'API p99', 'SQL p50', 'SQL p99',
        'p50 x', 'p99 x'))
    out = {}
    for name, (api, sql) in results.items():
        if sql is None:
            print('%-16s %8.2fms %8.2fms %10s %10s' % (
                name, api['p50'], api['p99'], '-', '-'))
        else:
            print('%-16s %8.2fms %8.2fms %8.2fms %8.2fms %8.2f %8.2f' % (
                name, api['p50'], api['p99'], sql['p50'], sql['p99'],
                api['p50'] / sql['p50'], api['p99'] / sql['p99']))
        out[name] = {'api': api, 'sql': sql}
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--url', default=DEFAULT_URL)
    parser.add_argument('--boots', type=int, default=1000000)
    parser.add_argument('--requests', type=int, default=300)
    parser.add_argument('--warmup', type=int, default=20)
    parser.add_argument('--reuse', action='store_true')
    parser.add_argument('--json')
    parser.add_argument(
        '--keystone', nargs='?', metavar='CREDENTIALS',
        const=bench_keystone.default_credentials(REPO),
        help='send real tokens through auth_token to the Keystone whose '
             'credentials tools/keystone/keystone-dev.sh wrote (default '
             '.keystone/credentials.json); noauth without it')
    parser.add_argument('--drop', action='store_true',
                        help='drop the database at the end')
    parser.add_argument(
        '--client', choices=('wsgi', 'webtest'), default='wsgi',
        help='wsgi (default): time the application called as a WSGI '
             'server calls it; webtest: through WebTest and its lint '
             'checks, as runs before 2026-12-06 did')
    args = parser.parse_args(argv)
    if prepare_database(args.url, args.boots, args.reuse):
        print('filling %d boots...' % args.boots, flush=True)
        fill(args.url, args.boots)
    creds = bench_keystone.load(args.keystone) if args.keystone else None
    auth = 'keystone' if creds else 'noauth'
    print('auth: %s; client: %s' % (
        'auth_token, Keystone at %s' % creds['auth_url'] if creds
        else 'noauth', args.client))
    results = report(run(args.url, args.requests, args.warmup, creds,
                         args.client))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump({'boots': args.boots, 'auth': auth,
                       'client': args.client, 'results': results}, f,
                      indent=2)
    if args.drop:
        drop_database(args.url)
    return 0


if __name__ == '__main__':
    sys.exit(main())
