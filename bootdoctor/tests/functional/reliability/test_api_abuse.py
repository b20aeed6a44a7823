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

"""Abuse of bootdoctor-api: injections, huge pages, bad tokens, policy.

On SQLite, PostgreSQL and MariaDB (the API's own backend fixture): SQL
injection strings in every filter and path parameter, absurd limits and
markers; none may reach a 500, widen a result or change the data. Against
the real Keystone (the API's own fixtures): the whole policy matrix with
real tokens of every seeded persona, tracebacks and raw notifications
hidden from everyone but the admin, and 10,000 requests with bad tokens
to a running bootdoctor-api, counting what reaches Keystone.
"""

import base64
import collections
from concurrent import futures
import http.client
import os
import random
import re
import signal
import subprocess
import sys
import time
from urllib import parse
import uuid

import pytest
import webtest

from bootdoctor.api import wsgi_app
from bootdoctor.db import api as db_api
from bootdoctor.tests.functional.api import conftest as api_conftest
from bootdoctor.tests.functional.api import test_server
from bootdoctor.tests.functional.api.test_backends import backend  # noqa
from bootdoctor.tests.unit.api import conftest as c
from bootdoctor.tests.unit.api import data

INJECTIONS = (
    "' OR '1'='1", "' OR 1=1 --", "1' OR '1'='1' /*",
    "'; DROP TABLE boots; --",
    "x'); DELETE FROM observations; --", '" OR ""="', "%' OR '%'='",
    "' UNION SELECT instance_uuid, project_id FROM boots --",
    "compute1' AND SLEEP(5) --", "'||pg_sleep(5)||'", '\\', '\\\'', '%', '_',
    '*', '\x00', "0 OR 1=1", '<script>alert(1)</script>', '${jndi:x}',
    'a' * 5000,
)
BOOT_FILTERS = ('status', 'phase', 'host', 'failed_component', 'request_id',
                'project_id')
BOOT_OTHERS = ('since', 'until', 'sort', 'limit', 'marker', 'all_projects')
STATS_PARAMS = ('since', 'until', 'group_by', 'project_id', 'all_projects')


def _get(app, path, params, headers):
    url = path + ('?' + parse.urlencode(params) if params else '')
    return app.get(url, headers=headers, expect_errors=True)


def _counts(app):
    body = app.get('/v1/boots?all_projects=true&limit=1000',
                   headers=c.ADMIN).json
    return len(body['boots'])


def test_sql_injection_in_every_parameter(backend):  # noqa: F811
    app, dataset = backend
    before = _counts(app)
    mine = {r['instance_uuid'] for r in dataset.of_project(c.PROJECT_A)}
    outcomes = collections.Counter()
    for value in INJECTIONS:
        for who, headers, extra in (('member', c.MEMBER_A, {}),
                                    ('admin', c.ADMIN,
                                     {'all_projects': 'true'})):
            for name in BOOT_FILTERS + BOOT_OTHERS:
                response = _get(app, '/v1/boots', dict(extra, **{name: value}),
                                headers)
                outcomes['boots', name, response.status_int] += 1
                assert response.status_int in (200, 400, 403), (
                    name, value, response.status_int, response.text[:300])
                if response.status_int == 200:
                    got = {b['instance_uuid'] for b in response.json['boots']}
                    if name in BOOT_FILTERS:
                        # Nothing has that value: nothing may match.
                        assert got == set(), (name, value)
                    if who == 'member':
                        assert got <= mine, (name, value)
            for name in STATS_PARAMS:
                response = _get(app, '/v1/stats', dict(extra, **{name: value}),
                                headers)
                outcomes['stats', name, response.status_int] += 1
                assert response.status_int in (200, 400, 403), (
                    name, value, response.status_int, response.text[:300])
            for path in ('/v1/boots/%s', '/v1/boots/%s/events'):
                response = app.get(path % parse.quote(value, safe=''),
                                   headers=headers, expect_errors=True)
                outcomes['path', path, response.status_int] += 1
                assert response.status_int in (400, 404), (
                    path, value, response.status_int)
    by_status = collections.Counter()
    for (_, _, status), count in outcomes.items():
        by_status[status] += count
    print('injections: %d requests, by status %s'
          % (sum(by_status.values()), dict(sorted(by_status.items()))))
    assert _counts(app) == before


