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

"""Notification parsing: every wire shape in, Observations out.

Public API::

    parse(message, *, default_timestamp=None) -> Parsed
    parse_listener(ctxt, publisher_id, event_type, payload, metadata,
                   priority) -> Parsed
    read_messages(path_or_file) -> iterator of (line, dict | ParseError)
    Parsed(message, observations)
    ParseError(reason, message_id=None)

Per-service handlers are stevedore plugins in the
``bootdoctor.notification.handlers`` namespace.
"""

from bootdoctor.notification.envelope import Limits  # noqa: F401
from bootdoctor.notification.errors import ParseError  # noqa: F401
from bootdoctor.notification.parser import parse  # noqa: F401
from bootdoctor.notification.parser import parse_listener  # noqa: F401
from bootdoctor.notification.parser import Parsed  # noqa: F401
from bootdoctor.notification.reader import read_messages  # noqa: F401
from bootdoctor.notification.registry import event_types  # noqa: F401

__all__ = ['parse', 'parse_listener', 'read_messages', 'Parsed',
           'ParseError', 'Limits', 'event_types']
