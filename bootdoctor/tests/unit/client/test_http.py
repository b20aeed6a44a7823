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


from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session
import pytest
import requests

from bootdoctor.client import exceptions
from bootdoctor.client import http
from bootdoctor.tests.unit.client import fakes


def make_session():
    auth = v3.Password(auth_url=fakes.AUTH_URL, username='alice',
                       password='secret', project_name='demo',
                       user_domain_id='default', project_domain_id='default')
    return ks_session.Session(auth=auth)


@pytest.fixture
def keystone(requests_mock):
    fakes.mock_keystone(requests_mock)
    return requests_mock


def client(**kwargs):
    return http.HTTPClient(make_session(), **kwargs)


# The endpoint ----------------------------------------------------------

@pytest.mark.parametrize('kwargs, url', [
    ({}, fakes.BOOT_URL),
    ({'interface': 'public'}, fakes.BOOT_URL),
    ({'interface': 'internal'}, fakes.BOOT_INTERNAL_URL),
    ({'region_name': 'RegionTwo'}, fakes.BOOT_OTHER_REGION_URL),
    ({'endpoint_override': 'http://elsewhere:9/v1/'}, 'http://elsewhere:9'),
    ({'endpoint_override': 'http://elsewhere:9/boot'},
     'http://elsewhere:9/boot'),
])
def test_endpoint_from_catalogue_or_override(keystone, kwargs, url):
    assert client(**kwargs).endpoint == url


def test_get_sends_the_token_to_the_catalogue_endpoint(keystone):
    keystone.get(fakes.BOOT_URL + '/v1/steps', json={'steps': []})
    assert client().get('/v1/steps') == {'steps': []}
    assert keystone.last_request.headers['X-Auth-Token'] == fakes.TOKEN_ID


def test_no_endpoint_in_catalogue(requests_mock):
    fakes.mock_keystone(requests_mock, catalogue=False)
    with pytest.raises(exceptions.EndpointNotFound) as info:
        client().get('/v1/boots')
    message = str(info.value)
    assert 'No boot-diagnostics endpoint (interface public' in message
    assert '--os-boot-endpoint' in message


def test_identity_rejects_the_credentials(requests_mock):
    requests_mock.post(fakes.AUTH_URL + '/auth/tokens', status_code=401,
                       json={'error': {'code': 401,
                                       'title': 'Unauthorized',
                                       'message': 'The request you have '
                                                  'made requires auth.'}})
    with pytest.raises(exceptions.Unauthorized) as info:
        client().get('/v1/boots')
    assert str(info.value).startswith(
        'The identity service refused the credentials (HTTP 401)')


def test_identity_unreachable(requests_mock):
    requests_mock.post(fakes.AUTH_URL + '/auth/tokens',
                       exc=requests.exceptions.ConnectionError(
                           'Connection refused'))
    with pytest.raises(exceptions.ConnectionFailed) as info:
        client().get('/v1/boots')
    assert 'identity service' in str(info.value)


# Errors ------------------------------------------------------------------

def _error(keystone, status, body=None, text=None, request_id=None):
    headers = {'x-openstack-request-id': request_id} if request_id else {}
    if text is not None:
        keystone.get(fakes.BOOT_URL + '/v1/boots/x', status_code=status,
                     text=text, headers=headers)
    else:
        keystone.get(fakes.BOOT_URL + '/v1/boots/x', status_code=status,
                     json=body or {}, headers=headers)


def test_401_is_one_line(keystone):
    _error(keystone, 401, {'error': {'code': 401, 'message': 'Token expired'}},
           request_id='req-1')
    with pytest.raises(exceptions.Unauthorized) as info:
        client().get('/v1/boots/x')
    message = str(info.value)
    assert message.startswith(
        'The boot-diagnostics API rejected the token (HTTP 401)')
    assert 'OS_USERNAME' in message
    assert message.endswith('(request req-1)')
    assert '\n' not in message


def test_403_names_the_resource_and_the_hint(keystone):
    _error(keystone, 403, {'error': {'code': 403, 'message':
                                     'Policy does not allow it'}})
    with pytest.raises(exceptions.Forbidden) as info:
        client().get('/v1/boots/x', what='boot records',
                     hints={403: 'needs admin'})
    assert str(info.value) == ('Not allowed to read boot records (HTTP 403)'
                               ': Policy does not allow it; needs admin')


def test_404_names_the_server(keystone):
    _error(keystone, 404, {'error': {'message': 'Boot not found'}})
    with pytest.raises(exceptions.NotFound) as info:
        client().get('/v1/boots/x', what='boot record for server web-1',
                     hints={404: 'not yours'})
    assert str(info.value) == ('No boot record for server web-1 (HTTP 404)'
                               ': not yours')


def test_400_names_the_parameter(keystone):
    _error(keystone, 400, {'error': {'code': 400, 'parameter': 'since',
                                     'message': 'not an ISO 8601 time'}})
    with pytest.raises(exceptions.BadRequest) as info:
        client().get('/v1/boots/x')
    assert str(info.value) == ('Bad request (HTTP 400): since: not an ISO '
                               '8601 time')


def test_400_message_already_naming_the_parameter(keystone):
    # bootdoctor-api's own shape: the message starts with the parameter.
    _error(keystone, 400, {'error': {
        'code': 400, 'title': 'Bad Request', 'parameter': 'limit',
        'message': 'limit: must be between 1 and 1000, not 5000',
        'request_id': 'req-9'}}, request_id='req-9')
    with pytest.raises(exceptions.BadRequest) as info:
        client().get('/v1/boots/x')
    assert str(info.value) == ('Bad request (HTTP 400): limit: must be '
                               'between 1 and 1000, not 5000 (request req-9)')


