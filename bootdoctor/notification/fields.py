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
    field (``payload.host``). A field's name is only spelt out for an
    error: the walk keeps each item's parent and key instead.
    """
    size = 0
    # (item, depth, where): where is None at the top, else (parent's
    # where, key or index).
    stack = [(value, 0, None)]
    pop, push = stack.pop, stack.append
    while stack:
        item, depth, where = pop()
        if depth > max_depth:
            raise ParseError('%s: nesting deeper than %d levels'
                             % (path, max_depth))
        kind = type(item)
        if kind not in _PLAIN:
            kind = _plain_kind(item, _where(path, where))
        if kind is str:
            size += len(item) + 2
            if not item.isascii():
                _check_text(item, _where(path, where))
        elif kind is dict:
            size += 2
            depth += 1
            for key, sub in item.items():
                if type(key) is not str:
                    if not isinstance(key, str):
                        raise ParseError(
                            '%s: object key %s is not a string'
                            % (_where(path, where), describe(key)))
                if not key.isascii():
                    _check_text(key, _where(path, where))
                size += len(key) + 3
                push((sub, depth, (where, key)))
        elif kind is list:
            size += 2
            depth += 1
            for i, sub in enumerate(item):
                push((sub, depth, (where, i)))
        elif kind is float:
            size += 8
            if not math.isfinite(item):
                raise ParseError('%s: not a finite number'
                                 % _where(path, where))
        else:
            size += 4
        if size > max_size:
            raise ParseError('%s: larger than %d bytes' % (path, max_size))
    return size


def _where(path, where):
    """The field's name (``payload.host``, ``a[2]``), or ``path`` at the
    top.
    """
    parts = []
    while where is not None:
        where, key = where
        parts.append(key)
    if not parts:
        return path
    text = ''
    for key in reversed(parts):
        if isinstance(key, int):
            text = '%s[%d]' % (text or path, key)
        else:
            text = '%s.%s' % (text, key) if text else key
    return text


_PLAIN = frozenset((str, dict, list, int, float, bool, type(None)))


def _plain_kind(item, here):
    """The JSON type a value of a subclass of one is walked as."""
    for kind in (str, dict, list, bool, int, float):
        if isinstance(item, kind):
            return kind
    raise ParseError('%s: %s is not a JSON value' % (here, type_name(item)))


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
# The last letters of those suffixes, either case: a cheap first test.
_SECRET_ENDS = frozenset('nNdDtT')


class NotPlain(Exception):
    """A value is not plain, bounded JSON; ``reason`` says why, roughly.

    Raised by the fast checks (:func:`redact` with a depth bound, and
    :func:`bootdoctor.notification.plain.encode`), which cannot name the
    field at fault: :func:`check_json` then walks the value to name it.
    """

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def _below(room):
    """The room left below a non-empty object or list with ``room``."""
    if room is None:
        return None
    if room < 1:
        raise NotPlain('nesting too deep')
    return room - 1


def redact(value, room=None):
    """The JSON value with credential values replaced.

    oslo.context serialises ``auth_token`` (and service tokens) into
    every notification context; the raw message is stored, so they are
    masked here, at any depth. Copy on write: an object or list holding
    no credential is returned as it is, not copied (a payload seldom
    holds one, a context nearly always does); one that does is a new
    object, and the value passed in is never changed.

    The walk also checks what the C JSON encoder would let through:
    an object key that is not a string, a tuple, and, with ``room`` (how
    many levels of nesting may lie below ``value``), nesting deeper than
    that, each raise :class:`NotPlain`.
    """
    kind = type(value)
    if kind is dict or (kind is not list and isinstance(value, dict)):
        if not value:
            return value
        room = _below(room)
        copy = None
        for key, sub in value.items():
            if type(key) is not str and not isinstance(key, str):
                raise NotPlain('an object key is not a string')
            kind = type(sub)
            if kind is str:
                if not (sub and key[-1:] in _SECRET_ENDS
                        and key.lower().endswith(_SECRET_SUFFIXES)):
                    continue
                new = REDACTED
            elif kind is dict or kind is list:
                new = redact(sub, room)
            elif isinstance(sub, (dict, list, tuple)):
                new = redact(sub, room)
            elif (isinstance(sub, str) and sub and
                    key.lower().endswith(_SECRET_SUFFIXES)):
                new = REDACTED
            else:
                continue
            if new is not sub:
                if copy is None:
                    copy = dict(value)
                copy[key] = new
        return value if copy is None else copy
    if kind is list or isinstance(value, list):
        if not value:
            return value
        room = _below(room)
        copy = None
        for i, sub in enumerate(value):
            if isinstance(sub, (dict, list, tuple)):
                new = redact(sub, room)
                if new is not sub:
                    if copy is None:
                        copy = list(value)
                    copy[i] = new
        return value if copy is None else copy
    if isinstance(value, tuple):
        raise NotPlain('a tuple is not a JSON value')
    return value