@pytest.mark.parametrize('params', [
    {'limit': '1001'}, {'limit': '1' + '0' * 30}, {'limit': '-1'},
    {'limit': '0'}, {'limit': '1e3'}, {'limit': '0x10'}, {'limit': 'NaN'},
    {'limit': ''}, {'limit': ' 5'}, {'limit': '\u0661\u0662'},
    {'limit': '5', 'marker': 'x' * 100000},
    {'limit': '5', 'marker': str(uuid.uuid4())},
    {'limit': '5', 'marker': '00000000-0000-0000-0000-000000000000'},
    {'limit': '5', 'marker': 'not-a-uuid'},
    {'limit': '5', 'sort': 'duration_s:sideways'},
    {'limit': '5', 'sort': 'password'},
    {'limit': '5', 'sort': ','.join(['created_at'] * 1000)},
    {'since': '9999-12-31T23:59:59Z'}, {'since': '0001-01-01T00:00:00Z'},
    {'until': '1' * 400},
], ids=lambda p: ','.join('%s=%s' % (k, v[:12]) for k, v in p.items()))
def test_huge_limits_markers_and_sorts(backend, params):  # noqa: F811
    app, dataset = backend
    response = _get(app, '/v1/boots', params, c.MEMBER_A)
    assert response.status_int in (200, 400), response.text[:300]
    if response.status_int == 200:
        assert len(response.json['boots']) <= 1000


def test_a_marker_from_another_project_reveals_nothing(backend):  # noqa
    app, dataset = backend
    theirs = dataset.of_project(c.PROJECT_B)[0]['instance_uuid']
    unknown = str(uuid.uuid4())
    hidden = _get(app, '/v1/boots', {'marker': theirs, 'limit': 2},
                  c.MEMBER_A)
    absent = _get(app, '/v1/boots', {'marker': unknown, 'limit': 2},
                  c.MEMBER_A)
    assert (hidden.status_int, absent.status_int) == (400, 400), (
        hidden.text, absent.text)
    assert hidden.json['error']['message'].replace(theirs, 'X') == \
        absent.json['error']['message'].replace(unknown, 'X')


@pytest.fixture(scope='module')
def keystone_api(keystone_creds, tmp_path_factory):
    """bootdoctor-api before the real Keystone, on data of its own.

    The API's dataset plus the recorded Nova streams stored again, through
    the real pipeline, as boots of project-a: boots with events and raw
    notifications that a project's own members may list.
    """
    tmp = tmp_path_factory.mktemp('api-abuse')
    url = 'sqlite:///%s' % (tmp / 'bootdoctor.sqlite')
    projects = keystone_creds['projects']
    dataset = data.build(url, projects['project-a'], projects['project-b'])
    connection = db_api.Connection(url)
    real = []
    try:
        for path in data.streams():
            with open(path) as f:
                text = f.read().replace(dataset.sample_project,
                                        projects['project-a'])
            for sample in dataset.samples:
                text = text.replace(sample['instance_uuid'], str(
                    uuid.uuid5(uuid.NAMESPACE_URL, sample['instance_uuid'])))
            copy = tmp / os.path.basename(path)
            copy.write_text(text)
            for record in data.load_stream(connection, str(copy)):
                dataset.records[record['instance_uuid']] = record
                real.append(record)
    finally:
        connection.close()
    config = api_conftest.write_config(tmp / 'bootdoctor.conf',
                                       keystone_creds, dataset,
                                       tmp / 'state')
    application = wsgi_app.init_application(
        {'BOOTDOCTOR_CONFIG_FILE': str(config)})
    failed = next(r for r in real if (r['fault'] or {}).get('traceback'))
    return webtest.TestApp(application), dataset, failed


# The policy matrix: every operation for every seeded persona, with real
# Keystone tokens through auth_token. {A}/{B} are project-a/project-b,
# {a}/{b} a boot of each. Implied roles: admin > member > reader.
PERSONAS = ('admin', 'a-member', 'a-reader', 'b-member', 'b-reader',
            'bootdoctor')
READERS = {'admin': 200, 'a-member': 200, 'a-reader': 200, 'b-member': 200,
           'b-reader': 200, 'bootdoctor': 403}
ADMIN_ONLY = dict.fromkeys(PERSONAS, 403) | {'admin': 200}
OF_A = {'admin': 200, 'a-member': 200, 'a-reader': 200, 'b-member': 404,
        'b-reader': 404, 'bootdoctor': 404}
