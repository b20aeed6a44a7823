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


"""Column types that behave the same on SQLite, PostgreSQL and MySQL.

Timestamps are stored as naive UTC with microseconds (MySQL's DATETIME
drops them unless asked) and come back timezone-aware. JSON is stored as
text, not as a native JSON type, so the three databases store and return
exactly the same document.
"""

import datetime

from oslo_serialization import jsonutils
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

UTC = datetime.timezone.utc

# Long text: MySQL's TEXT holds only 64 KiB.
LongText = sa.Text().with_variant(mysql.LONGTEXT(), 'mysql')
# Auto-incrementing ids: SQLite only auto-increments INTEGER PRIMARY KEY.
BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def to_utc(value):
    """An aware UTC datetime from a datetime or an ISO 8601 string.

    A naive datetime is taken as UTC. Raises ValueError for anything else.
    """
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(('Z', 'z')):
            text = text[:-1] + '+00:00'
        value = datetime.datetime.fromisoformat(text)
    if not isinstance(value, datetime.datetime):
        raise ValueError('not a timestamp: %r' % (value,))
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """A timezone-aware UTC datetime, stored naive with microseconds."""

    impl = sa.DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == 'mysql':
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(sa.DateTime())

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return to_utc(value).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):
            return to_utc(value)
        return value.replace(tzinfo=UTC)


class Encoded:
    """A JSON document encoded already, as :class:`JSONText` writes it.

    JSONText stores ``text`` unchanged. The caller vouches that it is
    compact, ASCII JSON (the parser's own encoding of a message,
    :mod:`bootdoctor.notification.plain`).
    """

    __slots__ = ('text',)

    def __init__(self, text):
        if not isinstance(text, str):
            raise TypeError('Encoded takes JSON text, not %s'
                            % type(text).__name__)
        self.text = text

    def __repr__(self):
        return 'Encoded(%r)' % self.text[:60]


class JSONText(sa.types.TypeDecorator):
    """A JSON document kept as text."""

    impl = sa.Text
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == 'mysql':
            return dialect.type_descriptor(mysql.LONGTEXT())
        return dialect.type_descriptor(sa.Text())

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if type(value) is Encoded:
            return value.text
        return jsonutils.dumps(value, separators=(',', ':'))

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return jsonutils.loads(value)
