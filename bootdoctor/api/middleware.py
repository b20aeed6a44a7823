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

"""The WSGI stack around the Flask application, composed in code.

Outermost first::

    CORS                 errors from any layer below still carry CORS headers
    HTTPProxyToWSGI      scheme, host and prefix from a TLS-terminating proxy
    RequestId            x-openstack-request-id on every response
    RequestLog           the request id in every log line; one access line;
                         responses counted by status class
    public paths         /, /v1, /v1/openapi.json, /healthcheck: no auth
    RejectedTokens       401 at once for a token Keystone just rejected
    auth_token | NoAuth  Keystone token validation ([api] auth_strategy)
    Flask application    policy, views
"""

import time

from keystonemiddleware import auth_token
from oslo_context import context as oslo_context
from oslo_log import log
from oslo_middleware import cors
from oslo_middleware import healthcheck
from oslo_middleware import http_proxy_to_wsgi
from oslo_middleware import request_id
import webob.exc

from bootdoctor.api import root
from bootdoctor.api import token_cache

LOG = log.getLogger(__name__)

ALLOW_HEADERS = ['X-Auth-Token', 'X-OpenStack-Request-ID',
                 'X-Identity-Status', 'X-Roles', 'X-Service-Catalog',
                 'X-User-Id', 'X-Project-Id', 'Content-Type', 'Accept']
EXPOSE_HEADERS = ['X-Auth-Token', 'X-OpenStack-Request-ID',
                  'X-Subject-Token', 'X-Service-Token']
HEALTHCHECK_PATH = '/healthcheck'
AUTHTOKEN_GROUP = 'keystone_authtoken'
NOAUTH_WARNING = (
    '[api] auth_strategy = noauth: bootdoctor-api does NOT authenticate. '
    'Anyone who reaches it chooses their identity with the X-Project-Id '
    'and X-Roles headers, and a request without X-Roles is an admin. Use '
    'it only for tests and demonstrations.')


# bootdoctor's CORS defaults, set once, before any [cors] option is read.
cors.set_defaults(allow_headers=ALLOW_HEADERS, expose_headers=EXPOSE_HEADERS,
                  allow_methods=['GET', 'HEAD', 'OPTIONS'])


class NoAuth:
    """Takes the identity from request headers, for tests and demos.

    X-Project-Id, X-User-Id and X-Roles are used as given; without X-Roles
    the request has the admin role.
    """

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        environ['HTTP_X_IDENTITY_STATUS'] = 'Confirmed'
        if not environ.get('HTTP_X_ROLES'):
            environ['HTTP_X_ROLES'] = 'admin'
        return self.application(environ, start_response)


class PublicPaths:
    """Routes the unauthenticated paths around the authenticating stack."""

    def __init__(self, protected, public, health,
                 public_paths=root.PUBLIC_PATHS):
        self.protected = protected
        self.public = public
        self.health = health
        self.public_paths = frozenset(public_paths)

    def __call__(self, environ, start_response):
        path = environ.get('PATH_INFO') or '/'
        if path == HEALTHCHECK_PATH:
            return self.health(environ, start_response)
        if path in self.public_paths:
            return self.public(environ, start_response)
        return self.protected(environ, start_response)


class RequestLog:
    """Puts the request id in the log context; logs one line per request.

    A context holding only the request id is stored before authentication,
    so auth_token's own log lines carry it too; the application replaces
    it with the full context once the caller is known.
    """

    def __init__(self, application, counts=None):
        self.application = application
        self.counts = counts

    def __call__(self, environ, start_response):
        oslo_context.RequestContext(
            request_id=environ.get(request_id.ENV_REQUEST_ID),
            global_request_id=environ.get(request_id.GLOBAL_REQ_ID),
            overwrite=True)
        started = time.monotonic()
        seen = {}

        def recording_start_response(status, headers, exc_info=None):
            seen['status'] = status
            return start_response(status, headers, exc_info)

        try:
            return self.application(environ, recording_start_response)
        finally:
            if self.counts is not None:
                self.counts.add(seen.get('status'))
            path = environ.get('PATH_INFO') or '/'
            if environ.get('QUERY_STRING'):
                path += '?' + environ['QUERY_STRING']
            LOG.info('%s %s %s %.3fs', environ.get('REQUEST_METHOD'), path,
                     seen.get('status', '-').split(' ')[0],
                     time.monotonic() - started)


def _not_found(environ, start_response):
    return webob.exc.HTTPNotFound()(environ, start_response)


def set_auth_token_defaults(conf):
    """bootdoctor's defaults for auth_token's [keystone_authtoken] options.

    ``include_service_catalog`` is false: bootdoctor-api never calls
    another service on its caller's behalf, so it has no use for the
    catalog. With it, auth_token asks Keystone for every token's catalog,
    keeps it in its token cache, and decodes and encodes it into
    X-Service-Catalog on every request. A value in bootdoctor.conf still
    wins. The options are registered as auth_token registers them (equal
    copies), so its own registration finds them in place.
    """
    for group, opts in auth_token.list_opts():
        conf.register_opts(opts, group=group)
    conf.set_default('include_service_catalog', False,
                     group=AUTHTOKEN_GROUP)


def wrap(app, conf, counts=None):
    """The WSGI application: ``app`` inside bootdoctor's middleware.

    :param counts: a :class:`bootdoctor.api.request_counts.RequestCounts`
        counting every response, or None.
    """
    if conf.api.auth_strategy == 'keystone':
        set_auth_token_defaults(conf)
        protected = token_cache.RejectedTokens(
            auth_token.AuthProtocol(app, {'oslo_config_config': conf}),
            conf.api.rejected_token_cache_time)
    else:
        LOG.warning(NOAUTH_WARNING)
        protected = NoAuth(app)
    health = healthcheck.Healthcheck(_not_found, conf)
    stack = PublicPaths(protected, app, health)
    stack = RequestLog(stack, counts)
    stack = request_id.RequestId(stack, conf)
    stack = http_proxy_to_wsgi.HTTPProxyToWSGI(stack, conf)
    return cors.CORS(stack, conf)
