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


"""Resolve a server name to its UUID through the compute API.

A boot record is keyed by the instance UUID. People know their servers by
name, so ``<server>`` may be either: a UUID is used as it is (the server
may be deleted already while its boot record remains); a name is looked
up with ``GET /servers?name=^<name>$`` on the compute endpoint of the
same keystoneauth1 session, and must match exactly one server.
"""

import re
import uuid

from keystoneauth1 import adapter
from keystoneauth1 import exceptions as ksa_exc

from bootdoctor.client import exceptions
from bootdoctor.client import http


def is_uuid(value):
    """True for a UUID in its canonical (dashed or hex) form."""
    try:
        parsed = uuid.UUID(str(value))
    except (TypeError, ValueError):
        return False
    return str(value).replace('-', '').lower() == parsed.hex


class ServerResolver:
    """Looks servers up by name on the compute API of a session."""

    def __init__(self, session, *, interface=None, region_name=None,
                 endpoint_override=None):
        self.interface = interface
        self.region_name = region_name
        self.adapter = adapter.Adapter(
            session, service_type='compute', interface=interface,
            region_name=region_name, endpoint_override=endpoint_override,
            user_agent='python-bootdoctorclient')

    def resolve(self, name_or_id, *, all_projects=False):
        """The instance UUID for a UUID or an exact server name."""
        if is_uuid(name_or_id):
            return str(uuid.UUID(name_or_id))
        params = {'name': '^%s$' % re.escape(name_or_id)}
        if all_projects:
            params['all_tenants'] = 1
        servers = [s for s in self._list(params)
                   if s.get('name') == name_or_id]
        if not servers:
            scope = 'in any project' if all_projects else 'in this project'
            raise exceptions.ServerNotFound(
                'No server named "%s" %s: give its UUID, or check the name '
                'with "openstack server list"%s' % (
                    name_or_id, scope,
                    '' if all_projects else ' (or --all-projects)'))
        if len(servers) > 1:
            raise exceptions.AmbiguousServer(
                '%d servers are named "%s" (%s): give the UUID instead' % (
                    len(servers), name_or_id,
                    ', '.join(sorted(s['id'] for s in servers))))
        return servers[0]['id']

    def _list(self, params):
        try:
            response = self.adapter.get('/servers', params=params,
                                        raise_exc=False)
        except ksa_exc.EndpointNotFound:
            raise exceptions.EndpointNotFound(
                'No compute endpoint in the service catalogue to look up '
                'server names: give the server UUID instead')
        except ksa_exc.ConnectFailure as exc:
            raise exceptions.ConnectionFailed(
                'Cannot connect to the compute API to look up the server '
                'name: %s' % ' '.join(str(exc).split()))
        except ksa_exc.Unauthorized:
            raise exceptions.Unauthorized(
                'The identity service refused the credentials (HTTP 401): '
                '%s' % http.CREDENTIALS_HINT)
        except ksa_exc.ClientException as exc:
            raise exceptions.ClientError(
                'Cannot look up the server name in the compute API: %s'
                % ' '.join(str(exc).split()))
        request_id = response.headers.get(http.REQUEST_ID_HEADER)
        if response.status_code == 401:
            raise exceptions.Unauthorized(
                'The compute API rejected the token (HTTP 401): %s'
                % http.CREDENTIALS_HINT, request_id=request_id)
        if response.status_code == 403:
            raise exceptions.Forbidden(
                'Not allowed to list servers in the compute API (HTTP 403)'
                ': %s' % (http.error_detail(response) or
                          'give the server UUID instead'),
                request_id=request_id)
        if response.status_code >= 400:
            raise exceptions.ClientError(
                'The compute API failed to list servers (HTTP %d): %s' % (
                    response.status_code,
                    http.error_detail(response) or 'no detail'),
                request_id=request_id, status_code=response.status_code)
        try:
            servers = response.json().get('servers')
        except (ValueError, AttributeError):
            servers = None
        if not isinstance(servers, list):
            raise exceptions.InvalidResponse(
                'The compute API answered GET /servers without a "servers" '
                'list')
        return servers
