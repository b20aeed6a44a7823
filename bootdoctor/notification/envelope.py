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

"""Recognise every wire shape and normalise it to one message.

Shapes accepted:

* the oslo.messaging v2 envelope ``{"oslo.version": "2.0", "oslo.message":
  "<JSON string>"}`` as it travels on RabbitMQ;
* the un-enveloped 1.0 message: the notification keys plus the context
  flattened into ``_context_<key>`` entries and ``_unique_id``;
* the NotificationListener view ``{ctxt, publisher_id, event_type,
  payload, metadata: {message_id, timestamp}}``, with or without
  ``priority``;
* the upstream sample shape ``{event_type, payload, priority,
  publisher_id}`` (Nova's doc/notification_samples);
* recorded streams: the listener view flattened, with ``message_id``,
  ``timestamp`` and ``ctxt`` at the top and extra keys (``topic``,
  ``format``, ``seq``) that are ignored.

All become a :class:`Message`, whose :meth:`Message.to_dict` is the
canonical ``{message_id, event_type, publisher_id, priority, timestamp,
payload, ctxt}`` kept as the raw notification.
"""

import dataclasses
import datetime
import hashlib
import json

from bootdoctor.notification.errors import ParseError
from bootdoctor.notification import fields
from bootdoctor.notification import timestamps

DEFAULT_MAX_BYTES = 1024 * 1024
DEFAULT_MAX_DEPTH = 48
# Clocks of a control plane drift by seconds to minutes; a notification
# dated further ahead of its reception comes from a broken clock.
DEFAULT_MAX_FUTURE_S = 3600
MAX_ID_LENGTH = 255

PRIORITIES = frozenset(('AUDIT', 'CRITICAL', 'DEBUG', 'ERROR', 'INFO',
                        'SAMPLE', 'WARN', 'WARNING'))
# Event types Nova only ever sends at ERROR: used when a stored listener
# view lost the priority (the endpoint method carried it).
_ERROR_ONLY = frozenset(('compute_task.build_instances',
                         'scheduler.run_instance'))

ENVELOPE_VERSION_KEY = 'oslo.version'
ENVELOPE_MESSAGE_KEY = 'oslo.message'
SUPPORTED_ENVELOPE_MAJOR = '2'
_CONTEXT_PREFIX = '_context_'
# Keys unpack_context adds for RPC replies; meaningless for notifications.
_TRANSPORT_KEYS = ('msg_id', 'reply_q', 'client_timeout')


@dataclasses.dataclass(frozen=True)
class Limits:
    """Bounds on one message.

    Its size in bytes, its nesting depth, and how many seconds its
    timestamp may lie after its reception.
    """
    max_bytes: int = DEFAULT_MAX_BYTES
    max_depth: int = DEFAULT_MAX_DEPTH
    max_future_s: float = DEFAULT_MAX_FUTURE_S


DEFAULT_LIMITS = Limits()


@dataclasses.dataclass(frozen=True, eq=False)
class Message:
    """One notification, whatever shape it came in."""
    message_id: str
    event_type: str
    publisher_id: str
    priority: str
    timestamp: datetime.datetime
    payload: dict
    ctxt: dict

    def to_dict(self):
        return {
            'message_id': self.message_id,
            'event_type': self.event_type,
            'publisher_id': self.publisher_id,
            'priority': self.priority,
            'timestamp': timestamps.isoformat(self.timestamp),
            'payload': self.payload,
            'ctxt': self.ctxt,
        }


