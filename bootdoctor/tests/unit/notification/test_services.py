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

"""Neutron, Cinder, Glance and Keystone notifications."""

import copy

import pytest

from bootdoctor import notification
from bootdoctor.tests.unit.notification import samples

INSTANCE = '939d5843-5ca0-4e63-86f2-7a945724618c'
KEYSTONE = ('event_notifications.rst_L270_example_notification_'
            'authentication.json',
            'event_notifications.rst_L313_example_notification_federated_'
            'authentication.json',
            'event_notifications.rst_L415_example_notification_expired_'
            'password.json',
            'event_notifications.rst_L462_example_notification_invalid_'
            'password_authentication.json')


def ports():
    return samples.load('other', 'searchlight', 'ports.json')


def volumes():
    return samples.load('other', 'searchlight', 'volumes.json')


def parse(message):
    return notification.parse(message).observations


def reason(message):
    with pytest.raises(notification.ParseError) as exc:
        notification.parse(message)
    return exc.value.reason


# Neutron


@pytest.mark.parametrize('name', ['port.create.end', 'port_detach',
                                  'port.delete.end'])
def test_port_without_an_instance_gives_nothing(name):
    parsed = notification.parse(ports()[name])
    assert parsed.observations == ()
    assert parsed.message['event_type'].startswith('port.')


def test_port_created_by_nova_for_a_boot():
    message = ports()['instance-create.port.create.end']
    (obs,) = parse(message)
    assert (obs.kind, obs.source, obs.instance_uuid) == (
        'port.create.end', 'neutron', INSTANCE)
    assert dict(obs.details) == {
        'port_id': '100bdb32-9356-4d84-ac94-f8daee223214',
        'vif_type': 'ovs', 'port_status': 'DOWN',
        'binding_host': 'devstack', 'device_owner': 'compute:None'}
    assert (obs.publisher_service, obs.publisher_host) == (
        'neutron', 'devstack')
    assert obs.request_id == 'req-61bf0aa4-2d6c-4b5d-85a9-dd8dc0922df7'
    assert obs.request_id == message['ctxt']['request_id']
    # The port's owner, not Nova's service project that made the call.
    assert obs.project_id == '5fe7c4e4e492490393c674089a178e19'
    assert obs.host is None


def test_port_bound_then_active():
    (bound,) = parse(ports()['port_attach'])
    (active,) = parse(ports()['port_rename'])
    assert bound.kind == active.kind == 'port.update.end'
    assert (bound.details['port_status'], active.details['port_status']) \
        == ('DOWN', 'ACTIVE')
    assert bound.details['binding_host'] == 'devstack'


def test_binding_failed_and_unbound_host():
    message = ports()['port_attach']
    message['payload']['port']['binding:vif_type'] = 'binding_failed'
    message['payload']['port']['binding:host_id'] = ''
    (obs,) = parse(message)
    assert obs.details['vif_type'] == 'binding_failed'
    assert 'binding_host' not in obs.details


def test_compute_port_with_a_bad_device_id():
    message = ports()['port_attach']
    message['payload']['port']['device_id'] = 'not-an-instance'
    assert reason(message) == \
        "payload.port.device_id: not a UUID ('not-an-instance')"


def test_ceilometer_ports_have_no_device():
    for name in ('NOTIFICATION_PORT_CREATE.json',
                 'NOTIFICATION_PORT_UPDATE.json'):
        parsed = notification.parse(samples.load('other', 'ceilometer', name))
        assert parsed.observations == ()
        assert parsed.message['publisher_id'] == 'network.ubuntu-VirtualBox'


def test_ceilometer_bulk_create():
    message = samples.load('other', 'ceilometer',
                           'NOTIFICATION_BULK_PORT_CREATE.json')
    # The fixture's own timestamp is mangled ("2014-05-0909: 19: 58...").
    assert reason(message).startswith('timestamp: not a date and time')
    message['timestamp'] = '2014-05-09 09:19:58.317548'
    assert parse(message) == ()
    message['payload']['ports'][1].update(
        device_owner='compute:nova', device_id=INSTANCE)
    (obs,) = parse(message)
    assert obs.details['port_id'] == 'd8bb667f-5cd3-4eca-a984-268e25b1b7a5'
    assert obs.request_id == 'req-678be9ad-c399-475a-b3e8-8da0c06375aa'


# Cinder


def test_volume_attached_to_an_instance():
    (obs,) = parse(volumes()['volume.attach.end'])
    assert (obs.kind, obs.source, obs.instance_uuid) == (
        'volume.attach.end', 'cinder', 'ae81266c-a292-4e48-bf81-a3894bd62f4a')
    assert dict(obs.details) == {
        'volume_id': 'f54b1d2f-4514-4688-8da7-4bc66767b6be',
        'volume_status': 'in-use', 'attach_status': 'attached',
        'volume_host': 'devstack@lvmdriver-1#lvmdriver-1'}
    assert (obs.publisher_service, obs.publisher_host) == (
        'cinder', 'devstack@lvmdriver-1')
    assert obs.request_id == 'req-c754b774-450f-4328-bc43-5b39edd9993b'


@pytest.mark.parametrize('name', ['volume.create.end', 'volume.update.end',
                                  'volume.detach.end', 'volume.delete.end'])
def test_volume_without_attachment_is_kept_without_instance(name):
    (obs,) = parse(volumes()[name])
    assert obs.instance_uuid is None
    assert obs.kind == name
    assert obs.details['volume_id']


