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


"""The boot-diagnostics API, version 1."""

from urllib import parse

from bootdoctor.client import exceptions
from bootdoctor.client import http
from bootdoctor.client import servers
from bootdoctor.client import SERVICE_TYPE

NOT_FOUND_HINT = ('bootdoctor has no record of it, or it belongs to another '
                  'project')
# Boots asked for per page: the API's documented largest page, the
# default of its [api] max_limit. The client cannot know the configured
# value; an API configured lower refuses it with a 400 naming limit, and
# the pages are then of the API's own size (http.HTTPClient.paginate).
PAGE_SIZE = 1000
ALL_PROJECTS_HINT = ('reading every project (--all-projects) needs the admin '
                     'role')


class Client:
    """Reads boot records, their events, the step catalogue and stats.

    :param session: a keystoneauth1 session (it carries the token)
    :param interface: endpoint interface (public, internal, admin)
    :param region_name: region of the endpoint in the catalogue
    :param endpoint_override: the API's URL, bypassing the catalogue
    :param compute_endpoint_override: the compute API's URL, for name
        lookups
    """

    def __init__(self, session, *, interface=None, region_name=None,
                 endpoint_override=None, compute_endpoint_override=None,
                 service_type=SERVICE_TYPE, user_agent=None):
        self.http = http.HTTPClient(
            session, service_type=service_type, interface=interface,
            region_name=region_name, endpoint_override=endpoint_override,
            user_agent=user_agent)
        self.servers = servers.ServerResolver(
            session, interface=interface, region_name=region_name,
            endpoint_override=compute_endpoint_override)

    # Boots -----------------------------------------------------------

    def list_boots(self, *, limit=None, page_size=None, **filters):
        """Yield boot records matching ``filters``, across every page.

        Filters are the API's query parameters: status, phase, host,
        failed_component, request_id, project_id, since, until,
        all_projects, sort. None values are left out. ``limit`` caps the
        number of records; pages of ``page_size`` (default: PAGE_SIZE,
        or the API's own page size if it refuses that many) are followed
        through the API's next links.
        """
        params = {k: _param(v) for k, v in filters.items() if v is not None}
        hints = {403: ALL_PROJECTS_HINT} if filters.get('all_projects') \
            else None
        if page_size is None:
            page_size = PAGE_SIZE
        return self.http.paginate('/v1/boots', 'boots', params,
                                  limit=limit, page_size=page_size,
                                  what='boot records', hints=hints)

    def get_boot(self, instance_uuid, *, label=None, all_projects=False):
        """The boot record of one instance (``label``: its name)."""
        return self.http.get(
            '/v1/boots/%s' % parse.quote(instance_uuid, safe=''),
            _scope(all_projects), what=_boot_what(instance_uuid, label),
            hints={404: NOT_FOUND_HINT})

    def list_events(self, instance_uuid, *, label=None, all_projects=False):
        """The notifications behind one boot record."""
        body = self.http.get(
            '/v1/boots/%s/events' % parse.quote(instance_uuid, safe=''),
            _scope(all_projects), what=_boot_what(instance_uuid, label),
            hints={404: NOT_FOUND_HINT})
        return _list_of(body, 'events', '/v1/boots/{uuid}/events')

    def resolve_server(self, name_or_id, *, all_projects=False):
        """The instance UUID for a server UUID or an exact server name."""
        return self.servers.resolve(name_or_id, all_projects=all_projects)

    # Catalogue -------------------------------------------------------

    def list_steps(self):
        """The steps of the catalogue, in order."""
        body = self.http.get('/v1/steps', what='step catalogue')
        return _list_of(body, 'steps', '/v1/steps')

    def get_step(self, number):
        """One step of the catalogue (picked from the list)."""
        steps = self.list_steps()
        for step in steps:
            if step.get('number') == number:
                return step
        raise exceptions.NotFound(
            'No step %s in the catalogue: steps are numbered 1 to %d'
            % (number, len(steps)))

    # Statistics ------------------------------------------------------

    def get_stats(self, **params):
        """Counts, failures and phase durations over a time window."""
        params = {k: _param(v) for k, v in params.items() if v is not None}
        hints = {403: ALL_PROJECTS_HINT} if params.get('all_projects') \
            else None
        return self.http.get('/v1/stats', params, what='statistics',
                             hints=hints)


def _scope(all_projects):
    return {'all_projects': 'true'} if all_projects else None


def _boot_what(instance_uuid, label):
    if label and label != instance_uuid:
        return 'boot record for server %s (%s)' % (label, instance_uuid)
    return 'boot record for server %s' % instance_uuid


def _param(value):
    if value is True:
        return 'true'
    if value is False:
        return 'false'
    return value


def _list_of(body, key, path):
    if isinstance(body, dict) and isinstance(body.get(key), list):
        return body[key]
    if isinstance(body, list):
        return body
    raise exceptions.InvalidResponse(
        'The boot-diagnostics API answered %s without a "%s" list'
        % (path, key))
