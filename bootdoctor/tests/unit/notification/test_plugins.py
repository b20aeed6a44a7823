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

"""Fault classes, publishers and the handler registry."""

import pytest

from bootdoctor import notification
from bootdoctor.notification import base
from bootdoctor.notification import faults
from bootdoctor.notification import fields
from bootdoctor.notification import publisher
from bootdoctor.notification import registry
from bootdoctor import observation
from bootdoctor.tests.unit.notification import samples

UUID = '07eae9ba-0682-4b41-a7c4-76ec68eed449'


@pytest.mark.parametrize('message,kwargs,expected', [
    ('Build of instance %s was re-scheduled: boom' % UUID,
     {'instance_uuid': UUID, 'reason': 'boom', 'code': 500},
     'RescheduledException'),
    ('Build of instance %s aborted: Failure prepping block device.' % UUID,
     None, 'BuildAbortException'),
    ('No valid host was found. ', {'reason': '', 'code': 500},
     'NoValidHost'),
    ('Exceeded maximum number of retries. Exhausted all hosts', None,
     'MaxRetriesExceeded'),
    ('Binding failed for port 88dae9fa-0dc6-49e3-8c29-3abc41e99ac9, please '
     'check neutron logs for more information.', None, 'PortBindingFailed'),
    ("Conflict updating instance %s. Expected: {'task_state': "
     "['spawning']}. Actual: {'task_state': 'deleting'}" % UUID, None,
     'UnexpectedDeletingTaskStateError'),
    ('Conflict updating instance %s. Expected: x. Actual: y' % UUID,
     {'instance_uuid': UUID, 'expected': {'task_state': ['spawning']},
      'actual': {'task_state': 'deleting'}},
     'UnexpectedDeletingTaskStateError'),
    # The same format for other task states: the class is not certain.
    ('Conflict updating instance %s. Expected: x. Actual: y' % UUID,
     None, None),
    # A message that starts like a format but whose arguments differ.
    ('No valid host was found. ', {'hosts': 3}, None),
    ('Build of instance %s was re-scheduled: boom' % UUID,
     {'code': 500}, None),
    ('VDI too big for requested resize up.', {'code': 500}, None),
    (None, {'reason': 'Exceeded max scheduling attempts 3 for instance '
            + UUID, 'code': 500}, 'NoValidHost'),
    (None, {'reason': 'Exceeded max scheduling attempts 3 for instance '
            + UUID + '. Last exception: boom'}, 'MaxRetriesExceeded'),
    (None, {'reason': 'something else'}, None),
    (None, None, None),
])
def test_recover_class(message, kwargs, expected):
    assert faults.recover_class(message, kwargs) == expected


def legacy(payload, key='exception', **kw):
    return faults.legacy_fault(fields.Obj(payload, 'payload'), key, **kw)


def test_legacy_fault_from_a_repr():
    text = ("{'kwargs': {'reason': 'spawn failed', 'code': 400}, "
            "'message': 'Insufficient compute resources: spawn failed.', "
            "'class': 'ComputeResourcesUnavailable'}")
    fault = legacy({'exception': text})
    assert (fault.exception, fault.message, fault.code) == (
        'ComputeResourcesUnavailable',
        'Insufficient compute resources: spawn failed.', 400)


@pytest.mark.parametrize('text', [
    'Timed out waiting for a reply',
    "{'kwargs': __import__('os').system('true')}",
    "{'kwargs': {'code': 500}" + ', ' * 100000,
    '{' * 100000,
    "{'a': 1e999999}",
    '{1: 2',
    "{'note': 'a dict, but not an exception'}",
])
def test_legacy_fault_from_other_text_keeps_it_as_the_message(text):
    fault = legacy({'exception': text})
    assert fault.exception is None
    assert fault.message == text


def test_legacy_fault_types_are_checked():
    with pytest.raises(notification.ParseError) as exc:
        legacy({'exception': {'kwargs': {'code': '500'}}})
    assert exc.value.reason == \
        'payload.exception.kwargs.code: expected an integer, got a string'
    with pytest.raises(notification.ParseError) as exc:
        legacy({'reason': "{'class': 'No Such Class!'}"}, 'reason')
    assert exc.value.reason.startswith(
        'payload.reason.class: not an exception class name')
    with pytest.raises(notification.ParseError) as exc:
        legacy({'reason': "{'kwargs': [1]}"}, 'reason')
    assert exc.value.reason == \
        'payload.reason.kwargs: expected an object, got a list'


