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

"""Fixtures of the collector's and the API's functional tests, reused.

``names`` (a test's own exchanges, topics and pool), ``sqlite_url`` and
``postgresql_url`` come from the collector's tests; ``keystone_creds``,
``dataset``, ``config_file``, ``api`` (bootdoctor-api in process, in front
of the real Keystone) and ``identity`` (the seeded users' tokens) from the
API's.
"""

from bootdoctor.tests.functional.collector.conftest import names  # noqa
from bootdoctor.tests.functional.collector.conftest import \
    postgresql_url  # noqa
from bootdoctor.tests.functional.collector.conftest import sqlite_url  # noqa

# bootdoctor-api in front of the real Keystone, from the API's tests.
from bootdoctor.tests.functional.api.conftest import api  # noqa
from bootdoctor.tests.functional.api.conftest import config_file  # noqa
from bootdoctor.tests.functional.api.conftest import dataset  # noqa
from bootdoctor.tests.functional.api.conftest import identity  # noqa
from bootdoctor.tests.functional.api.conftest import keystone_creds  # noqa
