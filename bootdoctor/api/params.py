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

"""Query parameter parsing: every bad value is a 400 naming the parameter.

Each view declares the parameters it takes; :func:`parse` rejects unknown
ones, repeated single-valued ones and malformed values, so a typo such as
``stauts=error`` is an error rather than a silently unfiltered list.
"""

import datetime
import re
import uuid

from bootdoctor.api import errors

TRUE = ('true', '1', 'yes', 'on')
FALSE = ('false', '0', 'no', 'off')
_REQUEST_ID = re.compile(r'req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-'
                         r'[0-9a-f]{4}-[0-9a-f]{12}')
_IDENT = re.compile(r'[A-Za-z0-9_.:@-]{1,64}')
_HOST = re.compile(r'[A-Za-z0-9_.:@-]{1,255}')
# Widest span of a single value, in characters, before any parsing.
MAX_VALUE = 1024
# Timestamps before this are refused: no boot is older, and MySQL's
# DATETIME starts at year 1000.
EARLIEST = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def bad(parameter, message):
    return errors.BadRequest('%s: %s' % (parameter, message), parameter)


def instance_uuid(value, parameter='instance_uuid'):
    """A UUID in canonical lower-case form."""
    try:
        parsed = uuid.UUID(value)
    except (ValueError, TypeError, AttributeError):
        raise bad(parameter, '%r is not a UUID' % _short(value))
    canonical = str(parsed)
    if value.lower() not in (canonical, parsed.hex):
        raise bad(parameter, '%r is not a UUID' % _short(value))
    return canonical


def boolean(value, parameter):
    text = value.strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise bad(parameter, '%r is not a boolean; use true or false'
              % _short(value))


def timestamp(value, parameter):
    """An aware UTC datetime from ISO 8601; a naive time is UTC."""
    text = value.strip()
    if not text or len(text) > 64:
        raise bad(parameter, '%r is not an ISO 8601 timestamp'
                  % _short(value))
    try:
        when = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise bad(parameter, '%r is not an ISO 8601 timestamp such as '
                  '2024-05-01T12:00:00Z' % _short(value))
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    try:
        when = when.astimezone(datetime.timezone.utc)
    except OverflowError:
        raise bad(parameter, '%r is out of range' % _short(value))
    if when < EARLIEST:
        raise bad(parameter, '%r is before 1970' % _short(value))
    return when


def integer(value, parameter, minimum, maximum):
    text = value.strip()
    if not re.fullmatch(r'[+-]?[0-9]{1,12}', text):
        raise bad(parameter, '%r is not an integer' % _short(value))
    number = int(text)
    if not minimum <= number <= maximum:
        raise bad(parameter, 'must be between %d and %d, not %d'
                  % (minimum, maximum, number))
    return number


def choices(value, parameter, allowed):
    """A list of values from a comma-separated string, each in allowed."""
    result = []
    for item in value.split(','):
        item = item.strip()
        if item not in allowed:
            raise bad(parameter, '%r is not one of %s'
                      % (_short(item), ', '.join(allowed)))
        if item not in result:
            result.append(item)
    return result


def one_of(value, parameter, allowed):
    """One value from ``allowed``."""
    item = value.strip()
    if item not in allowed:
        raise bad(parameter, '%r is not one of %s'
                  % (_short(item), ', '.join(allowed)))
    return item


def hosts(value, parameter):
    result = []
    for item in value.split(','):
        item = item.strip()
        if not _HOST.fullmatch(item):
            raise bad(parameter, '%r is not a host name' % _short(item))
        if item not in result:
            result.append(item)
    return result


def identifier(value, parameter):
    if not _IDENT.fullmatch(value):
        raise bad(parameter, '%r is not a valid identifier'
                  % _short(value))
    return value


def request_id(value, parameter):
    if not _REQUEST_ID.fullmatch(value):
        raise bad(parameter, '%r is not a request id '
                  '(req- followed by a UUID)' % _short(value))
    return value


def sort(value, parameter, keys):
    key, sep, direction = value.partition(':')
    if key not in keys:
        raise bad(parameter, 'unknown sort key %r; use one of %s'
                  % (_short(key), ', '.join(keys)))
    if sep and direction not in ('asc', 'desc'):
        raise bad(parameter, 'unknown sort direction %r; use asc or desc'
                  % _short(direction))
    return '%s:%s' % (key, direction or 'desc')


def parse(args, spec, multi=()):
    """Parse a MultiDict of query arguments against ``spec``.

    ``spec`` maps a parameter name to a function ``(value, name) -> value``.
    Parameters in ``multi`` may be repeated; their values are joined with
    commas before parsing. Returns {name: parsed value} for the ones given.
    """
    result = {}
    for name in args.keys():
        if name not in spec:
            raise bad(name, 'unknown query parameter; this resource takes %s'
                      % (', '.join(sorted(spec)) or 'none'))
        values = args.getlist(name)
        if len(values) > 1 and name not in multi:
            raise bad(name, 'given %d times; give it once' % len(values))
        for value in values:
            if len(value) > MAX_VALUE:
                raise bad(name, 'longer than %d characters' % MAX_VALUE)
            if not value.strip():
                raise bad(name, 'empty value')
        result[name] = spec[name](','.join(values), name)
    return result


def _short(value, width=60):
    text = str(value)
    return text if len(text) <= width else text[:width] + '...'
