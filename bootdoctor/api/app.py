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

"""The Flask application of bootdoctor-api (no flask_restful)."""

import flask

from bootdoctor.api import context
from bootdoctor.api import errors
from bootdoctor.api import metrics
from bootdoctor.api import middleware
from bootdoctor.api import policy
from bootdoctor.api import request_counts
from bootdoctor.api import root
from bootdoctor.api import storage as api_storage
from bootdoctor.api import v1


def create_app(conf, storage=None, enforcer=None):
    """The bare Flask application, without authentication middleware.

    :param conf: the parsed ConfigOpts.
    :param storage: a :class:`bootdoctor.api.storage.Storage`; by default
        one on [database] connection.
    :param enforcer: an oslo.policy Enforcer; by default one on ``conf``.
    """
    app = flask.Flask('bootdoctor.api')
    app.config['BOOTDOCTOR_CONF'] = conf
    app.config['BOOTDOCTOR_STORAGE'] = (
        storage if storage is not None
        else api_storage.Storage.from_conf(conf))
    app.config['BOOTDOCTOR_ENFORCER'] = (
        enforcer if enforcer is not None else policy.make_enforcer(
            conf, check_interval=conf.api.policy_file_check_interval))
    # Every response of the stack, counted by the middleware.
    app.config['BOOTDOCTOR_REQUEST_COUNTS'] = request_counts.RequestCounts()
    # Records keep the field order they were built with.
    app.json.sort_keys = False
    # A doubled slash is a 404 like any unknown path, not a redirect.
    app.url_map.merge_slashes = False
    errors.register(app)
    root.register(app)
    metrics.register(app)
    app.register_blueprint(v1.blueprint())

    @app.before_request
    def _context():
        flask.g.context = context.from_environ(flask.request.environ)

    return app


def wrap(app, conf):
    """``app`` (from :func:`create_app`) inside its middleware."""
    return middleware.wrap(app, conf,
                           counts=app.config['BOOTDOCTOR_REQUEST_COUNTS'])


def build_wsgi_app(conf, storage=None, enforcer=None):
    """The application with its middleware: what a WSGI server runs."""
    return wrap(create_app(conf, storage, enforcer), conf)
