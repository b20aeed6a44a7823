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

"""Facts from Nova's versioned notifications (``nova_object.data``).

Payloads are serialised oslo.versionedobjects: InstanceActionPayload and
its children for ``instance.*``, RequestSpecPayload for
``scheduler.select_destinations.*``, ComputeTaskPayload for
``compute_task.build_instances.error``. Nested objects (flavor, fault,
state_update, block_devices[], request_spec, image, reason) have the same
four-key shape.
"""

from bootdoctor.notification.errors import ParseError
from bootdoctor.notification import faults
from bootdoctor.notification import fields

DATA = 'nova_object.data'


def is_versioned(payload):
    return DATA in payload or 'nova_object.name' in payload


def ovo(value, path):
    """The ``nova_object.data`` of a serialised object, as an Obj."""
    obj = fields.Obj(value, path)
    if DATA not in obj:
        raise ParseError('%s: expected a versioned Nova object (no %s)'
                         % (path, DATA))
    return obj.obj(DATA, required=True)


def nested(obj, key):
    value = obj.raw(key)
    if value is None:
        return None
    return ovo(value, obj.where(key))


def facts(kind, payload):
    """A list of observation values (one per instance) for this payload."""
    data = ovo(payload.data, payload.path)
    if kind.startswith('scheduler.select_destinations.'):
        return [request_spec_facts(data)]
    if kind == 'compute_task.build_instances.error':
        return [compute_task_facts(data)]
    return [instance_facts(data)]


def instance_facts(data):
    """From InstancePayload and its children (create, update, delete...)."""
    uuid = data.uuid('uuid', required=True)
    state = data.str('state', empty_is_none=True)
    task_state = data.str('task_state', empty_is_none=True)
    old_state = old_task_state = None
    update = nested(data, 'state_update')
    if update is not None:
        old_state = update.str('old_state', empty_is_none=True)
        old_task_state = update.str('old_task_state', empty_is_none=True)
        new_state = update.str('state', empty_is_none=True)
        new_task_state = update.str('new_task_state', empty_is_none=True)
        if state is None:
            state = new_state
        if 'task_state' not in data:
            task_state = new_task_state
    image_id = data.str('image_uuid', empty_is_none=True)
    devices = block_devices(data)
    return {
        'instance_uuid': uuid,
        'request_id': data.str('request_id', empty_is_none=True),
        'project_id': data.str('tenant_id', empty_is_none=True),
        'user_id': data.str('user_id', empty_is_none=True),
        'host': data.str('host', empty_is_none=True),
        'node': data.str('node', empty_is_none=True),
        'state': state,
        'old_state': old_state,
        'task_state': task_state,
        'old_task_state': old_task_state,
        'fault': faults.versioned_fault(nested(data, 'fault')),
        'details': {
            'image_id': image_id if fields.is_uuid(image_id) else None,
            'display_name': data.str('display_name'),
            'reservation_id': data.str('reservation_id',
                                       empty_is_none=True),
            'flavor': flavor_name(data),
            'block_devices': None if devices is None else len(devices),
            'boot_from_volume': boot_from_volume(image_id, devices),
            'volume_id': data.uuid('volume_id'),
        },
    }


def block_devices(data):
    """The BlockDevicePayload objects, or None when Nova did not load them."""
    items = data.list('block_devices')
    if items is None:
        return None
    return [ovo(item, '%s[%d]' % (data.where('block_devices'), i))
            for i, item in enumerate(items)]


def boot_from_volume(image_id, devices):
    """True when there is no image and a root volume; None when unknown."""
    if image_id:
        return False
    if devices is None:
        return None
    return any(d.int('boot_index') == 0 for d in devices)


def flavor_name(data):
    flavor = nested(data, 'flavor')
    return None if flavor is None else flavor.str('name')


def _image_id(data):
    image = nested(data, 'image')
    if image is None:
        return None
    value = image.str('id', empty_is_none=True)
    return value if fields.is_uuid(value) else None


def request_spec_facts(data):
    """From RequestSpecPayload (scheduler.select_destinations.*)."""
    return {
        'instance_uuid': data.uuid('instance_uuid', required=True),
        'project_id': data.str('project_id', empty_is_none=True),
        'user_id': data.str('user_id', empty_is_none=True),
        'details': {
            'flavor': flavor_name(data),
            'image_id': _image_id(data),
            'num_instances': data.int('num_instances'),
        },
    }


def compute_task_facts(data):
    """From ComputeTaskPayload (compute_task.build_instances.error)."""
    spec = nested(data, 'request_spec')
    details = {}
    project_id = user_id = None
    if spec is not None:
        details = {'flavor': flavor_name(spec), 'image_id': _image_id(spec)}
        project_id = spec.str('project_id', empty_is_none=True)
        user_id = spec.str('user_id', empty_is_none=True)
    return {
        'instance_uuid': data.uuid('instance_uuid', required=True),
        'project_id': project_id,
        'user_id': user_id,
        'state': data.str('state', empty_is_none=True),
        'fault': faults.versioned_fault(nested(data, 'reason')),
        'details': details,
    }
