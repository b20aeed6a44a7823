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


"""Schema migrations with alembic, run programmatically.

No alembic.ini is needed at runtime: :func:`upgrade` and :func:`version`
build the alembic configuration in code and run it on a SQLAlchemy
connection. ``alembic.ini`` in this directory is only for developers
writing a new revision (``alembic -c bootdoctor/db/migration/alembic.ini
revision -m "..."``).
"""

import os

from alembic import command
from alembic import config as alembic_config
from alembic.runtime import migration
from alembic import script

_HERE = os.path.dirname(os.path.abspath(__file__))


def get_config(connection=None):
    """The alembic configuration, bound to ``connection`` when given."""
    cfg = alembic_config.Config()
    cfg.set_main_option('script_location', _HERE)
    if connection is not None:
        cfg.attributes['connection'] = connection
    return cfg


def upgrade(connection, revision='head'):
    """Upgrade the schema on ``connection`` to ``revision``."""
    command.upgrade(get_config(connection), revision)


def version(connection):
    """The revision the database is at, or None for an empty database."""
    context = migration.MigrationContext.configure(connection)
    return context.get_current_revision()


def head():
    """The newest revision this code knows."""
    return script.ScriptDirectory.from_config(get_config()).get_current_head()
