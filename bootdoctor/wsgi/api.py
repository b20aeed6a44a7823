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

"""WSGI entry point of bootdoctor-api: ``bootdoctor.wsgi.api:application``.

For uwsgi (etc/bootdoctor/bootdoctor-uwsgi.ini), gunicorn or mod_wsgi. The
application is built once, when this module is imported, from
BOOTDOCTOR_CONFIG_FILE (default /etc/bootdoctor/bootdoctor.conf); see
:mod:`bootdoctor.api.wsgi_app`.
"""

from bootdoctor.api import wsgi_app

application = wsgi_app.init_application()