def decode_json(text, path='message'):
    """Decode JSON text; ParseError (never ValueError) when it is not."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except ParseError as exc:
        raise ParseError('%s: not JSON (%s)' % (path, exc.reason))
    except RecursionError:
        raise ParseError('%s: nesting too deep to decode' % path)
    except json.JSONDecodeError as exc:
        raise ParseError('%s: not JSON (%s)' % (path, json_error(exc)))
    except ValueError as exc:
        raise ParseError('%s: not JSON (%s)' % (path, _first_line(exc)))


def json_error(exc):
    """A JSONDecodeError as text, placed by column on a one-line text."""
    if exc.lineno > 1:
        return '%s at line %d column %d' % (exc.msg, exc.lineno, exc.colno)
    return '%s at column %d' % (exc.msg, exc.colno)


def _reject_constant(name):
    raise ParseError('%s is not a JSON number' % name)


def _first_line(exc):
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]


def unwrap(message, limits=DEFAULT_LIMITS):
    """The message dict, taken out of its oslo.messaging v2 envelope."""
    if not isinstance(message, dict):
        raise ParseError('message: not an object (got %s)'
                         % fields.type_name(message))
    if (ENVELOPE_VERSION_KEY not in message and
            ENVELOPE_MESSAGE_KEY not in message):
        return message
    version = message.get(ENVELOPE_VERSION_KEY)
    if version is None:
        raise ParseError('oslo.version: missing beside oslo.message')
    if not isinstance(version, str):
        raise ParseError('oslo.version: expected a string, got %s'
                         % fields.type_name(version))
    if version.split('.')[0] != SUPPORTED_ENVELOPE_MAJOR:
        raise ParseError('oslo.version: unsupported envelope version %s '
                         '(only %s.x is known)'
                         % (fields.describe(version),
                            SUPPORTED_ENVELOPE_MAJOR))
    body = message.get(ENVELOPE_MESSAGE_KEY)
    if body is None:
        raise ParseError('oslo.message: missing')
    if not isinstance(body, str):
        raise ParseError('oslo.message: expected a JSON string, got %s'
                         % fields.type_name(body))
    if len(body) > limits.max_bytes:
        raise ParseError('oslo.message: larger than %d bytes'
                         % limits.max_bytes)
    inner = decode_json(body, ENVELOPE_MESSAGE_KEY)
    if not isinstance(inner, dict):
        raise ParseError('oslo.message: expected a JSON object, got %s'
                         % fields.type_name(inner))
    if ENVELOPE_VERSION_KEY in inner or ENVELOPE_MESSAGE_KEY in inner:
        raise ParseError('oslo.message: holds another envelope')
    return inner


def check(raw, limits=DEFAULT_LIMITS):
    """Refuse a message that is too big, too deep or not plain JSON."""
    fields.check_json(raw, 'message', limits.max_depth, limits.max_bytes)


def read_event_type(raw):
    return fields.Obj(raw, '').str('event_type', required=True,
                                   empty_is_none=True)


def read_message_id(raw):
    """The message id from metadata or the message; None if absent.

    Never raises: used to label a rejection before the message is known
    to be valid.
    """
    if not isinstance(raw, dict):
        return None
    metadata = raw.get('metadata')
    for source in (metadata if isinstance(metadata, dict) else {}, raw):
        value = source.get('message_id')
        if isinstance(value, str) and 0 < len(value) <= MAX_ID_LENGTH:
            return value
    return None


def normalise(raw, default_timestamp=None, max_depth=None):
    """A :class:`Message` from an unwrapped message dict.

    With ``max_depth``, the payload and context are checked as they are
    masked (:func:`fields.redact`): a :class:`fields.NotPlain` says they
    are not plain JSON, and :func:`check` then names the field.
    """
    top = fields.Obj(raw, '')
    metadata = top.obj('metadata') or fields.Obj({}, 'metadata')

    event_type = top.str('event_type', required=True, empty_is_none=True)
    publisher_id = top.str('publisher_id', required=True, empty_is_none=True)
    if len(publisher_id) > MAX_ID_LENGTH:
        raise ParseError('publisher_id: longer than %d characters'
                         % MAX_ID_LENGTH)
    payload = top.obj('payload', required=True).data
    ctxt = _context(raw, top)
    priority = _priority(top, event_type)

    message_id = _first_present(metadata, top, 'message_id')
    own_ts = _first_present(metadata, top, 'timestamp', raw_value=True)
    if own_ts is not None:
        timestamp = timestamps.parse_timestamp(own_ts[1], own_ts[0])
    elif ctxt.get('timestamp') is not None:
        timestamp = timestamps.parse_timestamp(ctxt['timestamp'],
                                               'ctxt.timestamp')
    elif default_timestamp is not None:
        timestamp = _default(default_timestamp)
    else:
        raise ParseError('timestamp: missing (no message, metadata or '
                         'context timestamp)')

    # Both sit one level below the message's top.
    room = None if max_depth is None else max_depth - 1
    payload = fields.redact(payload, room)
    ctxt = fields.redact(ctxt, room)
    if message_id is None:
        try:
            message_id = synthetic_id(
                event_type, publisher_id, priority, payload, ctxt,
                timestamps.isoformat(timestamp) if own_ts else None)
        except (TypeError, ValueError) as exc:
            raise fields.NotPlain(str(exc)) from exc
    return Message(message_id=message_id, event_type=event_type,
                   publisher_id=publisher_id, priority=priority,
                   timestamp=timestamp, payload=payload, ctxt=ctxt)


def check_not_future(message, received_at, limits=DEFAULT_LIMITS):
    """Refuse a message dated too far after ``received_at``.

    A timestamp sorts the observation among the others of its boot, so
    one from a broken clock (a year ahead) would become the boot's last
    update and, in a replay, the clock of stuck detection.
    """
    received = _default(received_at)
    ahead = (message.timestamp - received).total_seconds()
    if ahead > limits.max_future_s:
        raise ParseError('timestamp: %s is %d s after the message was '
                         'received (%s); more than %d s ahead is a broken '
                         'clock' % (timestamps.isoformat(message.timestamp),
                                    ahead, timestamps.isoformat(received),
                                    limits.max_future_s),
                         message.message_id)


def _first_present(metadata, top, key, raw_value=False):
    for source in (metadata, top):
        if source.raw(key) is None:
            continue
        if raw_value:
            return source.where(key), source.raw(key)
        value = source.str(key, empty_is_none=True)
        if value is not None and len(value) > MAX_ID_LENGTH:
            raise ParseError('%s: longer than %d characters'
                             % (source.where(key), MAX_ID_LENGTH))
        return value
    return None


def _context(raw, top):
    ctxt = {key[len(_CONTEXT_PREFIX):]: value
            for key, value in raw.items()
            if key.startswith(_CONTEXT_PREFIX)}
    given = top.obj('ctxt')
    if given is not None:
        ctxt.update(given.data)
    for key in _TRANSPORT_KEYS:
        if ctxt.get(key) is None:
            ctxt.pop(key, None)
    return ctxt


def _priority(top, event_type):
    priority = top.str('priority', empty_is_none=True)
    if priority is None:
        if event_type.endswith('.error') or event_type in _ERROR_ONLY:
            return 'ERROR'
        return 'INFO'
    upper = priority.upper()
    if upper not in PRIORITIES:
        raise ParseError('priority: unknown value %s'
                         % fields.describe(priority))
    return upper


def _default(value):
    if isinstance(value, datetime.datetime):
        return timestamps.as_utc(value)
    if isinstance(value, str):
        return timestamps.parse_timestamp(value, 'default_timestamp')
    raise TypeError('default_timestamp must be a datetime or a string')


def canonical_json(value):
    return json.dumps(value, sort_keys=True, separators=(',', ':'),
                      ensure_ascii=False, allow_nan=False)


def synthetic_id(event_type, publisher_id, priority, payload, ctxt,
                 timestamp):
    """A deterministic id for a message that carries none.

    The same notification in any shape gives the same id, so a line
    replayed twice is still one message. A timestamp supplied by the
    caller (not the message) does not take part.
    """
    body = canonical_json({
        'event_type': event_type, 'publisher_id': publisher_id,
        'priority': priority, 'payload': payload, 'ctxt': ctxt,
        'timestamp': timestamp,
    })
    return 'sha1-' + hashlib.sha1(body.encode('utf-8'),
                                  usedforsecurity=False).hexdigest()