def test_500_with_an_html_body(keystone):
    _error(keystone, 502, text='<html>\n<body>Bad gateway</body>\n</html>')
    with pytest.raises(exceptions.ServerError) as info:
        client().get('/v1/boots/x')
    assert info.value.status_code == 502
    assert str(info.value).startswith(
        'The boot-diagnostics API at %s failed (HTTP 502): <html>'
        % fakes.BOOT_URL)
    assert '\n' not in str(info.value)


def test_connection_refused_names_the_url(keystone):
    keystone.get(fakes.BOOT_URL + '/v1/boots',
                 exc=requests.exceptions.ConnectionError(
                     "HTTPConnectionPool(host='boot.example', port=8795): "
                     "Max retries exceeded ([Errno 111] Connection refused)"))
    with pytest.raises(exceptions.ConnectionFailed) as info:
        client().get('/v1/boots')
    assert str(info.value) == (
        'Cannot connect to the boot-diagnostics API at %s (connection '
        'refused): is bootdoctor-api running, and is the endpoint right?'
        % fakes.BOOT_URL)


def test_connect_timeout(keystone):
    keystone.get(fakes.BOOT_URL + '/v1/boots',
                 exc=requests.exceptions.ConnectTimeout('timed out'))
    with pytest.raises(exceptions.ConnectionFailed) as info:
        client().get('/v1/boots')
    assert 'Timed out connecting' in str(info.value)


def test_body_that_is_not_json(keystone):
    keystone.get(fakes.BOOT_URL + '/v1/boots', text='hello')
    with pytest.raises(exceptions.InvalidResponse):
        client().get('/v1/boots')


# Pagination --------------------------------------------------------------

def _pages(keystone, pages):
    """Register pages keyed by marker; the first has none."""
    def respond(request, context):
        marker = request.qs.get('marker', [None])[0]
        return pages[marker]
    keystone.get(fakes.BOOT_URL + '/v1/boots', json=respond)


def test_paginate_follows_next_links(keystone):
    # The next link may name another host (a proxy): only its query counts.
    _pages(keystone, {
        None: {'boots': [{'n': 1}, {'n': 2}],
               'next': 'http://proxy.example/v1/boots?limit=2&marker=b'},
        'b': {'boots': [{'n': 3}, {'n': 4}],
              'next': 'http://proxy.example/v1/boots?limit=2&marker=d'},
        'd': {'boots': [{'n': 5}], 'next': None},
    })
    items = list(client().paginate('/v1/boots', 'boots', {'status': 'error'}))
    assert [i['n'] for i in items] == [1, 2, 3, 4, 5]
    assert [r.url for r in keystone.request_history[-3:]] == [
        fakes.BOOT_URL + '/v1/boots?status=error',
        fakes.BOOT_URL + '/v1/boots?limit=2&marker=b',
        fakes.BOOT_URL + '/v1/boots?limit=2&marker=d',
    ]


def test_paginate_stops_at_the_limit(keystone):
    _pages(keystone, {
        None: {'boots': [{'n': 1}, {'n': 2}],
               'next': fakes.BOOT_URL + '/v1/boots?limit=2&marker=b'},
        'b': {'boots': [{'n': 3}, {'n': 4}],
              'next': fakes.BOOT_URL + '/v1/boots?limit=2&marker=d'},
    })
    items = list(client().paginate('/v1/boots', 'boots', limit=3,
                                   page_size=2))
    assert [i['n'] for i in items] == [1, 2, 3]
    # The second page asks only for what is still wanted.
    assert keystone.request_history[-1].qs['limit'] == ['1']
    assert keystone.request_history[-2].qs['limit'] == ['2']


def test_paginate_reads_links_rel_next(keystone):
    _pages(keystone, {
        None: {'boots': [{'n': 1}], 'links': [
            {'rel': 'self', 'href': fakes.BOOT_URL + '/v1/boots'},
            {'rel': 'next', 'href': fakes.BOOT_URL + '/v1/boots?marker=a'}]},
        'a': {'boots': [{'n': 2}], 'links': []},
    })
    assert [i['n'] for i in client().paginate('/v1/boots', 'boots')] == [
        1, 2]


def test_paginate_refuses_a_loop(keystone):
    _pages(keystone, {
        None: {'boots': [{'n': 1}],
               'next': fakes.BOOT_URL + '/v1/boots?marker=a'},
        'a': {'boots': [{'n': 2}],
              'next': fakes.BOOT_URL + '/v1/boots?marker=a'},
    })
    with pytest.raises(exceptions.InvalidResponse) as info:
        list(client().paginate('/v1/boots', 'boots'))
    assert 'same next page' in str(info.value)


def test_paginate_needs_the_list(keystone):
    keystone.get(fakes.BOOT_URL + '/v1/boots', json={'items': []})
    with pytest.raises(exceptions.InvalidResponse) as info:
        list(client().paginate('/v1/boots', 'boots'))
    assert '"boots"' in str(info.value)


def test_paginate_error_on_a_later_page(keystone):
    _pages(keystone, {
        None: {'boots': [{'n': 1}],
               'next': fakes.BOOT_URL + '/v1/boots?marker=a'},
    })
    keystone.get(fakes.BOOT_URL + '/v1/boots?marker=a', status_code=400,
                 json={'error': {'parameter': 'marker',
                                 'message': 'unknown marker'}})
    with pytest.raises(exceptions.BadRequest) as info:
        list(client().paginate('/v1/boots', 'boots'))
    assert 'marker: unknown marker' in str(info.value)
