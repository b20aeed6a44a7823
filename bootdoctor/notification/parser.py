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

"""parse() and parse_listener(): one notification in, observations out."""

import dataclasses

from oslo_log import log as logging

from bootdoctor.notification import envelope
from bootdoctor.notification.errors import ParseError
from bootdoctor.notification import fields
from bootdoctor.notification import plain
from bootdoctor.notification import registry as registry_mod
from bootdoctor.observation import KINDS

LOG = logging.getLogger(__name__)
# What an observation may carry into storage and the API: Keystone ids are
# at most 64 characters (oslo.context request ids 40), host names 255.
FIELD_LENGTHS = (('request_id', 64), ('global_request_id', 64),
                 ('project_id', 64), ('user_id', 64), ('host', 255),
                 ('node', 255))


@dataclasses.dataclass(frozen=True, eq=False)
class Parsed:
    """The result of parsing one notification.

    ``message`` is the canonical listener-view dict ``{message_id,
    event_type, publisher_id, priority, timestamp, payload, ctxt}`` (JSON
    serialisable, credentials masked) to keep as the raw notification;
    parsing it again gives the same result. ``observations`` may be
    empty: a port that belongs to no instance is understood, not
    rejected. ``message_json`` is ``message`` encoded as storage writes
    it (:mod:`bootdoctor.notification.plain`), or None.
    """
    message: dict
    observations: tuple
    # ``message`` as the JSON text storage writes, when parsing made it.
    message_json: str = None

    @property
    def message_id(self):
        return self.message['message_id']

    @property
    def event_type(self):
        return self.message['event_type']


def parse(message, *, default_timestamp=None, limits=None, registry=None,
          received_at=None):
    """Parse one notification in any wire shape.

    ``default_timestamp`` (a datetime or ISO string) is used when neither
    the message nor its context has a timestamp (Nova's sample files).
    ``limits`` bounds size, nesting and clock skew
    (:class:`envelope.Limits`); ``registry`` replaces the installed
    handlers (tests). ``received_at`` (a datetime) is when the message
    arrived: one dated more than ``limits.max_future_s`` after it is
    refused. Parsing itself reads no clock.

    Raises :class:`ParseError`, and nothing else, for any bad input.
    """
    limits = limits or envelope.DEFAULT_LIMITS
    message_id = None
    try:
        raw = envelope.unwrap(message, limits)
        message_id = envelope.read_message_id(raw)
        event_type = envelope.read_event_type(raw)
        handler = (registry or registry_mod.default_registry()).lookup(
            event_type)
        if handler is None:
            raise ParseError('event_type: unknown event type %s'
                             % fields.describe(event_type, 80))
        normal, kept, text = _normalise(raw, default_timestamp, limits)
        message_id = normal.message_id
        if received_at is not None:
            envelope.check_not_future(normal, received_at, limits)
        observations = tuple(handler.observe(normal))
    except ParseError as exc:
        if exc.message_id is None:
            exc.message_id = message_id
        raise
    except (TypeError, ValueError, AttributeError, KeyError, IndexError,
            RecursionError) as exc:
        # A handler bug must not stop a stream: reject the message, loudly.
        LOG.exception('Notification handler failed on message %s',
                      message_id)
        raise ParseError('internal error while parsing: %s: %s'
                         % (type(exc).__name__, exc), message_id) from exc
    _check_observations(observations, normal.message_id)
    return Parsed(message=kept, observations=observations,
                  message_json=text)


def _normalise(raw, default_timestamp, limits):
    """The Message, the dict kept of it and that dict's JSON text.

    The message must be plain, bounded JSON: checked on the way by the
    masking walk and the encoding (:mod:`bootdoctor.notification.plain`).
    When either finds a fault, :func:`envelope.check` walks the message
    again to name the field at fault.
    """
    try:
        normal = envelope.normalise(raw, default_timestamp, limits.max_depth)
    except fields.NotPlain as exc:
        envelope.check(raw, limits)
        raise ParseError('message: %s' % exc.reason)
    kept = normal.to_dict()
    try:
        text = plain.encode(kept, limits.max_bytes)
    except fields.NotPlain as exc:
        envelope.check(kept, limits)
        raise ParseError('message: %s' % exc.reason)
    if plain.SURROGATE in text:
        # A character beyond the BMP, or a lone surrogate: tell which.
        envelope.check(kept, limits)
    return normal, kept, text


def parse_listener(ctxt, publisher_id, event_type, payload, metadata,
                   priority=None, *, default_timestamp=None, limits=None,
                   registry=None, received_at=None):
    """parse() for the arguments of a NotificationListener endpoint."""
    return parse({'ctxt': ctxt, 'publisher_id': publisher_id,
                  'event_type': event_type, 'payload': payload,
                  'metadata': metadata, 'priority': priority},
                 default_timestamp=default_timestamp, limits=limits,
                 registry=registry, received_at=received_at)


def _check_observations(observations, message_id):
    keys = set()
    for item in observations:
        if item.kind not in KINDS:
            raise ParseError('internal error: handler produced unknown kind '
                             '%s' % item.kind, message_id)
        for field, limit in FIELD_LENGTHS:
            value = getattr(item, field)
            if isinstance(value, str) and len(value) > limit:
                raise ParseError('%s: longer than %d characters (%s)'
                                 % (field, limit, fields.describe(value)),
                                 message_id)
        if item.key in keys:
            raise ParseError('internal error: two observations of instance '
                             '%s' % item.instance_uuid, message_id)
        keys.add(item.key)
