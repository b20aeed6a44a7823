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

"""API errors: one JSON shape for every failure.

Every error body is::

    {"error": {"code": 400, "title": "Bad Request",
               "message": "limit must be between 1 and 1000",
               "parameter": "limit", "request_id": "req-..."}}

``parameter`` names the query parameter at fault (400 only). A hidden
boot is a 404 exactly like an unknown one. An unexpected exception is
logged with its traceback and answered with a 500 that says nothing about
it but the request id.
"""

import flask
from oslo_log import log
from werkzeug import exceptions as wz_exc

LOG = log.getLogger(__name__)


class APIError(Exception):
    code = 500
    title = 'Internal Server Error'

    def __init__(self, message, parameter=None):
        super().__init__(message)
        self.message = message
        self.parameter = parameter


class BadRequest(APIError):
    code = 400
    title = 'Bad Request'


class Forbidden(APIError):
    code = 403
    title = 'Forbidden'


class NotFound(APIError):
    code = 404
    title = 'Not Found'


class ServiceUnavailable(APIError):
    code = 503
    title = 'Service Unavailable'


def body(code, title, message, parameter=None, request_id=None):
    error = {'code': code, 'title': title, 'message': message}
    if parameter is not None:
        error['parameter'] = parameter
    if request_id is not None:
        error['request_id'] = request_id
    return {'error': error}


def _request_id():
    return flask.request.environ.get('openstack.request_id')


def response(code, title, message, parameter=None, headers=None):
    result = flask.jsonify(body(code, title, message, parameter,
                                _request_id()))
    result.status_code = code
    for name, value in (headers or {}).items():
        result.headers[name] = value
    return result


def _api_error(exc):
    if exc.code >= 500:
        cause = exc.__cause__ or exc.__context__
        LOG.error('%s %s: %d %s%s', flask.request.method, flask.request.path,
                  exc.code, exc.message,
                  ' (%s)' % cause if cause is not None else '')
    else:
        LOG.info('%s %s: %d %s', flask.request.method, flask.request.path,
                 exc.code, exc.message)
    return response(exc.code, exc.title, exc.message, exc.parameter)


def _http_error(exc):
    headers = {}
    if isinstance(exc, wz_exc.MethodNotAllowed) and exc.valid_methods:
        headers['Allow'] = ', '.join(exc.valid_methods)
    message = exc.description or exc.name
    if isinstance(exc, wz_exc.NotFound):
        message = 'No resource at %s' % flask.request.path
    return response(exc.code or 500, exc.name, message, headers=headers)


def _unexpected(exc):
    LOG.exception('Unexpected error serving %s %s', flask.request.method,
                  flask.request.path)
    return response(500, 'Internal Server Error',
                    'The server failed to answer; the request id '
                    'identifies its log lines.')


def register(app):
    app.register_error_handler(APIError, _api_error)
    app.register_error_handler(wz_exc.HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
