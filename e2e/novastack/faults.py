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

"""Faults and pauses injected into Nova's fake hypervisor and fixtures.

Each injection records what it did in an :class:`InjectionLog` (host,
instance, exception), which the driver reports next to what Nova's API
says, so a test can tell the planted cause from Nova's reading of it.
"""

import threading

import fixtures

from nova import exception
from nova.virt import fake

from novastack import hostemu


class InjectionLog:
    """Thread-safe list of the faults a scenario planted and where."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries = []

    def record(self, where, exc, instance_uuid=None, host=None):
        if host is None:
            host = hostemu.HostEmulation.current()
        entry = {
            'where': where,
            'host': host,
            'instance_uuid': instance_uuid,
            'exception': type(exc).__name__,
            'module': type(exc).__module__,
            'message': str(exc),
        }
        with self._lock:
            self._entries.append(entry)

    def entries(self):
        with self._lock:
            return list(self._entries)


class Gate:
    """Hold a thread at a point until the scenario lets it go."""

    def __init__(self, timeout=60.0):
        self.entered = threading.Event()
        self._release = threading.Event()
        self.timeout = timeout

    def pass_through(self):
        self.entered.set()
        if not self._release.wait(self.timeout):
            raise RuntimeError('gate was never released')

    def wait_entered(self):
        if not self.entered.wait(self.timeout):
            raise AssertionError('nothing reached the gate')

    def release(self):
        self._release.set()


class AlwaysFailSpawnDriver(fake.MediumFakeDriver):
    """A hypervisor that fails every spawn with a reschedulable error."""

    injections = None

    def spawn(self, context, instance, *args, **kwargs):
        exc = exception.HypervisorUnavailable(host=self._host)
        self.injections.record('virt.spawn', exc, instance.uuid, self._host)
        raise exc


class FailFirstSpawnDriver(fake.MediumFakeDriver):
    """A hypervisor that fails the first spawn of each instance.

    The error is reschedulable, so the build moves to another compute,
    whose spawn then succeeds. ``failed`` is shared by every compute.
    """

    injections = None
    failed = None

    def spawn(self, context, instance, *args, **kwargs):
        if instance.uuid not in self.failed:
            self.failed.add(instance.uuid)
            exc = exception.ComputeResourcesUnavailable(
                reason='hypervisor refused the guest: out of hugepages')
            self.injections.record('virt.spawn', exc, instance.uuid,
                                   self._host)
            raise exc
        return super().spawn(context, instance, *args, **kwargs)


class AbortSpawnDriver(fake.MediumFakeDriver):
    """A hypervisor whose spawn gives up the build (no reschedule)."""

    injections = None

    def spawn(self, context, instance, *args, **kwargs):
        exc = exception.BuildAbortException(
            instance_uuid=instance.uuid,
            reason='image cannot be converted for this hypervisor')
        self.injections.record('virt.spawn', exc, instance.uuid, self._host)
        raise exc


class GatedSpawnDriver(fake.MediumFakeDriver):
    """A hypervisor whose spawn waits at a :class:`Gate` first."""

    gate = None

    def spawn(self, context, instance, *args, **kwargs):
        self.gate.pass_through()
        return super().spawn(context, instance, *args, **kwargs)


def register_driver(stack, driver_cls, **class_attrs):
    """Make ``driver_cls`` loadable as ``fake.<name>`` for ``stack``.

    Nova loads ``[DEFAULT]compute_driver`` from the ``nova.virt``
    namespace, so the class is put into ``nova.virt.fake`` for the life of
    the stack; a per-stack subclass carries ``class_attrs``.
    """
    name = 'E2E%s' % driver_cls.__name__
    cls = type(name, (driver_cls,), dict(class_attrs))
    stack.useFixture(fixtures.MonkeyPatch('nova.virt.fake.%s' % name, cls))
    return 'fake.%s' % name


def fail_port_binding(stack, injections, hosts=None):
    """Neutron reports ``binding:vif_type=binding_failed`` on ``hosts``.

    This is what Neutron answers when no mechanism driver can bind the port
    on the host (for example a dead L2 agent); ``hosts=None`` means every
    host.
    """
    neutron = stack.neutron
    real_update_port = neutron.update_port

    def update_port(port_id, body=None):
        result = real_update_port(port_id, body)
        host = (body or {}).get('port', {}).get('binding:host_id')
        if host and (hosts is None or host in hosts):
            neutron._ports[port_id]['binding:vif_type'] = 'binding_failed'
            result['port']['binding:vif_type'] = 'binding_failed'
            injections.record(
                'neutron.update_port',
                exception.PortBindingFailed(port_id=port_id),
                result['port'].get('device_id'), host)
        return result

    stack.useFixture(fixtures.MockPatchObject(
        neutron, 'update_port', side_effect=update_port))


def fail_port_create(stack, injections):
    """Neutron answers ``POST /v2.0/ports`` with HTTP 500."""
    from neutronclient.common import exceptions as neutron_exc

    def create_port(body=None):
        exc = neutron_exc.InternalServerError(
            message='Request Failed: internal server error while '
                    'processing your request.')
        device = (body or {}).get('port', {}).get('device_id')
        injections.record('neutron.create_port', exc, device)
        raise exc

    stack.useFixture(fixtures.MockPatchObject(
        stack.neutron, 'create_port', side_effect=create_port))


def fail_volume_attach(stack, injections):
    """Cinder answers the attachment update (connection) with HTTP 500."""
    from cinderclient import exceptions as cinder_exc

    def attachment_update(context, attachment_id, connector,
                          mountpoint=None):
        exc = cinder_exc.ClientException(
            code=500,
            message='Unable to update attachment.(Bad or unexpected '
                    'response from the storage volume backend API: '
                    'Unable to fetch connection information from '
                    'backend.)')
        injections.record('cinder.attachment_update', exc)
        raise exc

    stack.useFixture(fixtures.MockPatch(
        'nova.volume.cinder.API.attachment_update',
        side_effect=attachment_update, autospec=False))


def gate_scheduler(stack, gate):
    """Hold the scheduler after it picked hosts, before it answers."""
    from nova.scheduler import manager

    real = manager.SchedulerManager.select_destinations

    def select_destinations(self, ctxt, *args, **kwargs):
        result = real(self, ctxt, *args, **kwargs)
        gate.pass_through()
        return result

    stack.useFixture(fixtures.MonkeyPatch(
        'nova.scheduler.manager.SchedulerManager.select_destinations',
        select_destinations))
