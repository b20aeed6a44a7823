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

"""Building blocks of simulated boots, each from one real message shape.

Nova pieces come from the recorded Nova 34 streams; Neutron and Cinder
from searchlight's devstack captures; Glance ``image.send`` from
ceilometer's fixture. See ``data/PROVENANCE.rst``.
"""

import copy
import dataclasses
import datetime

from bootdoctor.simulator import templates

SUCCESS = 'a_boot_success'
NO_VALID_HOST = 'c_no_valid_host'
SPAWN_FAIL = 'e2_spawn_fail_single_host'

# Slices of the recorded streams (legacy message, versioned twin, ...).
SCHEDULE = (SUCCESS, 0, 4)          # select_destinations.start/.end
CONDUCTOR = (SUCCESS, 4, 6)         # update: scheduling, from the conductor
PICKED_UP = (SUCCESS, 6, 8)         # update: scheduling -> None, compute
CREATE_START = (SUCCESS, 8, 10)
CLAIMED = (SUCCESS, 10, 12)         # update: host and node set
NETWORKING = (SUCCESS, 12, 14)
BLOCK_DEVICES = (SUCCESS, 14, 16)
SPAWNING = (SUCCESS, 16, 18)
ACTIVE = (SUCCESS, 18, 20)
CREATE_END = (SUCCESS, 20, 22)
SHUTDOWN = (SPAWN_FAIL, 18, 22)     # shutdown.start/.end after a failure
HOST_CLEARED = (SPAWN_FAIL, 22, 24)
CREATE_ERROR = (SPAWN_FAIL, 24, 26)
RESCHEDULED = (SPAWN_FAIL, 26, 30)  # ... -> task_state scheduling again
TO_ERROR = (SPAWN_FAIL, 30, 32)     # update: vm_state error
RETRIES_EXHAUSTED = (SPAWN_FAIL, 32, 34)  # compute_task: MaxRetriesExceeded
NOVALIDHOST = (NO_VALID_HOST, 0, 4)  # update to error + compute_task


def nova(piece, identity, compute):
    name, start, end = piece
    return templates.nova_emissions(name, start, end, identity, compute)


def set_states(emission, *, old_task_state, task_state, state='building',
               old_state='building', host=None, publisher_host=None):
    """An instance.update with other states (and publisher host)."""
    payload = copy.deepcopy(emission.payload)
    if emission.format == 'legacy':
        payload.update(old_state=old_state, state=state,
                       old_task_state=old_task_state,
                       new_task_state=task_state,
                       state_description=task_state or '')
        target = payload
    else:
        data = payload['nova_object.data']
        data.update(state=state, task_state=task_state)
        data['state_update']['nova_object.data'].update(
            old_state=old_state, state=state,
            old_task_state=old_task_state, new_task_state=task_state)
        target = data
    if host is not None:
        target['host'] = host or None
        target['node'] = host or None
    return _republish(emission, payload, publisher_host)


def create_error_at(emission, task_state, compute):
    """An instance.create.error raised in ``task_state``, host still set.

    The recorded one follows a reschedulable failure, for which Nova clears
    the host first; a build abort or a delete keeps it.
    """
    payload = copy.deepcopy(emission.payload)
    if emission.format == 'legacy':
        payload.update(state_description=task_state, host=compute,
                       node=compute)
    else:
        payload['nova_object.data'].update(task_state=task_state,
                                           host=compute, node=compute)
    return dataclasses.replace(emission, payload=payload)


def _republish(emission, payload, publisher_host):
    publisher_id = emission.publisher_id
    if publisher_host:
        sep = ':' if emission.format == 'versioned' else '.'
        publisher_id = publisher_id.split(sep, 1)[0] + sep + publisher_host
    return dataclasses.replace(emission, payload=payload,
                               publisher_id=publisher_id)


def deletes(identity, compute, when):
    """compute.instance.delete.start/.end and instance.delete.start/.end.

    Built from the recorded create.start payloads (Nova builds both with the
    same helpers) and the state fields of Nova's delete samples.
    """
    legacy, versioned = nova(CREATE_START, identity, compute)
    legacy_payload = dict(legacy.payload)
    legacy_payload.pop('image_name', None)
    legacy_payload.update(host=compute, node=compute)
    data = versioned.payload['nova_object.data']
    action_sample = templates.nova_common_payload('InstanceActionPayload')
    keys = set(templates.nova_common_payload('InstancePayload')[
        'nova_object.data']) | set(action_sample['nova_object.data'])
    action = {k: v for k, v in data.items() if k in keys}
    action.update(host=compute, node=compute, fault=None)
    stamp_legacy = str(when.replace(microsecond=0))
    stamp_versioned = when.strftime('%Y-%m-%dT%H:%M:%SZ')
    out = []
    for suffix, legacy_state, task, state in (
            ('start', 'building', 'deleting', 'building'),
            ('end', 'deleted', None, 'deleted')):
        lp = dict(legacy_payload, state=legacy_state,
                  state_description=task or '')
        vp = dict(action, state=state, task_state=task)
        if suffix == 'end':
            lp.update(deleted_at=stamp_legacy, terminated_at=stamp_legacy)
            vp.update(deleted_at=stamp_versioned,
                      terminated_at=stamp_versioned, power_state='pending')
        out.append(dataclasses.replace(
            legacy, event_type='compute.instance.delete.' + suffix,
            payload=lp))
        out.append(dataclasses.replace(
            versioned, event_type='instance.delete.' + suffix,
            payload=dict(versioned.payload, **{
                'nova_object.data': vp,
                'nova_object.name': action_sample['nova_object.name'],
                'nova_object.version': action_sample['nova_object.version'],
            })))
    return out


