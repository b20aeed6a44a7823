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

"""Guru Meditation for bootdoctor-api, triggered by a file.

Under a WSGI server signals belong to the server (uwsgi and mod_wsgi use
or block them), so the API never installs a SIGUSR2 handler: it watches
[oslo_reports] file_event_handler instead, by default
$state_path/bootdoctor-api.gmr. Touching that file writes a report of
every thread, the API's configuration (secret options as ``***``), the
package version and the bootdoctor api section (:mod:`bootdoctor.api.report`:
authentication, policy file, database, responses by status class) to
[oslo_reports] log_dir, or to standard error.
"""

import os

from oslo_log import log
from oslo_reports import guru_meditation_report as gmr
from oslo_reports import opts as gmr_opts

from bootdoctor.api import report
from bootdoctor import service
from bootdoctor import version

LOG = log.getLogger(__name__)
SERVICE_NAME = 'bootdoctor-api'
TRIGGER_NAME = 'bootdoctor-api.gmr'


def trigger_path(conf):
    return (conf.oslo_reports.file_event_handler
            or os.path.join(conf.state_path, TRIGGER_NAME))


def setup(conf):
    """Watch the trigger file, creating it if needed; return its path."""
    gmr_opts.set_defaults(conf)
    path = trigger_path(conf)
    conf.set_default('file_event_handler', path, group='oslo_reports')
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    if not os.path.exists(path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o640)
        os.close(fd)
    service.register_config_section(conf)
    report.register()
    gmr.TextGuruMeditation.setup_autorun(
        version.version_info, service_name=SERVICE_NAME, conf=conf)
    LOG.info('Guru Meditation report: touch %s', path)
    return path


def attach(app):
    """Describe the Flask application ``app`` in this process's reports."""
    report.attach(app)