def test_volume_with_several_attachments():
    message = volumes()['volume.attach.end']
    second = copy.deepcopy(message['payload']['volume_attachment'][0])
    del second['instance_uuid']
    second['server_id'] = INSTANCE
    message['payload']['volume_attachment'].append(second)
    duplicate = copy.deepcopy(message['payload']['volume_attachment'][0])
    message['payload']['volume_attachment'].append(duplicate)
    obs = parse(message)
    assert [o.instance_uuid for o in obs] == [
        'ae81266c-a292-4e48-bf81-a3894bd62f4a', INSTANCE]
    assert len({o.message_id for o in obs}) == 1


def test_volume_retype_is_not_a_boot_event():
    assert reason(volumes()['volume.retype']) == \
        "event_type: unknown event type 'volume.retype'"


@pytest.mark.parametrize('name', [
    'NOTIFICATION_VOLUME_CREATE_START.json',
    'NOTIFICATION_VOLUME_CREATE_END.json',
    'NOTIFICATION_VOLUME_ATTACH_START.json',
    'NOTIFICATION_VOLUME_ATTACH_END.json'])
def test_ceilometer_volumes_have_fake_uuids(name):
    raw = samples.load('other', 'ceilometer', name)
    assert reason(raw) == "timestamp: not a date and time ('NOW')"
    message = samples.ceilometer('other', 'ceilometer', name)
    assert reason(message) == \
        "payload.volume_id: not a UUID ('cccccccc-cccc-cccc-cccccccccccc')"
    message['payload']['volume_id'] = '0c65cb9c-018c-11e2-bc91-5453ed1bbb5f'
    (obs,) = parse(message)
    assert obs.priority == 'INFO'
    assert obs.instance_uuid is None
    assert obs.publisher_service is None


# Glance


def test_ceilometer_image_send_has_fake_uuids():
    raw = samples.load('other', 'ceilometer', 'IMAGE_NOTIFICATION_SEND.json')
    assert reason(raw) == "timestamp: not a date and time ('NOW')"
    message = samples.ceilometer('other', 'ceilometer',
                                 'IMAGE_NOTIFICATION_SEND.json')
    assert reason(message) == \
        "payload.image_id: not a UUID ('cccccccc-cccc-cccc-cccccccccccc')"


def image_send(priority='INFO'):
    message = samples.ceilometer('other', 'ceilometer',
                                 'IMAGE_NOTIFICATION_SEND.json')
    message['payload']['image_id'] = '155d900f-4e14-4e4c-a73d-069cbf4541e6'
    message['priority'] = priority
    return message


def test_image_send():
    (obs,) = parse(image_send())
    assert (obs.kind, obs.source, obs.instance_uuid) == (
        'image.send', 'glance', None)
    assert dict(obs.details) == {
        'image_id': '155d900f-4e14-4e4c-a73d-069cbf4541e6',
        'bytes_sent': 42,
        'receiver_project': 'bbbbbbbb-bbbb-bbbb-bbbbbbbbbbbb',
        'receiver_user': 'dddddddd-dddd-dddd-dddddddddddd',
        'owner': 'eeeeeeee-eeee-eeee-eeeeeeeeeeee',
        'short_transfer': False}
    assert obs.project_id == 'bbbbbbbb-bbbb-bbbb-bbbbbbbbbbbb'
    assert obs.user_id == 'dddddddd-dddd-dddd-dddddddddddd'
    assert obs.timestamp.replace(tzinfo=None) == samples.NOW


def test_short_image_transfer_is_an_error():
    (obs,) = parse(image_send('ERROR'))
    assert obs.priority == 'ERROR'
    assert obs.details['short_transfer'] is True


@pytest.mark.parametrize('name', ['image.create', 'image.update',
                                  'image.delete', 'image.member.create',
                                  'image.member.update',
                                  'image.member.delete'])
def test_other_glance_events_are_not_boot_events(name):
    message = samples.load('other', 'searchlight', 'images.json')[name]
    assert reason(message) == "event_type: unknown event type %r" % name


def test_image_send_bytes_must_be_an_integer():
    message = image_send()
    message['payload']['bytes_sent'] = '42'
    assert reason(message) == \
        'payload.bytes_sent: expected an integer, got a string'


# Keystone


@pytest.mark.parametrize('name', KEYSTONE)
def test_authentications(name):
    message = samples.load('other', 'keystone', name)
    (obs,) = parse(message)
    assert (obs.kind, obs.source, obs.instance_uuid) == (
        'identity.authenticate', 'keystone', None)
    assert (obs.publisher_service, obs.publisher_host) == (
        'keystone', 'host1234')
    assert obs.user_id == message['payload']['initiator']['id']
    assert obs.details['outcome'] == message['payload']['outcome']
    assert obs.details['action'] == 'authenticate'


def test_failed_authentications_say_why():
    expired = samples.load('other', 'keystone', KEYSTONE[2])
    (obs,) = parse(expired)
    assert obs.details['outcome'] == 'failure'
    assert obs.details['reason'].startswith('The password is expired')
    invalid = samples.load('other', 'keystone', KEYSTONE[3])
    (obs,) = parse(invalid)
    assert obs.details['user_name'] == 'admin'
    assert obs.request_id == 'req-214d0f85-74a4-441b-85b5-c1159341d577'


def test_federated_token_is_masked():
    (name,) = [k for k in KEYSTONE if 'federated' in k]
    parsed = notification.parse(samples.load('other', 'keystone', name))
    credential = parsed.message['payload']['initiator']['credential']
    assert credential['token'] == '***'
    assert credential['identity_provider'] == 'ACME'


def test_authentication_needs_an_initiator():
    message = samples.load('other', 'keystone', KEYSTONE[0])
    message['payload']['initiator'] = ['c9f76d3c31e142af9291de2935bde98a']
    assert reason(message) == \
        'payload.initiator: expected an object, got a list'
