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

"""Notification timestamps to timezone-aware UTC datetimes.

oslo.messaging writes ``str(timeutils.utcnow())``: ``YYYY-MM-DD
HH:MM:SS.ffffff`` in UTC with no zone. Contexts and other tools write ISO
8601 with a ``T`` and sometimes a zone (``+00:00``, ``+0000``, ``Z``). A
value without a zone is UTC; one with a zone is converted to UTC.
"""

import datetime
import re

from bootdoctor.notification.errors import ParseError
from bootdoctor.notification.fields import describe
from bootdoctor.notification.fields import type_name

_TS_RE = re.compile(
    r'^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})'
    r'(?::(\d{2})(?:[.,](\d{1,9}))?)?'
    r'\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$', re.ASCII)

UTC = datetime.timezone.utc


def parse_timestamp(value, path='timestamp'):
    """A datetime (aware, UTC) from a notification timestamp string."""
    if isinstance(value, datetime.datetime):
        return as_utc(value)
    if not isinstance(value, str):
        raise ParseError('%s: expected a string, got %s'
                         % (path, type_name(value)))
    match = _TS_RE.match(value.strip())
    if not match:
        raise ParseError('%s: not a date and time (%s)'
                         % (path, describe(value)))
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or '0')[:6].ljust(6, '0'))
    try:
        result = datetime.datetime(
            int(year), int(month), int(day), int(hour), int(minute),
            int(second or 0), micro, tzinfo=_zone(zone))
    except ValueError as exc:
        raise ParseError('%s: not a date and time (%s: %s)'
                         % (path, describe(value), exc))
    try:
        return result.astimezone(UTC)
    except OverflowError:
        raise ParseError('%s: out of range (%s)' % (path, describe(value)))


def _zone(text):
    if not text or text in ('Z', 'z'):
        return UTC
    sign = -1 if text[0] == '-' else 1
    digits = text[1:].replace(':', '')
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError('zone offset out of range')
    return datetime.timezone(sign * datetime.timedelta(hours=hours,
                                                       minutes=minutes))


def as_utc(value):
    """An aware UTC datetime; a naive one is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ParseError('timestamp: out of range (%s)' % value.isoformat())


def isoformat(value):
    """The canonical text form kept in the normalised message."""
    return value.astimezone(UTC).isoformat()
