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

"""What bootdoctor must conclude for each scenario beyond Nova's own word.

Status, host, attempts, fault and request come from Nova's API (see
``nova_truth``). What Nova's API cannot say is the root cause: the
component and phase of the fault the scenario planted, and the host it was
planted on (the driver's injection log). Those are written here, one entry
per scenario in ``e2e/novastack/scenarios.py``.
"""

import dataclasses

from bootdoctor import catalogue

INJECTED = object()     # the host the driver's injection log names


@dataclasses.dataclass(frozen=True)
class Cause:
    """The root cause a failed boot's record must name."""
    component: str
    phase: str
    host: object = INJECTED
    exceptions: tuple = ()      # accepted exception class names

    def check(self, cause, injected, server):
        assert cause['component'] == self.component, cause
        step = catalogue.step(cause['step'])
        assert step.phase == self.phase, (cause, step.title)
        assert self.component in step.components, (cause, step.title)
        if self.host is INJECTED:
            planted = {i['host'] for i in injected
                       if i['instance_uuid'] in (None, server['id'])}
            assert cause['host'] in planted, (cause, planted)
        else:
            assert cause['host'] == self.host, cause
        if self.exceptions:
            assert cause['exception'] in self.exceptions, cause


@dataclasses.dataclass(frozen=True)
class Expect:
    """What one scenario's boot records must say beyond Nova's API.

    ``silent_delete``: Nova's API reports the server deleted, but Nova
    emitted nothing that says so. A server deleted while its build request
    is still with the scheduler is removed by nova-api before it reaches a
    cell (``nova.compute.api.API._delete_while_booting``) and the conductor
    then drops the build (``schedule_and_build_instances`` finds the build
    request gone): the stream ends at ``scheduler.select_destinations.end``.
    From the notifications alone the boot is still scheduling, and stuck
    once the scheduling deadline has passed; the collector's stuck search
    then asks Nova, and Nova's "no such server" makes it deleted.
    """
    servers: int = 1
    cause: Cause = None     # None: a healthy boot or a deletion
    silent_delete: bool = False


EXPECTED = {
    'image_backed_success': Expect(),
    'volume_backed_success': Expect(),
    'multi_create': Expect(servers=3),
    'reschedule_then_success': Expect(),
    'delete_while_spawning': Expect(),
    'delete_while_scheduling': Expect(silent_delete=True),
    'no_valid_host': Expect(cause=Cause(
        component='nova-scheduler', phase='scheduling', host='controller',
        exceptions=('NoValidHost',))),
    'volume_attach_failure': Expect(cause=Cause(
        component='cinder', phase='block_device_mapping')),
    'spawn_fails_everywhere': Expect(cause=Cause(
        component='hypervisor', phase='spawning',
        exceptions=('HypervisorUnavailable',))),
    'build_abort': Expect(cause=Cause(
        component='hypervisor', phase='spawning',
        exceptions=('BuildAbortException',))),
    'port_binding_failure': Expect(cause=Cause(
        component='neutron', phase='networking',
        exceptions=('PortBindingFailed',))),
    'neutron_port_create_500': Expect(cause=Cause(
        component='neutron', phase='networking')),
}
