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


"""HTTP plumbing: a keystoneauth1 Adapter, error mapping and pagination.

The Adapter gives the service catalogue lookup (service type
``boot-diagnostics``, interface, region), the endpoint override and the
token. Everything that can go wrong is turned into one
:class:`~bootdoctor.client.exceptions.ClientError` with a single line.
"""

import logging
from urllib import parse

from keystoneauth1 import adapter
from keystoneauth1 import exceptions as ksa_exc

from bootdoctor.client import exceptions
from bootdoctor.client import SERVICE_TYPE

LOG = logging.getLogger(__name__)

REQUEST_ID_HEADER = 'x-openstack-request-id'
CREDENTIALS_HINT = ('check the credentials (OS_USERNAME, OS_PASSWORD, '
                    'OS_PROJECT_NAME, OS_AUTH_URL or clouds.yaml)')


def error_detail(response):
    """The API's own explanation from an error response, or ''."""
    try:
        body = response.json()
    except ValueError:
        return ' '.join((response.text or '').split())[:200]
    if isinstance(body, dict):
        error = body.get('error')
        if error is None and len(body) == 1:
            # Nova's shape: {"itemNotFound": {"message": ..., "code": 404}}
            error = next(iter(body.values()))
        if error is None:
            error = body
        if isinstance(error, dict):
            for key in ('message', 'detail', 'description', 'title'):
                if error.get(key):
                    detail = str(error[key])
                    parameter = error.get('parameter')
                    if parameter and not detail.startswith(parameter):
                        detail = '%s: %s' % (parameter, detail)
                    return detail
        elif isinstance(error, str):
            return error
    return ''


def error_parameter(response):
    """The query parameter a 400 response names (bootdoctor-api's
    ``error.parameter``), or None.
    """
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get('error') if isinstance(body, dict) else None
    if isinstance(error, dict) and isinstance(error.get('parameter'), str):
        return error['parameter']
    return None


def _strip_version(url):
    url = url.rstrip('/')
    if url.endswith('/v1'):
        url = url[:-len('/v1')]
    return url


def next_link(body):
    """The URL of the next page of a collection, or None."""
    link = body.get('next')
    if isinstance(link, dict):
        link = link.get('href')
    if not link:
        for item in body.get('links') or ():
            if isinstance(item, dict) and item.get('rel') == 'next':
                link = item.get('href')
    return link or None


