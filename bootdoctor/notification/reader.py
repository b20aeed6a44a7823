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

"""read_messages(): notifications from a file, with their line numbers.

A file holds JSON Lines (one message per line; a line may also hold an
array of messages) or JSON documents: one or several arrays of messages
(stacktach-notigen templates, ``cat`` of several of them), or a single
pretty-printed message. Every record comes out as ``(line_number, dict)``
or ``(line_number, ParseError)``; for an array the number is the line
where the element starts. Nothing in the file stops the iteration: a bad
line is reported and the next one read.
"""

import io
import json
import os
import re

from bootdoctor.notification import envelope
from bootdoctor.notification.errors import ParseError
from bootdoctor.notification import fields

_BOM = b'\xef\xbb\xbf'
_DRAIN = 64 * 1024
# Bytes that were not UTF-8, as decoded with 'surrogateescape'.
_ESCAPED = re.compile('[\udc80-\udcff]')
_WS = ' \t\r\n'


def read_messages(source, *, max_bytes=envelope.DEFAULT_MAX_BYTES):
    """Yield ``(line_number, dict | ParseError)`` for each record.

    ``source`` is a path or an open file (binary or text). Lines longer
    than ``max_bytes`` are rejected without being decoded.
    """
    if isinstance(source, (str, bytes, os.PathLike)):
        with open(source, 'rb') as stream:
            yield from _read(stream, max_bytes)
    else:
        yield from _read(_binary(source), max_bytes)


def _binary(stream):
    buffer = getattr(stream, 'buffer', None)
    if buffer is not None:
        return buffer
    if isinstance(stream, io.TextIOBase):
        return io.BytesIO(stream.read().encode('utf-8', 'surrogatepass'))
    return stream


def _read(stream, max_bytes):
    number = 0
    seen_content = False
    while True:
        line = stream.readline(max_bytes + 1)
        if not line:
            return
        if isinstance(line, str):
            line = line.encode('utf-8', 'surrogatepass')
        number += 1
        if number == 1 and line.startswith(_BOM):
            line = line[len(_BOM):]
        if len(line) > max_bytes and not line.endswith(b'\n'):
            _drain(stream)
            yield number, ParseError('line %d: larger than %d bytes'
                                     % (number, max_bytes))
            continue
        if not line.strip():
            continue
        first = not seen_content
        seen_content = True
        try:
            text = line.decode('utf-8').rstrip('\r\n')
        except UnicodeDecodeError as exc:
            yield number, ParseError('line %d: not valid UTF-8 (byte %d)'
                                     % (number, exc.start))
            continue
        try:
            value = envelope.decode_json(text, 'line %d' % number)
        except ParseError as exc:
            if first and _starts_document(text):
                # A pretty-printed document: read it as a whole.
                rest = stream.read()
                if isinstance(rest, str):
                    rest = rest.encode('utf-8', 'surrogatepass')
                yield from _document(line + rest, number, max_bytes)
                return
            yield number, exc
            continue
        if isinstance(value, list):
            for item in value:
                yield number, _record(item)
        else:
            yield number, _record(value)


def _drain(stream):
    while True:
        chunk = stream.readline(_DRAIN)
        if not chunk or chunk.endswith(b'\n' if isinstance(chunk, bytes)
                                       else '\n'):
            return


def _starts_document(text):
    stripped = text.strip()
    return stripped.startswith('[') or stripped == '{'


def _record(value):
    if not isinstance(value, dict):
        return ParseError('not a notification: %s, not an object'
                          % fields.type_name(value))
    if ('time_map' in value and 'event_type' not in value and
            envelope.ENVELOPE_MESSAGE_KEY not in value):
        return ParseError('not a notification: template metadata '
                          '(time_map), as element 0 of a stacktach-notigen '
                          'template')
    return value


class _Cursor:
    """A position in a decoded document, with its line number."""

    def __init__(self, text, line):
        self.text = text
        self.pos = 0
        self.line = line
        self.first_line = line

    def advance(self, end):
        self.line += self.text.count('\n', self.pos, end)
        self.pos = end

    def skip_ws(self):
        end = self.pos
        while end < len(self.text) and self.text[end] in _WS:
            end += 1
        self.advance(end)
        return self.pos < len(self.text)

    def char(self):
        return self.text[self.pos]

    def next_line_starting(self, chars):
        """Move to the next line that starts with one of ``chars``."""
        end = self.pos
        while True:
            end = self.text.find('\n', end)
            if end < 0:
                self.advance(len(self.text))
                return False
            end += 1
            if self.text[end:end + 1] and self.text[end] in chars:
                self.advance(end)
                return True


def _document(data, first_line, max_bytes):
    cursor = _Cursor(data.decode('utf-8', 'surrogateescape'), first_line)
    decoder = json.JSONDecoder(parse_constant=envelope._reject_constant)
    while cursor.skip_ws():
        if cursor.char() == '[':
            yield from _array(cursor, decoder, max_bytes)
            continue
        line = cursor.line
        result, decoded = _value(cursor, decoder, max_bytes)
        if decoded:
            yield line, result
            continue
        yield line, ParseError(result + '; skipped to the next line '
                               'starting with [ or {')
        if not cursor.next_line_starting('[{'):
            return


def _array(cursor, decoder, max_bytes):
    start = cursor.line
    cursor.advance(cursor.pos + 1)
    expect_comma = False
    while True:
        if not cursor.skip_ws():
            yield cursor.line, ParseError(
                'line %d: the array opened on line %d is not closed'
                % (cursor.line, start))
            return
        if cursor.char() == ']':
            cursor.advance(cursor.pos + 1)
            return
        if expect_comma:
            if cursor.char() != ',':
                reason = 'line %d: expected , or ]' % cursor.line
                break
            cursor.advance(cursor.pos + 1)
            if not cursor.skip_ws():
                continue
        line = cursor.line
        result, decoded = _value(cursor, decoder, max_bytes)
        if not decoded:
            reason = result
            break
        yield line, result
        expect_comma = True
    yield cursor.line, ParseError(
        '%s in the array opened on line %d; the rest of it is skipped'
        % (reason, start))
    cursor.next_line_starting('[')


def _value(cursor, decoder, max_bytes):
    """(record or ParseError, True) or (reason, False) if not decodable.

    A value that decodes but is refused (too big, not UTF-8, not an
    object) leaves the cursor after it; one that does not decode leaves
    the cursor where it was.
    """
    line = cursor.line
    try:
        value, end = decoder.raw_decode(cursor.text, cursor.pos)
    except ParseError as exc:
        return 'line %d: not JSON (%s)' % (line, exc.reason), False
    except RecursionError:
        return 'line %d: nesting too deep to decode' % line, False
    except json.JSONDecodeError as exc:
        return ('line %d: not JSON (%s at line %d column %d)'
                % (line, exc.msg, exc.lineno + cursor.first_line - 1,
                   exc.colno), False)
    except ValueError as exc:
        return ('line %d: not JSON (%s)'
                % (line, envelope._first_line(exc)), False)
    span = (cursor.pos, end)
    cursor.advance(end)
    if _ESCAPED.search(cursor.text, *span):
        return ParseError('line %d: not valid UTF-8' % line), True
    if span[1] - span[0] > max_bytes:
        return (ParseError('line %d: larger than %d bytes'
                           % (line, max_bytes)), True)
    return _record(value), True
