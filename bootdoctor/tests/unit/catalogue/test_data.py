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

"""The shipped catalogue data: the contract the tracker and diagnosis use.

These tests read the YAML files themselves as well as the loader's view,
so a rule the loader forgot to check still fails here.
"""

import json
import os
import string

import pytest
import yaml

from bootdoctor import catalogue
from bootdoctor import observation

HERE = os.path.dirname(catalogue.__file__)
COMPONENTS = ('cli', 'keystone', 'nova-api', 'nova-scheduler',
              'nova-conductor', 'nova-compute', 'glance', 'neutron', 'cinder',
              'hypervisor', 'database', 'message-queue')
PHASE_OF = {n: 'scheduling' for n in range(1, 19)}
PHASE_OF.update({n: 'spawning' for n in (19, 20, 21, 28, 29)})
PHASE_OF.update({n: 'networking' for n in (22, 23, 24)})
PHASE_OF.update({n: 'block_device_mapping' for n in (25, 26, 27)})

# The evidence the tracker evaluates, step by step; no entry: inferred.
EVIDENCE = {
    1: [{'kind': 'identity.authenticate', 'outcome': 'success'}],
    2: [{'kind': 'identity.authenticate', 'outcome': 'success'}],
    7: [{'kind': 'instance.update', 'task_state': 'scheduling'},
        {'kind': 'scheduler.select_destinations.start'},
        {'kind': 'compute_task.build_instances.error'}],
    8: [{'kind': 'scheduler.select_destinations.start'}],
    9: [{'kind': 'scheduler.select_destinations.start'}],
    10: [{'kind': 'scheduler.select_destinations.start'}],
    11: [{'kind': 'scheduler.select_destinations.end'}],
    12: [{'kind': 'instance.update', 'publisher_service': 'nova-conductor',
          'task_state': 'scheduling'}],
    13: [{'kind': 'instance.update', 'old_task_state': 'scheduling',
          'task_state': None, 'state': 'building',
          'publisher_service': 'nova-compute'},
         {'kind': 'instance.create.start'}],
    18: [{'kind': 'instance.create.start'},
         {'kind': 'instance.update', 'host': '*'}],
    19: [{'kind': 'image.send'}],
    21: [{'kind': 'image.send'}],
    22: [{'kind': 'instance.update', 'task_state': 'networking'}],
    23: [{'kind': 'port.create.end'}, {'kind': 'port.update.end'}],
    24: [{'kind': 'port.update.end', 'binding_host': '*'},
         {'kind': 'instance.update', 'task_state': 'block_device_mapping'}],
    25: [{'kind': 'instance.update', 'task_state': 'block_device_mapping'}],
    26: [{'kind': 'volume.attach.start'}],
    27: [{'kind': 'volume.attach.end'}],
    28: [{'kind': 'instance.update', 'task_state': 'spawning'}],
    29: [{'kind': 'instance.create.end'},
         {'kind': 'instance.update', 'state': 'active'}],
}
SKIPPED_WHEN = {19: ['boot_from_volume'], 20: ['boot_from_volume'],
                21: ['boot_from_volume'], 26: ['no_volumes'],
                27: ['no_volumes']}

# Exception -> (steps it may be listed under, component to blame). Names
# are the classes Nova 34 and the libraries it uses raise; Nova reports
# MessagingTimeout in a build fault when the conductor's select_destinations
# call times out, and its InternalError comes from the libvirt driver (a
# Neutron 500 reaches Nova as neutronclient's InternalServerError).
REQUIRED = {
    'Unauthorized': (range(1, 6), 'keystone'),
    'TokenNotFound': (range(1, 6), 'keystone'),
    'InvalidToken': (range(1, 6), 'nova-api'),
    'OverQuota': (range(6, 8), 'nova-api'),
    'TooManyInstances': (range(6, 8), 'nova-api'),
    'QuotaError': (range(6, 8), 'nova-api'),
    'Forbidden': (range(6, 8), 'nova-api'),
    'NoValidHost': (range(10, 12), 'nova-scheduler'),
    'MaxRetriesExceeded': (range(10, 12), 'nova-scheduler'),
    'MessagingTimeout': (range(8, 14), 'nova-scheduler'),
    'MessageDeliveryFailure': (range(12, 14), 'message-queue'),
    'ComputeServiceUnavailable': (range(12, 14), 'nova-compute'),
    'ComputeResourcesUnavailable': (range(18, 19), 'nova-compute'),
    'RescheduledException': (range(18, 19), 'nova-compute'),
    'ImageNotFound': (range(19, 22), 'glance'),
    'ImageNotActive': (range(19, 22), 'glance'),
    'ImageNotAuthorized': (range(19, 22), 'glance'),
    'ImageUnacceptable': (range(19, 22), 'glance'),
    'InvalidDiskFormat': (range(19, 22), 'glance'),
    'InvalidDiskInfo': (range(19, 22), 'glance'),
    'FlavorDiskTooSmall': (range(19, 22), 'glance'),
    'GlanceConnectionFailed': (range(19, 22), 'glance'),
    'PortBindingFailed': (range(22, 25), 'neutron'),
    'PortNotFound': (range(22, 25), 'neutron'),
    'PortInUse': (range(22, 25), 'neutron'),
    'NetworkNotFound': (range(22, 25), 'neutron'),
    'NoMoreFixedIps': (range(22, 25), 'neutron'),
    'NetworkAmbiguous': (range(22, 25), 'neutron'),
    'SecurityGroupNotFound': (range(22, 25), 'neutron'),
    'VirtualInterfaceCreateException': (range(22, 25), 'neutron'),
    'NeutronClientException': (range(22, 25), 'neutron'),
    'InternalServerError': (range(22, 25), 'neutron'),
    'InvalidBDM': (range(25, 28), 'cinder'),
    'InvalidBDMVolume': (range(25, 28), 'cinder'),
    'VolumeNotCreated': (range(25, 28), 'cinder'),
    'VolumeLimitExceeded': (range(25, 28), 'cinder'),
    'VolumeAttachFailed': (range(25, 28), 'cinder'),
    'BuildAbortException': (range(25, 28), 'cinder'),
    'InstanceDeployFailure': (range(28, 30), 'hypervisor'),
    'libvirtError': (range(28, 30), 'hypervisor'),
    'HypervisorUnavailable': (range(28, 30), 'hypervisor'),
    'InternalError': (range(28, 30), 'hypervisor'),
}