class HTTPClient:
    """GET requests against the boot-diagnostics API, with clear errors."""

    def __init__(self, session, *, service_type=SERVICE_TYPE,
                 interface=None, region_name=None, endpoint_override=None,
                 user_agent=None):
        self.session = session
        self.service_type = service_type
        self.interface = interface
        self.region_name = region_name
        self.adapter = adapter.Adapter(
            session, service_type=service_type, interface=interface,
            region_name=region_name, endpoint_override=endpoint_override,
            user_agent=user_agent or 'python-bootdoctorclient')
        self._endpoint = None

    # The endpoint ----------------------------------------------------

    @property
    def endpoint(self):
        """The unversioned base URL of the API (resolved once)."""
        if self._endpoint is None:
            try:
                url = self.adapter.get_endpoint()
            except ksa_exc.ConnectFailure as exc:
                raise exceptions.ConnectionFailed(
                    'Cannot reach the identity service to look up the '
                    '%s endpoint: %s' % (self.service_type, _one_line(exc)))
            except ksa_exc.Unauthorized as exc:
                raise exceptions.Unauthorized(
                    'The identity service refused the credentials (HTTP '
                    '401): %s' % CREDENTIALS_HINT,
                    request_id=getattr(exc, 'request_id', None))
            except ksa_exc.EndpointNotFound:
                url = None
            except ksa_exc.ClientException as exc:
                raise exceptions.ClientError(
                    'Cannot look up the %s endpoint: %s'
                    % (self.service_type, _one_line(exc)))
            if not url:
                raise exceptions.EndpointNotFound(
                    'No %s endpoint (interface %s, region %s) in the service '
                    'catalogue: register one, or give the URL with '
                    '--os-boot-endpoint' % (
                        self.service_type, self.interface or 'public',
                        self.region_name or 'any'))
            self._endpoint = _strip_version(url)
        return self._endpoint

    # Requests --------------------------------------------------------

    def get(self, path, params=None, *, what=None, hints=None):
        """GET ``path`` (from the unversioned root) and return its JSON.

        ``what`` names the resource for error messages ("boot record for
        server web-1"); ``hints`` maps a status code to advice appended to
        that status's message.
        """
        url = self.endpoint + path
        try:
            response = self.adapter.get(
                url, params=params, raise_exc=False,
                headers={'Accept': 'application/json'})
        except ksa_exc.ConnectFailure as exc:
            raise exceptions.ConnectionFailed(
                'Cannot connect to the boot-diagnostics API at %s (%s): is '
                'bootdoctor-api running, and is the endpoint right?'
                % (self.endpoint, _reason(exc)), url=url)
        except ksa_exc.ConnectTimeout as exc:
            raise exceptions.ConnectionFailed(
                'Timed out connecting to the boot-diagnostics API at %s: %s'
                % (self.endpoint, _one_line(exc)), url=url)
        except ksa_exc.Unauthorized as exc:
            raise exceptions.Unauthorized(
                'The identity service refused the credentials (HTTP 401): '
                '%s' % CREDENTIALS_HINT,
                request_id=getattr(exc, 'request_id', None))
        except ksa_exc.ClientException as exc:
            raise exceptions.ClientError(
                'Request to %s failed: %s' % (url, _one_line(exc)), url=url)
        if response.status_code >= 400:
            raise self._error(response, url, what, hints or {})
        try:
            return response.json()
        except ValueError:
            raise exceptions.InvalidResponse(
                'The boot-diagnostics API at %s answered %s with a body '
                'that is not JSON' % (self.endpoint, path), url=url,
                request_id=response.headers.get(REQUEST_ID_HEADER))

    def paginate(self, path, key, params=None, *, limit=None,
                 page_size=None, what=None, hints=None):
        """Yield the items of a collection, following its ``next`` links.

        ``limit`` caps the number of items yielded (None: all of them);
        ``page_size`` is the ``limit`` asked of the API per page. When the
        API refuses the ``limit`` asked (HTTP 400 naming ``limit``: its
        maximum page size is configured lower), the page is asked again
        without one and the API's own page size, carried by its next
        links, is used from then on.
        """
        params = dict(params or {})
        remaining = limit
        seen = set()
        api_pages = False
        while True:
            if not api_pages:
                page = page_size
                if remaining is not None:
                    page = remaining if page is None else min(page, remaining)
                if page is not None:
                    params['limit'] = page
            try:
                body = self.get(path, params, what=what, hints=hints)
            except exceptions.BadRequest as exc:
                if api_pages or 'limit' not in params or \
                        exc.parameter != 'limit':
                    raise
                LOG.debug('The API refused limit=%s (%s); using its own '
                          'page size', params['limit'], exc)
                api_pages = True
                del params['limit']
                body = self.get(path, params, what=what, hints=hints)
            if not isinstance(body, dict) or not isinstance(
                    body.get(key), list):
                raise exceptions.InvalidResponse(
                    'The boot-diagnostics API answered %s without a "%s" '
                    'list' % (path, key))
            items = body[key]
            for item in items:
                yield item
                if remaining is not None:
                    remaining -= 1
                    if remaining <= 0:
                        return
            link = next_link(body)
            if not link or not items:
                return
            params = dict(parse.parse_qsl(parse.urlsplit(link).query,
                                          keep_blank_values=True))
            marker = params.get('marker')
            if marker in seen:
                raise exceptions.InvalidResponse(
                    'The boot-diagnostics API returned the same next page '
                    '(marker %s) twice' % marker)
            seen.add(marker)
            LOG.debug('Following next link %s', link)

    def _error(self, response, url, what, hints):
        status = response.status_code
        detail = error_detail(response)
        request_id = response.headers.get(REQUEST_ID_HEADER)
        hint = hints.get(status)
        kwargs = {'url': url, 'request_id': request_id}
        if status == 401:
            message = ('The boot-diagnostics API rejected the token (HTTP '
                       '401): %s' % (hint or CREDENTIALS_HINT))
            return exceptions.Unauthorized(message, **kwargs)
        if status == 403:
            message = 'Not allowed to read %s (HTTP 403)' % (
                what or 'this resource')
            message = _join(message, detail, hint)
            return exceptions.Forbidden(message, **kwargs)
        if status == 404:
            message = 'No %s (HTTP 404)' % (what or 'such resource')
            message = _join(message, hint or detail)
            return exceptions.NotFound(message, **kwargs)
        if status == 400:
            message = _join('Bad request (HTTP 400)', detail, hint)
            return exceptions.BadRequest(
                message, parameter=error_parameter(response), **kwargs)
        message = _join('The boot-diagnostics API at %s failed (HTTP %d)'
                        % (self.endpoint, status), detail, hint)
        return exceptions.ServerError(message, status_code=status, **kwargs)


def _join(head, *parts):
    parts = [p for p in parts if p]
    return head + (': ' + '; '.join(parts) if parts else '')


def _one_line(exc):
    return ' '.join(str(exc).split())


def _reason(exc):
    text = str(exc)
    for reason in ('Connection refused', 'Name or service not known',
                   'No route to host', 'Network is unreachable',
                   'certificate verify failed'):
        if reason.lower() in text.lower():
            return reason.lower()
    return 'connection failed'