OF_B = {'admin': 200, 'a-member': 404, 'a-reader': 404, 'b-member': 200,
        'b-reader': 200, 'bootdoctor': 404}
MATRIX = (
    ('/v1/boots', READERS),
    ('/v1/boots?all_projects=true', ADMIN_ONLY),
    ('/v1/boots?project_id={B}',
     ADMIN_ONLY | {'b-member': 200, 'b-reader': 200}),
    ('/v1/boots/{a}', OF_A),
    ('/v1/boots/{b}', OF_B),
    ('/v1/boots/{a}/events', OF_A),
    ('/v1/boots/{b}/events', OF_B),
    ('/v1/steps', READERS),
    ('/v1/stats', READERS),
    ('/v1/stats?all_projects=true', ADMIN_ONLY),
    ('/v1/stats?project_id={A}',
     ADMIN_ONLY | {'a-member': 200, 'a-reader': 200}),
    ('/v1/status', ADMIN_ONLY),
    ('/metrics', ADMIN_ONLY | {'bootdoctor': 200}),
)
PUBLIC = ('/', '/v1/', '/v1/openapi.json', '/healthcheck')


def _names(dataset, failed):
    return {'A': dataset.project_a, 'B': dataset.project_b,
            'a': failed['instance_uuid'],
            'b': dataset.of_project(dataset.project_b)[0]['instance_uuid']}


def test_the_policy_matrix_with_real_tokens(keystone_api, identity):
    api, dataset, failed = keystone_api
    names = _names(dataset, failed)
    own = {'a-member': names['A'], 'a-reader': names['A'],
           'b-member': names['B'], 'b-reader': names['B']}
    wrong = []
    checked = 0
    for template, expected in MATRIX:
        path = template.format(**names)
        api.get(path, status=401)
        for who in PERSONAS:
            response = api.get(path, headers=identity.headers(who),
                               expect_errors=True)
            checked += 1
            if response.status_int != expected[who]:
                wrong.append((template, who, response.status_int,
                              expected[who]))
                continue
            if response.status_int == 200 and who in own and \
                    path.startswith('/v1/boots'):
                body = response.json
                for boot in body.get('boots', [body] if 'status' in body
                                     else []):
                    assert boot['project_id'] == own[who], (template, who)
    for path in PUBLIC:
        api.get(path, status=200)
        for who in PERSONAS:
            api.get(path, headers=identity.headers(who), status=200)
            checked += 1
    print('policy matrix: %d requests with real tokens' % checked)
    assert wrong == []


def test_tracebacks_and_raw_payloads_only_for_the_admin(
        keystone_api, identity):
    api, dataset, failed = keystone_api
    names = _names(dataset, failed)
    seen = collections.Counter()
    for who in PERSONAS[1:5]:
        headers = identity.headers(who)
        listing = api.get('/v1/boots?limit=1000', headers=headers)
        assert 'Traceback' not in listing.text
        for boot in listing.json['boots']:
            uuid_ = boot['instance_uuid']
            detail = api.get('/v1/boots/%s' % uuid_, headers=headers)
            events = api.get('/v1/boots/%s/events' % uuid_,
                             headers=headers)
            for response in (detail, events):
                assert 'Traceback' not in response.text, (who, uuid_)
            assert (detail.json['fault'] or {}).get('traceback') is None
            for event in events.json['events']:
                assert event.get('raw') is None, (who, uuid_)
                seen['events'] += 1
            seen['boots'] += 1
    admin = identity.headers('admin')
    detail = api.get('/v1/boots/%s' % names['a'], headers=admin).json
    assert detail['fault']['traceback'] == failed['fault']['traceback']
    events = api.get('/v1/boots/%s/events' % names['a'], headers=admin).json
    assert events['events'] and all(e['raw'] for e in events['events'])
    print('hidden from non-admins: %d boots, %d events' % (
        seen['boots'], seen['events']))
    assert seen['events'] > 0


