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


"""Storage fixtures on SQLite, PostgreSQL and MariaDB.

``connection`` is an upgraded Connection on a database created for this
session on each backend in turn, emptied before every test.
"""

import pytest
import sqlalchemy as sa

from bootdoctor.db import models
from bootdoctor.tests.functional.db import servers


@pytest.fixture(scope='session', params=servers.BACKENDS)
def backend_connection(request, tmp_path_factory):
    with servers.connection(request.param, tmp_path_factory) as conn:
        yield conn


@pytest.fixture
def connection(backend_connection):
    with backend_connection.engine.begin() as conn:
        for table in reversed(models.metadata.sorted_tables):
            conn.execute(sa.delete(table))
    return backend_connection
