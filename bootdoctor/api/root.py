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

"""Unversioned resources: version discovery and the OpenAPI document.

Both are served without authentication (the middleware routes them
around auth_token), so clients and keystoneauth can discover the API.
"""

import copy
import functools
import os

import flask
import yaml

from bootdoctor.api import params

OPENAPI_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            'openapi.yaml')
OPENAPI_MEDIA_TYPE = 'application/vnd.oai.openapi+json;version=3.0'
VERSION_ID = 'v1.0'


@functools.lru_cache(maxsize=None)
def openapi_document():
    """The OpenAPI 3 document, as shipped beside this module."""
    with open(OPENAPI_FILE, encoding='utf-8') as f:
        return yaml.safe_load(f)


def _base():
    return flask.request.host_url.rstrip('/') + flask.request.script_root


def _v1():
    base = _base()
    return {
        'id': VERSION_ID,
        'status': 'CURRENT',
        'links': [
            {'rel': 'self', 'href': base + '/v1/'},
            {'rel': 'describedby', 'type': OPENAPI_MEDIA_TYPE,
             'href': base + '/v1/openapi.json'},
        ],
        'media-types': [{'base': 'application/json',
                         'type': 'application/json'}],
    }


def versions():
    params.parse(flask.request.args, {})
    return flask.jsonify({'versions': [_v1()]})


def version_v1():
    params.parse(flask.request.args, {})
    return flask.jsonify({'version': _v1()})


def configured_document(conf, base_url):
    """The OpenAPI document as this server answers.

    The shipped document gives the defaults of [api] max_limit and
    default_limit for the limit parameter of GET /v1/boots; the served one
    gives this server's values, which are what it enforces, and names
    this server as the only one.
    """
    document = copy.deepcopy(openapi_document())
    document['servers'] = [{'url': base_url,
                            'description': 'this bootdoctor-api'}]
    # GET /v1/boots never pages by more than max_limit, whatever
    # default_limit says.
    default = min(conf.api.default_limit, conf.api.max_limit)
    limit = _parameter(document, '/v1/boots', 'get', 'limit')
    limit['schema']['maximum'] = conf.api.max_limit
    limit['schema']['default'] = default
    limit['description'] = (
        'Boots per page: 1 to %d ([api] max_limit of this server); %d '
        '([api] default_limit) if not given.\n' % (
            conf.api.max_limit, default))
    return document


def _parameter(document, path, method, name):
    for parameter in document['paths'][path][method]['parameters']:
        if parameter.get('name') == name:
            return parameter
    raise LookupError('%s %s has no parameter %s' % (method, path, name))


def openapi():
    params.parse(flask.request.args, {})
    return flask.jsonify(configured_document(
        flask.current_app.config['BOOTDOCTOR_CONF'], _base()))


# Paths served without authentication; the middleware reads this.
PUBLIC_PATHS = ('/', '/v1', '/v1/', '/v1/openapi.json')


def register(app):
    app.add_url_rule('/', 'versions', versions, methods=['GET'])
    app.add_url_rule('/v1', 'version_v1', version_v1, methods=['GET'],
                     strict_slashes=False)
    app.add_url_rule('/v1/openapi.json', 'openapi', openapi,
                     methods=['GET'])