def _server(keystone_creds, dataset, tmp, cache_time):
    """A bootdoctor-api process logging each request it makes to Keystone.

    keystoneauth logs every request at debug level ("REQ: curl ... GET
    .../v3/auth/tokens" is one token validation).
    """
    port = test_server.free_port()
    config = api_conftest.write_config(
        tmp / 'bootdoctor.conf', keystone_creds, dataset, tmp / 'state',
        port=port, rejected_token_cache_time=cache_time)
    config.write_text(config.read_text().replace('[DEFAULT]\n', (
        '[DEFAULT]\ndebug = true\ndefault_log_levels = keystoneauth=DEBUG,'
        'keystonemiddleware=INFO,urllib3=WARN,sqlalchemy=WARN,'
        'stevedore=WARN\n'), 1))
    log_path = tmp / 'api.log'
    with open(log_path, 'w') as log:
        process = subprocess.Popen(
            [sys.executable, '-m', 'bootdoctor.cmd.api', '--config-file',
             str(config)], stdout=log, stderr=subprocess.STDOUT)
    url = 'http://127.0.0.1:%d' % port
    test_server.wait_for(
        lambda: test_server.answers(url + '/') or process.poll() is not None,
        60, 'bootdoctor-api answers')
    assert process.poll() is None, log_path.read_text()
    return process, port, log_path


def _stop(process):
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _validations(log_path):
    return len(re.findall(r'REQ: curl -g -i -X GET \S+/v3/auth/tokens',
                          log_path.read_text()))


def _hammer(port, tokens, threads=8):
    """GET /v1/boots once per token, from ``threads`` connections."""
    def run(share):
        connection = http.client.HTTPConnection('127.0.0.1', port,
                                                timeout=120)
        codes = collections.Counter()
        try:
            for token in share:
                connection.request('GET', '/v1/boots',
                                   headers={'X-Auth-Token': token})
                response = connection.getresponse()
                response.read()
                codes[response.status] += 1
        finally:
            connection.close()
        return codes
    started = time.monotonic()
    with futures.ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(run, [tokens[n::threads]
                                      for n in range(threads)]))
    return sum(results, collections.Counter()), time.monotonic() - started


def _bad_tokens(identity, count):
    """A revoked real token, a garbage one and forged Fernet-like ones."""
    revoked = identity.fresh_token('a-reader')
    identity.revoke(revoked)
    forged = ['gAAAAAB' + base64.urlsafe_b64encode(
        os.urandom(150)).decode().rstrip('=') for _ in range(count - 2)]
    return [revoked, 'not-a-token'] + forged


def test_ten_thousand_bad_tokens(keystone_api, keystone_creds, identity,
                                 tmp_path):
    _, dataset, _ = keystone_api
    distinct = _bad_tokens(identity, 100)
    process, port, log_path = _server(keystone_creds, dataset, tmp_path,
                                      cache_time=3600)
    try:
        before = _validations(log_path)
        # Each bad token once, then 99 more times each, shuffled.
        first, first_s = _hammer(port, distinct)
        again = distinct * 99
        random.Random(9).shuffle(again)
        rest, rest_s = _hammer(port, again)
        after = _validations(log_path)
    finally:
        _stop(process)
    sent = len(distinct) + len(again)
    codes = first + rest
    validations = after - before
    print('bad tokens: %d requests (%d distinct tokens): %s; Keystone '
          'validations %d; first sight of each %.1f s (%.1f/s), the '
          'remaining %d in %.1f s (%.0f/s)' % (
              sent, len(distinct), dict(codes), validations, first_s,
              len(distinct) / first_s, len(again), rest_s,
              len(again) / rest_s))
    assert sent == 10000
    assert codes == {401: sent}
    # One validation per distinct token; repeats never reach Keystone.
    assert validations == len(distinct)


def test_bad_tokens_without_the_rejected_token_cache(
        keystone_api, keystone_creds, identity, tmp_path):
    """What keystonemiddleware alone does: every bad token is validated."""
    _, dataset, _ = keystone_api
    tokens = _bad_tokens(identity, 25) * 2
    process, port, log_path = _server(keystone_creds, dataset, tmp_path,
                                      cache_time=0)
    try:
        before = _validations(log_path)
        codes, seconds = _hammer(port, tokens)
        validations = _validations(log_path) - before
    finally:
        _stop(process)
    print('bad tokens without the cache: %d requests: %s; Keystone '
          'validations %d in %.1f s (%.1f/s)' % (
              len(tokens), dict(codes), validations, seconds,
              len(tokens) / seconds))
    assert codes == {401: len(tokens)}
    assert validations == len(tokens)
