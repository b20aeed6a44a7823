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

"""A message's JSON text, made once and checked on the way.

The message a parse keeps is stored as JSON text. Encoding it with the
standard library's C encoder also checks most of what makes a value
plain JSON, at no cost beyond the encoding the storage needs anyway:

- a value that is not a JSON type reaches ``default``, which refuses it;
- ``allow_nan=False`` refuses NaN and infinities;
- the length of the text bounds the message's size;
- a lone surrogate can only hide behind a ``\\ud`` escape.

What the encoder lets through, :func:`bootdoctor.notification.fields.
redact` checks as it walks the payload and context: object keys that are
not strings (the encoder would turn ``1`` into ``"1"``), tuples (it would
make them lists) and the nesting depth.

These checks raise :class:`~bootdoctor.notification.fields.NotPlain`,
which does not name the field at fault; the parser then walks the
message with :func:`bootdoctor.notification.fields.check_json`, which
does. The text is the one :class:`bootdoctor.db.types.JSONText` would
write (compact separators, ASCII), so storage keeps it as it is.
"""

import json

from bootdoctor.notification.errors import ParseError
from bootdoctor.notification.fields import NotPlain

# What could be a lone surrogate: any surrogate, escaped by ensure_ascii.
# A pair (a character beyond the Basic Multilingual Plane) shows it too;
# the parser's walk then finds nothing wrong and keeps the text.
SURROGATE = '\\ud'


def _refuse(value):
    raise TypeError('%s is not a JSON value' % type(value).__name__)


_ENCODER = json.JSONEncoder(separators=(',', ':'), allow_nan=False,
                            default=_refuse)


def encode(value, max_bytes):
    """The JSON text of ``value``; raise if it is not plain JSON.

    :raises ParseError: the text is longer than ``max_bytes``.
    :raises NotPlain: a value is not a JSON type or not a finite number.

    A text holding :data:`SURROGATE` may come from a lone surrogate: the
    caller walks the value to tell.
    """
    try:
        text = _ENCODER.encode(value)
    except (TypeError, ValueError) as exc:
        raise NotPlain(str(exc)) from exc
    if len(text) > max_bytes:
        raise ParseError('message: larger than %d bytes' % max_bytes)
    return text
