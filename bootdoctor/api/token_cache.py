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

"""A short memory of tokens Keystone rejected, in front of auth_token.

keystonemiddleware's auth_token caches the tokens Keystone accepts, not
the ones it rejects: every request carrying a bad token costs a request
to Keystone. A client retrying with an expired token, or anyone sending
the same junk, would keep Keystone busy. This middleware remembers, for
``[api] rejected_token_cache_time`` seconds, the SHA-256 of every token
(with the service token, if any) that auth_token answered 401, and
answers the same 401 itself when it comes again. Answers that are not a
401 (Keystone unreachable: 503) are not remembered. Tokens that differ
every time still reach Keystone one each: only a rate limit in front of
the API stops those.
"""

import collections
import hashlib
import threading
import time

from oslo_serialization import jsonutils

MAX_ENTRIES = 10000
BODY = jsonutils.dump_as_bytes({'error': {
    'code': 401, 'title': 'Unauthorized',
    'message': 'The request you have made requires authentication.'}})


class RejectedTokens:
    """WSGI middleware: 401 at once for a token rejected a moment ago.

    :param application: the auth_token middleware (and what it wraps).
    :param ttl: seconds a rejection is remembered; 0 remembers nothing.
    """

    def __init__(self, application, ttl, size=MAX_ENTRIES,
                 clock=time.monotonic):
        self.application = application
        self.ttl = ttl
        self.size = size
        self.clock = clock
        self._rejected = collections.OrderedDict()
        self._lock = threading.Lock()
        self._challenge = None
        self.hits = 0

    def __call__(self, environ, start_response):
        key = _key(environ)
        if key is None or self.ttl <= 0:
            return self.application(environ, start_response)
        if self._known(key):
            return self._reject(start_response)
        seen = {}

        def recording(status, headers, exc_info=None):
            seen['status'] = status
            seen['headers'] = headers
            return start_response(status, headers, exc_info)

        result = self.application(environ, recording)
        if seen.get('status', '').startswith('401'):
            self._remember(key, seen['headers'])
        return result

    def _known(self, key):
        with self._lock:
            until = self._rejected.get(key)
            if until is None:
                return False
            if until <= self.clock():
                del self._rejected[key]
                return False
            self.hits += 1
            return True

    def _remember(self, key, headers):
        with self._lock:
            for name, value in headers:
                if name.lower() == 'www-authenticate':
                    self._challenge = value
            self._rejected[key] = self.clock() + self.ttl
            self._rejected.move_to_end(key)
            while len(self._rejected) > self.size:
                self._rejected.popitem(last=False)

    def _reject(self, start_response):
        headers = [('Content-Type', 'application/json; charset=UTF-8'),
                   ('Content-Length', str(len(BODY)))]
        if self._challenge:
            headers.append(('WWW-Authenticate', self._challenge))
        start_response('401 Unauthorized', headers)
        return [BODY]


def _key(environ):
    """The SHA-256 of the user and service tokens; None without a token."""
    token = environ.get('HTTP_X_AUTH_TOKEN')
    if not token:
        return None
    digest = hashlib.sha256(token.encode('utf-8', 'surrogateescape'))
    service = environ.get('HTTP_X_SERVICE_TOKEN')
    if service:
        digest.update(b'\0' + service.encode('utf-8', 'surrogateescape'))
    return digest.hexdigest()