def with_volume(emissions, volume_id):
    """Versioned payloads listing the boot volume (bdms_in_notifications)."""
    device = copy.deepcopy(templates.nova_common_payload(
        'BlockDevicePayload'))
    device['nova_object.data'].update(volume_id=volume_id, boot_index=0,
                                      device_name='/dev/vda',
                                      delete_on_termination=True)
    result = []
    for emission in emissions:
        if (emission.format == 'versioned' and
                'block_devices' in emission.payload.get('nova_object.data',
                                                        {})):
            payload = copy.deepcopy(emission.payload)
            payload['nova_object.data']['block_devices'] = [device]
            emission = dataclasses.replace(emission, payload=payload)
        result.append(emission)
    return result


def _rewriter(identity, message, uuids, tokens):
    stamp = (message.get('metadata') or {}).get('timestamp') or (
        message['ctxt'].get('timestamp'))
    return templates.Rewriter(identity, uuids, tokens,
                              templates.parse_time(stamp))


# searchlight's captures: the instance, its owner and the admin user.
_PORT_INSTANCE = '939d5843-5ca0-4e63-86f2-7a945724618c'
_PORT_OWNER = '5fe7c4e4e492490393c674089a178e19'
_VOLUME_INSTANCE = 'ae81266c-a292-4e48-bf81-a3894bd62f4a'
_VOLUME_OWNER = '1816a16093df465dbc609cf638422a05'
_VOLUME_USER = '3f7600957f0a444c98928d79debb72fb'
_VOLUME_ID = 'f54b1d2f-4514-4688-8da7-4bc66767b6be'


def port_created(identity, compute):
    """Neutron port.create.end for the port Nova created for the boot."""
    return _neutron(identity, compute, 'instance-create.port.create.end')


def port_binding_failed(identity, compute):
    """Neutron port.update.end binding the port, with the binding failed."""
    emission = _neutron(identity, compute, 'port_attach')
    payload = copy.deepcopy(emission.payload)
    payload['port']['binding:vif_type'] = 'binding_failed'
    payload['port']['binding:vif_details'] = {}
    return dataclasses.replace(emission, payload=payload)


def port_id(emission):
    return emission.payload['port']['id']


def _neutron(identity, compute, key):
    message = templates.searchlight('ports', key)
    rewrite = _rewriter(identity, message,
                        {_PORT_INSTANCE: identity.instance_uuid},
                        {'devstack': compute,
                         _PORT_OWNER: identity.project_id})
    message = rewrite(message)
    return templates.Emission(
        service='neutron', topic='notifications', priority='INFO',
        publisher_id='network.%s' % identity.controller,
        event_type=message['event_type'], payload=message['payload'],
        ctxt=templates.redact(message['ctxt']))


def _cinder_rewriter(identity, message):
    return _rewriter(identity, message,
                     {_VOLUME_INSTANCE: identity.instance_uuid},
                     {'devstack': identity.storage_host,
                      _VOLUME_OWNER: identity.project_id,
                      _VOLUME_USER: identity.user_id})


def volume_created(identity):
    return _cinder(identity, 'volume.create.end')


def volume_attached(identity):
    return _cinder(identity, 'volume.attach.end')


def volume_attach_started(identity):
    """Cinder volume.attach.start (the attachments API) for the boot volume.

    ceilometer's fixture has no context; the one of searchlight's
    volume.attach.end is used.
    """
    sample = templates.ceilometer('NOTIFICATION_VOLUME_ATTACH_START')
    context_from = templates.searchlight('volumes', 'volume.attach.end')
    rewrite = _cinder_rewriter(identity, context_from)
    ctxt = rewrite(context_from['ctxt'])
    payload = dict(sample['payload'])
    payload.update(instance_uuid=identity.instance_uuid,
                   volume_id=volume_id(identity),
                   tenant_id=identity.project_id, user_id=identity.user_id,
                   host='%s@lvmdriver-1#lvmdriver-1' % identity.storage_host,
                   created_at=str(identity.start.replace(
                       microsecond=0, tzinfo=None)))
    return templates.Emission(
        service='cinder', topic='notifications', priority='INFO',
        publisher_id='volume.%s@lvmdriver-1' % identity.storage_host,
        event_type=sample['event_type'], payload=payload,
        ctxt=templates.redact(ctxt))


def volume_id(identity):
    """The boot volume's id (the same in every cinder message of a boot)."""
    return identity.new_uuid(_VOLUME_ID)


def _cinder(identity, key):
    message = templates.searchlight('volumes', key)
    message = _cinder_rewriter(identity, message)(message)
    return templates.Emission(
        service='cinder', topic='notifications', priority='INFO',
        publisher_id=message['publisher_id'],
        event_type=message['event_type'], payload=message['payload'],
        ctxt=templates.redact(message['ctxt']))


def image_sent(identity, compute, size):
    """Glance image.send: the image downloaded to the compute host.

    ceilometer's fixture, with the recorded image, the boot's project and
    user and the whole image sent. Glance's own captures (searchlight)
    carry an empty context and publisher ``image.<host>``.
    """
    sample = templates.ceilometer('IMAGE_NOTIFICATION_SEND')
    payload = dict(sample['payload'])
    payload.update(image_id=templates.IMAGE_ID, bytes_sent=size,
                   receiver_tenant_id=identity.project_id,
                   receiver_user_id=identity.user_id)
    return templates.Emission(
        service='glance', topic='notifications', priority='INFO',
        publisher_id='image.%s' % identity.controller,
        event_type=sample['event_type'], payload=payload, ctxt={})


def image_size():
    """The recorded image's size in bytes."""
    message = templates.recorded(SUCCESS)[0]
    return message['payload']['request_spec']['image']['size']


def after(identity, seconds):
    return identity.start + datetime.timedelta(seconds=seconds)
