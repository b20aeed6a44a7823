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

"""Building the WSGI application for a WSGI server, from the environment.

The application is built from the configuration file named by the
BOOTDOCTOR_CONFIG_FILE environment variable (several may be separated by
commas), by default /etc/bootdoctor/bootdoctor.conf. The server's own
command-line arguments are never parsed as bootdoctor options.
"""

import gc
import os

from bootdoctor.api import app as api_app
from bootdoctor.api import guru
from bootdoctor import service

CONFIG_ENV = 'BOOTDOCTOR_CONFIG_FILE'
DEFAULT_CONFIG_FILE = '/etc/bootdoctor/bootdoctor.conf'


def config_files(environ=None):
    """The configuration files to read, from the environment."""
    environ = os.environ if environ is None else environ
    value = environ.get(CONFIG_ENV, '').strip() or DEFAULT_CONFIG_FILE
    return [name.strip() for name in value.split(',') if name.strip()]


def init_application(environ=None):
    """Parse the configuration once and build the WSGI application."""
    files = config_files(environ)
    for name in files:
        if not os.path.isfile(name):
            raise RuntimeError('bootdoctor-api configuration file %s does '
                               'not exist (set %s)' % (name, CONFIG_ENV))
    conf = service.prepare_service([], default_config_files=files,
                                   guru_meditation=False)
    return build(conf)


def build(conf):
    """The application of this process, described by its Guru Meditation.

    Watches the report's trigger file, builds the application and freezes
    what startup made; bootdoctor-api's development server calls it too.
    """
    guru.setup(conf)
    app = api_app.create_app(conf)
    guru.attach(app)
    application = api_app.wrap(app, conf)
    freeze_startup_objects()
    return application


def freeze_startup_objects():
    """Keep what startup made out of the garbage collector's full passes.

    A page of boot records allocates enough to trigger the collector's
    oldest generation now and then, and a full pass over the ~100,000
    objects of the loaded libraries took list requests from a 15 ms median
    to a 90 ms p99 in tools/bench/api_bench.py; frozen, the p99 was 22 ms.
    """
    gc.collect()
    gc.freeze()
