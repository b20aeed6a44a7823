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


"""Errors of the boot-diagnostics client, each one clear line.

Every failure the client can meet (an HTTP error from the API, a refused
connection, a missing catalogue entry, an ambiguous server name) is
turned into a :class:`ClientError` whose ``str()`` is a single line that
says what failed and what to do about it. The ``openstack`` command
prints that line and exits non-zero.
"""


class ClientError(Exception):
    """Base class: ``str(error)`` is one line meant for a person."""

    status_code = None

    def __init__(self, message, *, url=None, request_id=None,
                 status_code=None):
        message = ' '.join(str(message).split())
        if request_id:
            message = '%s (request %s)' % (message, request_id)
        super().__init__(message)
        self.message = message
        self.url = url
        self.request_id = request_id
        if status_code is not None:
            self.status_code = status_code


class BadRequest(ClientError):
    """HTTP 400: the API refused a parameter (``parameter``, if named)."""
    status_code = 400

    def __init__(self, message, *, parameter=None, **kwargs):
        super().__init__(message, **kwargs)
        self.parameter = parameter


class Unauthorized(ClientError):
    """HTTP 401: no valid token."""
    status_code = 401


class Forbidden(ClientError):
    """HTTP 403: the policy does not allow the request."""
    status_code = 403


class NotFound(ClientError):
    """HTTP 404: unknown, or belonging to another project."""
    status_code = 404


class ServerError(ClientError):
    """HTTP 5xx or another unexpected status."""


class ConnectionFailed(ClientError):
    """The API could not be reached at all."""


class EndpointNotFound(ClientError):
    """No boot-diagnostics endpoint in the catalogue."""


class ServerNotFound(ClientError):
    """No compute server has the given name."""


class AmbiguousServer(ClientError):
    """Several compute servers have the given name."""


class InvalidResponse(ClientError):
    """The API answered with something that is not the expected JSON."""