def test_no_fault_when_nothing_is_known():
    assert legacy({}) is None
    assert legacy({'exception': {}}) is None


@pytest.mark.parametrize('publisher_id,expected', [
    ('compute.cmp1', ('nova-compute', 'cmp1')),
    ('scheduler.ctl1.example.org', ('nova-scheduler', 'ctl1.example.org')),
    ('conductor.ctl1', ('nova-conductor', 'ctl1')),
    ('compute_task.ctl1', ('nova-conductor', 'ctl1')),
    ('api.ctl1', ('nova-api', 'ctl1')),
    ('network.net1', ('neutron', 'net1')),
    ('volume.devstack@lvmdriver-1#lvmdriver-1',
     ('cinder', 'devstack@lvmdriver-1#lvmdriver-1')),
    ('image.localhost', ('glance', 'localhost')),
    ('identity.host1234', ('keystone', 'host1234')),
    ('nova-compute:cmp1', ('nova-compute', 'cmp1')),
    ('nova-conductor:ctl1.example.org', ('nova-conductor',
                                         'ctl1.example.org')),
    ('images.example.com', (None, 'example.com')),
    ('publisher-1', (None, None)),
    ('compute.', ('nova-compute', None)),
    ('nova-api:', ('nova-api', None)),
])
def test_split_publisher(publisher_id, expected):
    assert publisher.split_publisher(publisher_id) == expected


def test_installed_handlers():
    default = registry.default_registry()
    assert sorted(h.source for h in default.handlers) == [
        'cinder', 'glance', 'keystone', 'neutron', 'nova']
    types = notification.event_types()
    for name in ('compute.instance.create.error', 'instance.create.error',
                 'compute_task.build_instances',
                 'compute_task.build_instances.error',
                 'scheduler.run_instance', 'port.update.end',
                 'volume.attach.end', 'image.send', 'identity.authenticate'):
        assert name in types
    assert 'volume.retype' not in types


def test_every_notification_kind_is_produced_by_some_event_type():
    from bootdoctor.notification import nova
    produced = set(nova.LEGACY_KINDS.values()) | set(
        nova.VERSIONED_KINDS.values())
    for handler in registry.default_registry().handlers:
        if handler.source != 'nova':
            produced |= handler.event_types
    assert produced == set(
        observation.NOVA_KINDS + observation.NEUTRON_KINDS +
        observation.CINDER_KINDS + observation.GLANCE_KINDS +
        observation.KEYSTONE_KINDS)
    assert produced <= observation.KINDS


class _Claim(base.Handler):
    source = 'other'
    event_types = frozenset(['image.send'])

    def observe(self, message):
        return ()


def test_two_handlers_cannot_claim_one_event_type():
    with pytest.raises(ValueError) as exc:
        registry.Registry(list(registry.default_registry().handlers) +
                          [_Claim()])
    assert 'image.send' in str(exc.value)


def test_a_registry_can_be_given():
    custom = registry.Registry([_Claim()])
    message = samples.ceilometer('other', 'ceilometer',
                                 'IMAGE_NOTIFICATION_SEND.json')
    parsed = notification.parse(message, registry=custom)
    assert parsed.observations == ()
    with pytest.raises(notification.ParseError):
        notification.parse(samples.jsonl('recorded', 'a_boot_success.jsonl')
                           [0], registry=custom)


class _Broken(base.Handler):
    source = 'broken'
    event_types = frozenset(['image.send'])

    def observe(self, message):
        return {}['missing']


def test_a_handler_bug_is_a_logged_rejection():
    message = samples.ceilometer('other', 'ceilometer',
                                 'IMAGE_NOTIFICATION_SEND.json')
    with pytest.raises(notification.ParseError) as exc:
        notification.parse(message, registry=registry.Registry([_Broken()]))
    assert exc.value.reason == \
        "internal error while parsing: KeyError: 'missing'"
    assert exc.value.message_id == 'aaaaaaaa-aaaa-aaaa-aaaaaaaaaaaa'


def test_a_handler_that_cannot_load_fails_loudly():
    with pytest.raises(RuntimeError) as exc:
        registry._load_failed(None, 'nova = x:Y', ImportError('no x'))
    assert 'cannot load notification handler nova = x:Y' in str(exc.value)