def _raw(name):
    with open(os.path.join(HERE, name), encoding='utf-8') as f:
        return yaml.safe_load(f)


def _strings(value):
    """Every string in a parsed YAML tree (values only, not keys)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_exactly_29_steps_numbered_in_order():
    raw = _raw('steps.yaml')
    assert [item['number'] for item in raw] == list(range(1, 30))
    assert [s.number for s in catalogue.steps()] == list(range(1, 30))
    assert catalogue.STEP_COUNT == 29


def test_the_twelve_components():
    assert tuple(catalogue.components()) == COMPONENTS
    for component in catalogue.components().values():
        assert component.title
        assert component.host in catalogue.HOST_ROLES


def test_every_referenced_component_exists():
    known = set(catalogue.components())
    for item in catalogue.steps():
        assert item.components, item.number
        assert set(item.components) <= known, item.number
        for failure in item.failures:
            assert failure.component in known, (item.number, failure)


def test_every_component_but_the_client_has_logs_and_actions():
    for component in catalogue.components().values():
        assert component.actions, component.name
        if component.name != 'cli':
            assert component.logs, component.name
            assert component.service, component.name
        for log in component.logs:
            assert log.path.startswith('/var/log/'), log
            assert log.host in catalogue.HOST_ROLES, log


def test_phases_follow_the_modern_order():
    for item in catalogue.steps():
        assert item.phase in catalogue.PHASES
        assert item.phase == PHASE_OF[item.number], item.number


def test_channels_are_valid():
    for item in catalogue.steps():
        assert item.channel in catalogue.CHANNELS, item.number


def test_every_evidence_kind_is_a_known_kind():
    for item in catalogue.steps():
        for matcher in item.evidence:
            assert matcher['kind'] in observation.KINDS, (item.number,
                                                          matcher)


@pytest.mark.parametrize('number', range(1, 30))
def test_evidence_is_what_the_tracker_evaluates(number):
    assert [dict(m) for m in catalogue.step(number).evidence] == \
        EVIDENCE.get(number, [])


@pytest.mark.parametrize('number', range(1, 30))
def test_skipped_when(number):
    assert list(catalogue.step(number).skipped_when) == \
        SKIPPED_WHEN.get(number, [])


def test_failure_exceptions_are_unique_across_steps():
    seen = {}
    for item in _raw('steps.yaml'):
        for failure in item.get('failures', ()):
            for name in failure.get('exceptions', ()):
                assert name not in seen, (name, seen.get(name), item['number'])
                seen[name] = item['number']
    assert len(seen) >= len(REQUIRED)


@pytest.mark.parametrize('exception', sorted(REQUIRED))
def test_common_failures_are_catalogued(exception):
    steps, component = REQUIRED[exception]
    message = ('Build of instance x aborted: Failure prepping block device.'
               if exception == 'BuildAbortException' else None)
    found = catalogue.failure_for_exception(exception, message)
    assert found is not None, exception
    item, failure = found
    assert item.number in steps
    assert failure.component == component
    assert failure.summary and failure.actions


def test_every_step_says_how_modern_nova_differs_and_what_helps():
    for item in catalogue.steps():
        assert item.modern, item.number
        assert item.description, item.number
        assert item.tools, item.number
        assert item.actions, item.number


def test_the_tools_named_by_the_issue_are_offered():
    tools = '\n'.join(t for s in catalogue.steps() for t in s.tools)
    for word in ('strace', 'lsof', 'tcpdump', 'kill -USR2 <pid>',
                 'openstack server event list'):
        assert word in tools, word
    for line in tools.splitlines():
        if line.lstrip('"').startswith('tcpdump'):
            assert "'" in line, 'tcpdump without a filter: %s' % line


def test_modern_flow_is_described():
    text = ' '.join(s.modern for s in catalogue.steps())
    assert 'schedule_and_build_instances' in text
    assert 'build_and_run_instance' in text
    assert 'inside driver.spawn' in text
    assert 'asynchronous' in text
    assert 'no such round-trip' in catalogue.step(14).modern


@pytest.mark.parametrize('name', ('steps.yaml', 'components.yaml'))
def test_placeholders_are_well_formed(name):
    allowed = {'instance_uuid', 'request_id', 'host', 'node', 'project_id',
               'image_id'}
    for text in _strings(_raw(name)):
        fields = [(field, spec, conv) for _, field, spec, conv
                  in string.Formatter().parse(text) if field is not None]
        for field, spec, conv in fields:
            assert field in allowed, (field, text)
            assert not spec and not conv, text


def test_devstack_journal_is_offered_for_the_openstack_services():
    for name in ('keystone', 'nova-api', 'nova-scheduler', 'nova-conductor',
                 'nova-compute', 'glance', 'neutron', 'cinder'):
        actions = catalogue.components()[name].actions
        assert any(a.startswith('journalctl -u devstack@') for a in actions)


def test_everything_serialises_to_json():
    data = [s.to_dict() for s in catalogue.steps()]
    data += [c.to_dict() for c in catalogue.components().values()]
    assert json.loads(json.dumps(data)) == data
