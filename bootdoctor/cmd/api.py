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

"""bootdoctor-api: the REST API on a development server.

Serves the same WSGI application as bootdoctor.wsgi.api on [api] host and
[api] port with a threaded development server. Production deployments run
bootdoctor.wsgi.api:application under uwsgi
(etc/bootdoctor/bootdoctor-uwsgi.ini) or another WSGI server.
"""

import signal
import sys

from oslo_log import log
from werkzeug import serving

from bootdoctor.api import wsgi_app
from bootdoctor import service

LOG = log.getLogger(__name__)


class _QuietHandler(serving.WSGIRequestHandler):
    # The middleware logs every request with its request id.
    def log_request(self, code='-', size='-'):
        pass


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    conf = service.prepare_service(argv, log_to_stderr=True,
                                   guru_meditation=False)
    application = wsgi_app.build(conf)
    server = serving.make_server(conf.api.host, conf.api.port, application,
                                 threaded=True,
                                 request_handler=_QuietHandler)
    LOG.info('bootdoctor-api serving on http://%s:%s (auth_strategy %s)',
             conf.api.host, server.server_port, conf.api.auth_strategy)

    def _stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        LOG.info('bootdoctor-api stopping')
    finally:
        server.server_close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
