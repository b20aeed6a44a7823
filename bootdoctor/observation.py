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

"""The normalised observation: what parsing produces and the tracker reads.

Parsing (:mod:`bootdoctor.notification`) turns every wire shape into
:class:`Observation` objects. Nothing past parsing sees an envelope, a
``_context_*`` key or ``nova_object.data``.

``kind`` is format independent: the legacy ``compute.instance.update`` and
the versioned ``instance.update`` are both ``instance.update``. The kinds are
listed in :data:`KINDS`.
"""

import dataclasses
import datetime
import functools
import types

# Canonical kinds, per source service.
NOVA_KINDS = (
    'scheduler.select_destinations.start',
    'scheduler.select_destinations.end',
    'instance.update',
    'instance.create.start',
    'instance.create.end',
    'instance.create.error',
    'compute_task.build_instances.error',
    'instance.shutdown.start',
    'instance.shutdown.end',
    'instance.delete.start',
    'instance.delete.end',
    'instance.volume_attach.start',
    'instance.volume_attach.end',
    'instance.volume_attach.error',
    'instance.volume_detach.start',
    'instance.volume_detach.end',
)
NEUTRON_KINDS = (
    'port.create.start', 'port.create.end',
    'port.update.start', 'port.update.end',
    'port.delete.start', 'port.delete.end',
)
CINDER_KINDS = (
    'volume.create.start', 'volume.create.end',
    'volume.attach.start', 'volume.attach.end',
    'volume.detach.start', 'volume.detach.end',
    'volume.update.end', 'volume.delete.start', 'volume.delete.end',
)
GLANCE_KINDS = ('image.send',)
KEYSTONE_KINDS = ('identity.authenticate',)
# What Nova's compute API said of a server when bootdoctor asked (the
# collector's reconciliation of stuck boots): source 'nova', format 'api',
# details found (bool), status, vm_state, task_state, host.
RECONCILE_KINDS = ('api.server.show',)
KINDS = frozenset(NOVA_KINDS + NEUTRON_KINDS + CINDER_KINDS + GLANCE_KINDS +
                  KEYSTONE_KINDS + RECONCILE_KINDS)

SOURCES = ('nova', 'neutron', 'cinder', 'glance', 'keystone')
FORMATS = ('legacy', 'versioned', 'api')


@dataclasses.dataclass(frozen=True)
class Fault:
    """A fault as an OpenStack service reported it.

    ``exception`` is the exception class name where the message names it
    (versioned ExceptionPayload, a legacy ``reason``), else None. ``message``
    is the text as reported (Nova truncates legacy messages to 255 chars).
    """
    exception: str | None = None
    message: str | None = None
    code: int | None = None
    traceback: str | None = None
    module: str | None = None
    function: str | None = None

    def to_dict(self):
        return dataclasses.asdict(self)


def _freeze(value):
    if isinstance(value, dict):
        return types.MappingProxyType(
            {k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


@dataclasses.dataclass(frozen=True)
class Observation:
    """One fact about one instance, taken from one notification.

    A notification naming several instances (a bulk port create, a volume
    with several attachments) gives one observation per instance, all with
    the notification's ``message_id``; ``(message_id, instance_uuid)`` is
    unique.

    ``timestamp`` is timezone-aware UTC. ``state``/``task_state`` are the
    vm_state and task_state after the event, ``old_state``/``old_task_state``
    before it (instance.update only). ``host``/``node`` come from the
    payload, never from the publisher. ``publisher_service`` is normalised
    (``nova-compute``, ``nova-conductor``, ``nova-scheduler``, ``nova-api``,
    ``neutron``, ``cinder``, ``glance``, ``keystone``) and
    ``publisher_host`` is the host part of ``publisher_id``.

    ``details`` holds source-specific facts, read-only: for example
    ``image_id``, ``display_name``, ``reservation_id``, ``port_id``,
    ``vif_type``, ``port_status``, ``binding_host``, ``volume_id``,
    ``volume_status``, ``bytes_sent``, ``image_size``, ``outcome``,
    ``boot_from_volume``.
    """
    message_id: str
    kind: str
    event_type: str
    source: str
    format: str
    priority: str
    publisher_id: str
    publisher_service: str | None
    publisher_host: str | None
    timestamp: datetime.datetime
    instance_uuid: str | None = None
    request_id: str | None = None
    global_request_id: str | None = None
    project_id: str | None = None
    user_id: str | None = None
    host: str | None = None
    node: str | None = None
    state: str | None = None
    old_state: str | None = None
    task_state: str | None = None
    old_task_state: str | None = None
    fault: Fault | None = None
    details: types.MappingProxyType = dataclasses.field(
        default_factory=lambda: types.MappingProxyType({}))

    def __post_init__(self):
        if not isinstance(self.details, types.MappingProxyType):
            object.__setattr__(self, 'details', _freeze(dict(self.details)))
        if self.timestamp.tzinfo is None:
            raise ValueError('Observation timestamps must be timezone-aware')

    def __hash__(self):
        return hash(self.key)

    def __eq__(self, other):
        if not isinstance(other, Observation):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    @property
    def key(self):
        """The identity of this observation: a duplicate has the same key."""
        return (self.message_id, self.instance_uuid)

    def sort_key(self):
        """A total order used by the tracker; independent of arrival."""
        return (self.timestamp, self.message_id, self.instance_uuid or '')

    def to_dict(self):
        data = {name: getattr(self, name) for name in _field_names()}
        data['timestamp'] = self.timestamp.isoformat()
        data['fault'] = self.fault.to_dict() if self.fault else None
        data['details'] = _thaw(self.details)
        return data

    @classmethod
    def from_dict(cls, data):
        data = dict(data)
        ts = data['timestamp']
        if isinstance(ts, str):
            ts = datetime.datetime.fromisoformat(ts)
        if ts.tzinfo is None:
            ts = ts.replace(tzinfo=datetime.timezone.utc)
        data['timestamp'] = ts
        if data.get('fault'):
            data['fault'] = Fault(**data['fault'])
        data['details'] = data.get('details') or {}
        return cls(**data)


@functools.cache
def _field_names():
    return tuple(f.name for f in dataclasses.fields(Observation))


def _thaw(value):
    if isinstance(value, types.MappingProxyType):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value
