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

"""Strict, path-aware reads from decoded JSON.

Every read names the field it reads, so a bad value becomes a
:class:`ParseError` such as ``payload.port.device_id: not a UUID ('x')``,
never an ``AttributeError`` or ``TypeError`` further down.
"""

import math
import re

from bootdoctor.notification.errors import ParseError

# Canonical (hyphenated) form, as Nova, Neutron, Cinder and Glance write ids.
_UUID_RE = re.compile(
    r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-'
    r'[0-9a-fA-F]{12}$')

_TYPE_NAMES = {
    dict: 'an object', list: 'a list', str: 'a string', int: 'an integer',
    float: 'a number', bool: 'a boolean', type(None): 'null',
}


def type_name(value):
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def describe(value, limit=40):
    """A short printable form of a bad value for an error message."""
    text = repr(value)
    if len(text) > limit:
        text = text[:limit - 3] + '...'
    return text


def is_uuid(value):
    return isinstance(value, str) and bool(_UUID_RE.match(value))


def uuid_or_error(value, path):
    """The value as a lower-case UUID string; ParseError if it is not one."""
    if not isinstance(value, str):
        raise ParseError('%s: expected a UUID string, got %s'
                         % (path, type_name(value)))
    if not _UUID_RE.match(value):
        raise ParseError('%s: not a UUID (%s)' % (path, describe(value)))
    return value.lower()


class Obj:
    """A JSON object being read, with the path that led to it."""

    __slots__ = ('data', 'path')

    def __init__(self, data, path):
        if not isinstance(data, dict):
            raise ParseError('%s: expected an object, got %s'
                             % (path, type_name(data)))
        self.data = data
        self.path = path

    def where(self, key):
        return '%s.%s' % (self.path, key) if self.path else key

    def __contains__(self, key):
        return key in self.data

    def raw(self, key, default=None):
        return self.data.get(key, default)

    def _get(self, key, types, what, required):
        value = self.data.get(key)
        if value is None:
            if required:
                raise ParseError('%s: missing' % self.where(key))
            return None
        if not isinstance(value, types) or (
                isinstance(value, bool) and bool not in types):
            raise ParseError('%s: expected %s, got %s'
                             % (self.where(key), what, type_name(value)))
        return value

    def str(self, key, required=False, empty_is_none=False):
        value = self._get(key, (str,), 'a string', required)
        if empty_is_none and value == '':
            if required:
                raise ParseError('%s: empty' % self.where(key))
            return None
        return value

    def int(self, key, required=False):
        return self._get(key, (int,), 'an integer', required)

    def bool(self, key, required=False):
        return self._get(key, (bool,), 'a boolean', required)

    def list(self, key, required=False):
        return self._get(key, (list,), 'a list', required)

    def obj(self, key, required=False):
        value = self._get(key, (dict,), 'an object', required)
        return None if value is None else Obj(value, self.where(key))

    def objs(self, key, required=False):
        """A list of objects, each wrapped; [] when absent or null."""
        items = self.list(key, required=required) or []
        return [Obj(item, '%s[%d]' % (self.where(key), i))
                for i, item in enumerate(items)]

    def uuid(self, key, required=False, empty_is_none=False):
        value = self.data.get(key)
        if value is None or (empty_is_none and value == ''):
            if required:
                raise ParseError('%s: missing' % self.where(key))
            return None
        return uuid_or_error(value, self.where(key))


def check_json(value, path, max_depth, max_size):
    """Check a decoded value is plain, bounded JSON; return its rough size.

    Walks iteratively (no recursion, whatever the nesting) and refuses:
    nesting deeper than ``max_depth``, more than ``max_size`` characters
    of keys and strings (plus a few per scalar), keys that are not
    strings, values that are not JSON types, NaN or infinite numbers and
    strings holding lone surrogates (invalid UTF-8 on the wire). Errors
    about the whole value name ``path``; errors about a field name the
    field (``payload.host``).
    """
    size = 0
    stack = [(value, '', 0)]
    while stack:
        item, where, depth = stack.pop()
        if depth > max_depth:
            raise ParseError('%s: nesting deeper than %d levels'
                             % (path, max_depth))
        here = where or path
        if isinstance(item, str):
            size += len(item) + 2
            _check_text(item, here)
        elif isinstance(item, dict):
            size += 2
            for key, sub in item.items():
                if not isinstance(key, str):
                    raise ParseError('%s: object key %s is not a string'
                                     % (here, describe(key)))
                _check_text(key, here)
                size += len(key) + 3
                stack.append((sub, '%s.%s' % (where, key) if where else key,
                              depth + 1))
        elif isinstance(item, list):
            size += 2
            for i, sub in enumerate(item):
                stack.append((sub, '%s[%d]' % (here, i), depth + 1))
        elif isinstance(item, float):
            size += 8
            if not math.isfinite(item):
                raise ParseError('%s: not a finite number' % here)
        elif item is None or isinstance(item, (bool, int)):
            size += 4
        else:
            raise ParseError('%s: %s is not a JSON value'
                             % (here, type_name(item)))
        if size > max_size:
            raise ParseError('%s: larger than %d bytes' % (path, max_size))
    return size


def _check_text(text, where):
    if text.isascii():
        return
    try:
        text.encode('utf-8')
    except UnicodeEncodeError:
        raise ParseError('%s: not valid UTF-8 (lone surrogate)' % where)


# Context keys that carry credentials; their values are not kept.
_SECRET_SUFFIXES = ('token', 'password', 'secret')
REDACTED = '***'


def redact(value):
    """A copy of a JSON object with credential values replaced.

    oslo.context serialises ``auth_token`` (and service tokens) into
    every notification context; the raw message is stored, so they are
    masked here, at any depth.
    """
    if isinstance(value, dict):
        result = {}
        for key, sub in value.items():
            if (isinstance(sub, str) and sub and isinstance(key, str) and
                    key.lower().endswith(_SECRET_SUFFIXES)):
                result[key] = REDACTED
            else:
                result[key] = redact(sub)
        return result
    if isinstance(value, list):
        return [redact(sub) for sub in value]
    return value
