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

"""RejectedTokens: a rejected token is answered without asking again."""

import json

import webob
import webtest

from bootdoctor.api import token_cache

CHALLENGE = 'Keystone uri="http://keystone.example/identity"'


class Keystoneish:
    """Stands for auth_token: 401 for bad tokens, 503 when 'down'."""

    def __init__(self):
        self.calls = 0
        self.down = False

    def __call__(self, environ, start_response):
        self.calls += 1
        request = webob.Request(environ)
        if self.down:
            response = webob.Response(status=503)
        elif request.headers.get('X-Auth-Token') == 'good' and \
                request.headers.get('X-Service-Token', 'svc') == 'svc':
            response = webob.Response(json={'ok': True})
        else:
            response = webob.Response(status=401, headers={
                'WWW-Authenticate': CHALLENGE})
        return response(environ, start_response)


class Clock:
    now = 1000.0

    def __call__(self):
        return self.now


def make(ttl=60, size=100):
    inner, clock = Keystoneish(), Clock()
    middleware = token_cache.RejectedTokens(inner, ttl, size=size,
                                            clock=clock)
    return webtest.TestApp(middleware), inner, clock, middleware


def get(app, status, **headers):
    return app.get('/v1/boots', headers=headers, status=status)


def test_a_rejected_token_is_answered_without_asking_again():
    app, inner, _clock, middleware = make()
    for _ in range(50):
        response = get(app, 401, **{'X-Auth-Token': 'bad'})
    assert inner.calls == 1 and middleware.hits == 49
    assert response.headers['WWW-Authenticate'] == CHALLENGE
    assert json.loads(response.body)['error']['code'] == 401


def test_valid_tokens_and_requests_without_one_always_pass():
    app, inner, _clock, _middleware = make()
    for _ in range(3):
        get(app, 200, **{'X-Auth-Token': 'good'})
        get(app, 401)
    assert inner.calls == 6


def test_a_rejection_is_forgotten_after_the_ttl():
    app, inner, clock, _middleware = make(ttl=60)
    get(app, 401, **{'X-Auth-Token': 'bad'})
    clock.now += 59
    get(app, 401, **{'X-Auth-Token': 'bad'})
    assert inner.calls == 1
    clock.now += 2
    get(app, 401, **{'X-Auth-Token': 'bad'})
    assert inner.calls == 2


def test_a_bad_service_token_does_not_shut_out_the_user_token():
    app, inner, _clock, _middleware = make()
    get(app, 401, **{'X-Auth-Token': 'good', 'X-Service-Token': 'forged'})
    get(app, 200, **{'X-Auth-Token': 'good', 'X-Service-Token': 'svc'})
    get(app, 200, **{'X-Auth-Token': 'good'})
    assert inner.calls == 3


def test_keystone_unavailable_is_not_remembered():
    app, inner, _clock, _middleware = make()
    inner.down = True
    get(app, 503, **{'X-Auth-Token': 'good'})
    inner.down = False
    get(app, 200, **{'X-Auth-Token': 'good'})
    assert inner.calls == 2


def test_the_memory_is_bounded_oldest_first():
    app, inner, _clock, middleware = make(size=10)
    for n in range(25):
        get(app, 401, **{'X-Auth-Token': 'bad-%d' % n})
    assert len(middleware._rejected) == 10
    get(app, 401, **{'X-Auth-Token': 'bad-24'})
    assert inner.calls == 25
    get(app, 401, **{'X-Auth-Token': 'bad-0'})
    assert inner.calls == 26


def test_zero_disables_it():
    app, inner, _clock, _middleware = make(ttl=0)
    for _ in range(3):
        get(app, 401, **{'X-Auth-Token': 'bad'})
    assert inner.calls == 3
