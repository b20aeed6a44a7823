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

"""Facts from Nova's legacy (unversioned) notifications.

``compute.instance.*`` payloads are the flat dict of
nova/notifications/base.py ``info_from_instance``: ``instance_id`` is the
instance UUID, ``state`` the vm_state and ``state_description`` the
task_state; ``compute.instance.update`` adds ``old_state``,
``old_task_state`` and ``new_task_state``. Scheduler payloads carry the
legacy request spec dict; ``compute_task.build_instances`` (and Icehouse's
``scheduler.run_instance``) carry ``instance_id``, ``state`` and the
failure in ``reason``.
"""

from bootdoctor.notification.errors import ParseError
from bootdoctor.notification import faults
from bootdoctor.notification import fields

BUILD_ERRORS = ('compute_task.build_instances', 'scheduler.run_instance')
SCHEDULED = 'scheduler.run_instance.scheduled'
UPDATE = 'compute.instance.update'
VOLUME_EVENTS = ('compute.instance.volume.attach',
                 'compute.instance.volume.detach')


def facts(event_type, kind, payload):
    """A list of observation values (one per instance) for this payload."""
    if event_type in BUILD_ERRORS:
        return [build_error_facts(payload)]
    if event_type == SCHEDULED:
        return [scheduled_facts(payload)]
    if event_type.startswith('scheduler.'):
        return request_spec_facts(payload)
    return [instance_facts(event_type, kind, payload)]


def instance_facts(event_type, kind, p):
    uuid = p.uuid('instance_id', required=True)
    state = p.str('state', empty_is_none=True)
    description = p.str('state_description', empty_is_none=True)
    old_state = old_task_state = None
    task_state = description
    if event_type == UPDATE:
        old_state = p.str('old_state', empty_is_none=True)
        old_task_state = p.str('old_task_state', empty_is_none=True)
        task_state = p.str('new_task_state', empty_is_none=True)
    fault = None
    if kind == 'instance.create.error':
        fault = faults.legacy_fault(
            p, 'exception', message=p.str('message', empty_is_none=True),
            code=p.int('code'))
    image_id = image_ref(p)
    return {
        'instance_uuid': uuid,
        'project_id': p.str('tenant_id', empty_is_none=True),
        'user_id': p.str('user_id', empty_is_none=True),
        'host': p.str('host', empty_is_none=True),
        'node': p.str('node', empty_is_none=True),
        'state': state,
        'old_state': old_state,
        'task_state': task_state,
        'old_task_state': old_task_state,
        'fault': fault,
        'details': {
            'image_id': image_id,
            'display_name': p.str('display_name'),
            'reservation_id': p.str('reservation_id', empty_is_none=True),
            'flavor': p.str('instance_type', empty_is_none=True),
            # Legacy payloads do not list block devices: an empty image
            # leaves it unknown.
            'boot_from_volume': False if image_id else None,
            'volume_id': (p.uuid('volume_id')
                          if event_type in VOLUME_EVENTS else None),
        },
    }


def image_ref(p):
    """The image UUID from image_ref_url, image_ref or image_meta."""
    candidates = []
    url = p.str('image_ref_url', empty_is_none=True)
    if url:
        candidates.append(url.rsplit('/', 1)[-1])
    candidates.append(p.str('image_ref', empty_is_none=True))
    meta = p.obj('image_meta')
    if meta is not None:
        candidates.append(meta.str('base_image_ref', empty_is_none=True))
    for value in candidates:
        if fields.is_uuid(value):
            return value.lower()
    return None


def _spec_details(spec):
    """Flavor, image and root-device facts from a legacy request spec."""
    flavor = spec.obj('instance_type')
    image = spec.obj('image')
    image_id = None if image is None else image.str('id', empty_is_none=True)
    image_id = image_id.lower() if fields.is_uuid(image_id) else None
    root = None
    for bdm in spec.objs('block_device_mapping'):
        if bdm.int('boot_index') == 0:
            root = bdm
    boot_from_volume = False if image_id else None
    if root is not None:
        boot_from_volume = 'volume' in (
            root.str('source_type'), root.str('destination_type'))
    return {
        'flavor': None if flavor is None else flavor.str('name'),
        'image_id': image_id,
        'boot_from_volume': boot_from_volume,
        'num_instances': spec.int('num_instances'),
    }


def request_spec_facts(p):
    """scheduler.select_destinations.* and Icehouse scheduler.run_instance.*.

    A multi-create request lists every instance in ``instance_uuids``
    (Icehouse); later releases name one in ``instance_properties.uuid``.
    """
    spec = p.obj('request_spec', required=True)
    props = spec.obj('instance_properties')
    uuids = [fields.uuid_or_error(value, '%s[%d]' % (
        spec.where('instance_uuids'), i))
        for i, value in enumerate(spec.list('instance_uuids') or [])]
    if not uuids:
        if props is None:
            raise ParseError('%s: missing (no instance uuid)'
                             % spec.where('instance_properties'))
        uuids = [props.uuid('uuid', required=True)]
    details = _spec_details(spec)
    project_id = user_id = None
    if props is not None:
        project_id = props.str('project_id', empty_is_none=True)
        user_id = props.str('user_id', empty_is_none=True)
        details['display_name'] = props.str('display_name')
        details['reservation_id'] = props.str('reservation_id',
                                              empty_is_none=True)
    return [{'instance_uuid': uuid, 'project_id': project_id,
             'user_id': user_id, 'details': dict(details)}
            for uuid in uuids]


def scheduled_facts(p):
    """Icehouse scheduler.run_instance.scheduled: the chosen host."""
    chosen = p.obj('weighted_host')
    return {
        'instance_uuid': p.uuid('instance_id', required=True),
        'details': {
            'selected_host': None if chosen is None else chosen.str('host'),
        },
    }


def build_error_facts(p):
    """compute_task.build_instances (ERROR) and scheduler.run_instance."""
    props = p.obj('instance_properties')
    spec = p.obj('request_spec')
    details = {} if spec is None else _spec_details(spec)
    project_id = user_id = None
    if props is not None:
        project_id = props.str('project_id', empty_is_none=True)
        user_id = props.str('user_id', empty_is_none=True)
        details['display_name'] = props.str('display_name')
    return {
        'instance_uuid': p.uuid('instance_id', required=True),
        'project_id': project_id,
        'user_id': user_id,
        'state': p.str('state', empty_is_none=True),
        'fault': faults.legacy_fault(p, 'reason'),
        'details': details,
    }
