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

"""Nova: legacy and versioned notifications of a boot.

Legacy and versioned twins map to the same kind (``compute.instance.
create.error`` and ``instance.create.error`` are both
``instance.create.error``), and so do the Icehouse names that preceded
``scheduler.select_destinations`` and ``compute_task.build_instances``.
Whether a message is versioned is decided by its payload (a
``nova_object``), since ``scheduler.select_destinations.*`` has the same
name in both formats.
"""

from bootdoctor.notification import base
from bootdoctor.notification.errors import ParseError
from bootdoctor.notification import nova_legacy
from bootdoctor.notification import nova_versioned

LEGACY_KINDS = {
    'compute.instance.create.start': 'instance.create.start',
    'compute.instance.create.end': 'instance.create.end',
    'compute.instance.create.error': 'instance.create.error',
    # Sent by Icehouse-era compute besides the one above.
    'compute.instance.instance.create.error': 'instance.create.error',
    'compute.instance.update': 'instance.update',
    'compute.instance.shutdown.start': 'instance.shutdown.start',
    'compute.instance.shutdown.end': 'instance.shutdown.end',
    'compute.instance.delete.start': 'instance.delete.start',
    'compute.instance.delete.end': 'instance.delete.end',
    # Legacy attach/detach are sent once, when done.
    'compute.instance.volume.attach': 'instance.volume_attach.end',
    'compute.instance.volume.detach': 'instance.volume_detach.end',
    'scheduler.select_destinations.start':
        'scheduler.select_destinations.start',
    'scheduler.select_destinations.end': 'scheduler.select_destinations.end',
    'compute_task.build_instances': 'compute_task.build_instances.error',
    # Icehouse: run_instance stood for select_destinations and build.
    'scheduler.run_instance.start': 'scheduler.select_destinations.start',
    'scheduler.run_instance.scheduled': 'scheduler.select_destinations.end',
    'scheduler.run_instance.end': 'scheduler.select_destinations.end',
    'scheduler.run_instance': 'compute_task.build_instances.error',
}

VERSIONED_KINDS = {name: name for name in (
    'instance.create.start', 'instance.create.end', 'instance.create.error',
    'instance.update',
    'instance.shutdown.start', 'instance.shutdown.end',
    'instance.delete.start', 'instance.delete.end',
    'instance.volume_attach.start', 'instance.volume_attach.end',
    'instance.volume_attach.error',
    'instance.volume_detach.start', 'instance.volume_detach.end',
    'scheduler.select_destinations.start',
    'scheduler.select_destinations.end',
    'compute_task.build_instances.error',
)}

_CONTEXT_KEYS = ('request_id', 'global_request_id', 'project_id', 'user_id')


class NovaHandler(base.Handler):
    source = 'nova'
    event_types = frozenset(LEGACY_KINDS) | frozenset(VERSIONED_KINDS)

    def observe(self, message):
        payload = self.payload(message)
        event_type = message.event_type
        if nova_versioned.is_versioned(payload.data):
            fmt = 'versioned'
            kind = VERSIONED_KINDS.get(event_type)
            if kind is None:
                raise ParseError('payload: a versioned Nova object under the '
                                 'legacy event type %s' % event_type)
            found = nova_versioned.facts(kind, payload)
        else:
            fmt = 'legacy'
            kind = LEGACY_KINDS.get(event_type)
            if kind is None:
                raise ParseError('payload: expected a versioned Nova object '
                                 '(nova_object.data) for %s' % event_type)
            found = nova_legacy.facts(event_type, kind, payload)
        ids = self.context_ids(message)
        result = []
        for values in found:
            values = dict(values)
            # The context is authoritative; the payload fills gaps.
            for key in _CONTEXT_KEYS:
                values[key] = base.either(ids[key], values.get(key))
            details = values.pop('details', {})
            values['details'] = {k: v for k, v in details.items()
                                 if v is not None}
            result.append(self.make(message, kind, fmt, **values))
        return base.unique_by_instance(result)
