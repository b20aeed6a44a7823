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

"""What every per-service handler shares.

A handler is a stevedore plugin in the ``bootdoctor.notification.handlers``
namespace. It names the event types it understands and turns one
normalised :class:`~bootdoctor.notification.envelope.Message` into
:class:`~bootdoctor.observation.Observation` objects.
"""

from bootdoctor.notification import fields
from bootdoctor.notification import publisher
from bootdoctor import observation


class Handler:
    """Base class for the per-service handlers."""

    #: The service the handler reads: nova, neutron, cinder, glance, keystone.
    source = None
    #: The event types it understands (exact names).
    event_types = frozenset()

    def observe(self, message):
        """The observations in ``message``: a tuple, possibly empty.

        Raises ParseError for a field of the wrong type or an id that is
        not a UUID.
        """
        raise NotImplementedError()

    # Helpers for subclasses.

    @staticmethod
    def payload(message):
        return fields.Obj(message.payload, 'payload')

    @staticmethod
    def context_ids(message):
        """request_id, global_request_id, project_id and user_id from ctxt."""
        ctxt = fields.Obj(message.ctxt, 'ctxt')
        return {
            'request_id': ctxt.str('request_id', empty_is_none=True),
            'global_request_id': ctxt.str('global_request_id',
                                          empty_is_none=True),
            'project_id': first(ctxt, 'project_id', 'tenant_id', 'project',
                                'tenant'),
            'user_id': first(ctxt, 'user_id', 'user'),
        }

    def make(self, message, kind, fmt, **values):
        """An Observation with the fields every notification gives."""
        service, host = publisher.split_publisher(message.publisher_id)
        return observation.Observation(
            message_id=message.message_id, kind=kind,
            event_type=message.event_type, source=self.source, format=fmt,
            priority=message.priority, publisher_id=message.publisher_id,
            publisher_service=service, publisher_host=host,
            timestamp=message.timestamp, **values)


def first(obj, *keys):
    """The first of ``keys`` holding a non-empty string, else None."""
    for key in keys:
        value = obj.str(key, empty_is_none=True)
        if value is not None:
            return value
    return None


def either(*values):
    """The first value that is not None."""
    for value in values:
        if value is not None:
            return value
    return None


def unique_by_instance(observations):
    """Drop repeats of an instance within one message, keeping order."""
    seen = set()
    result = []
    for item in observations:
        if item.instance_uuid in seen:
            continue
        seen.add(item.instance_uuid)
        result.append(item)
    return tuple(result)
