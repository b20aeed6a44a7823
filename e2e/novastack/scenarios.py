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

"""The boot scenarios played against Nova.

A scenario is a function ``run(stack) -> [server ids]`` decorated with
:func:`scenario`, which says how many computes the stack has, which fake
virt driver they load and what to inject before the services start
(``before``). The function drives Nova's API as a user would and waits for
the outcome the scenario is about, so that a scenario that no longer
provokes its failure fails here rather than passing unnoticed on the
bootdoctor side. What Nova's API then reports for each returned server is
the ground truth the tests compare bootdoctor's boot records with.
"""

import collections

from nova.tests import fixtures as nova_fixtures

from novastack import faults

Scenario = collections.namedtuple(
    'Scenario', 'name doc computes compute_driver flags before run')

SCENARIOS = {}

DEFAULT_DRIVER = 'fake.MediumFakeDriver'
TINY_FLAVOR = '1'


def scenario(computes=1, compute_driver=DEFAULT_DRIVER, flags=None,
             before=None):
    """Register the decorated function as a scenario named after it."""
    def register(run):
        name = run.__name__
        if name in SCENARIOS:
            raise ValueError('duplicate scenario %s' % name)
        SCENARIOS[name] = Scenario(
            name=name, doc=(run.__doc__ or '').strip(), computes=computes,
            compute_driver=compute_driver, flags=flags or {},
            before=before or (lambda stack: None), run=run)
        return run
    return register


def _boot_one(stack, name, **extra):
    body = stack.server_request(name, flavor_id=TINY_FLAVOR, **extra)
    return stack.boot(body)['id']


# -- successes -------------------------------------------------------------

@scenario()
def image_backed_success(stack):
    """Image-backed boot on one compute; ends ACTIVE."""
    server_id = _boot_one(stack, 'e2e-image')
    stack.wait_for_status(server_id, 'ACTIVE')
    return [server_id]


@scenario()
def volume_backed_success(stack):
    """Boot from an existing Cinder volume; ends ACTIVE."""
    body = stack.server_request('e2e-volume', flavor_id=TINY_FLAVOR)
    body.pop('imageRef')
    body['block_device_mapping_v2'] = [{
        'source_type': 'volume', 'destination_type': 'volume',
        'boot_index': 0, 'uuid': nova_fixtures.CinderFixture.IMAGE_BACKED_VOL,
    }]
    server_id = stack.boot(body)['id']
    stack.wait_for_status(server_id, 'ACTIVE')
    return [server_id]


@scenario(computes=2)
def multi_create(stack):
    """Three servers in one request (min_count=max_count=3); all ACTIVE."""
    body = stack.server_request('e2e-multi', flavor_id=TINY_FLAVOR,
                                min_count=3, max_count=3,
                                return_reservation_id=True)
    reservation = stack.boot(body)['reservation_id']
    servers = stack.wait_for(
        lambda: [s for s in stack.admin_api.get_servers(
            search_opts={'reservation_id': reservation,
                         'all_tenants': 1})] or None,
        'the servers of reservation %s' % reservation)
    stack.assertEqual(3, len(servers))
    ids = sorted(s['id'] for s in servers)
    for server_id in ids:
        stack.wait_for_status(server_id, 'ACTIVE')
    return ids


# -- failures --------------------------------------------------------------

def _fail_volume_attach(stack):
    faults.fail_volume_attach(stack, stack.injections)


@scenario(before=_fail_volume_attach)
def volume_attach_failure(stack):
    """Cinder fails the attachment of the boot volume; build aborted."""
    body = stack.server_request('e2e-volume-fail', flavor_id=TINY_FLAVOR)
    body.pop('imageRef')
    body['block_device_mapping_v2'] = [{
        'source_type': 'volume', 'destination_type': 'volume',
        'boot_index': 0, 'uuid': nova_fixtures.CinderFixture.IMAGE_BACKED_VOL,
    }]
    server_id = stack.boot(body)['id']
    stack.wait_for_status(server_id, 'ERROR')
    return [server_id]


@scenario()
def no_valid_host(stack):
    """A flavor larger than any host; the scheduler finds no host."""
    flavor = stack._create_flavor(name='e2e.huge', memory_mb=32768, vcpu=1,
                                  disk=1, ephemeral=0)
    body = stack.server_request('e2e-novalidhost', flavor_id=flavor)
    server_id = stack.boot(body)['id']
    stack.wait_for_status(server_id, 'ERROR')
    return [server_id]


def _fail_first_spawn(stack):
    driver = faults.register_driver(
        stack, faults.FailFirstSpawnDriver, injections=stack.injections,
        failed=set())
    stack.flags(compute_driver=driver)


@scenario(computes=2, before=_fail_first_spawn)
def reschedule_then_success(stack):
    """The first compute fails the spawn; the second one boots it."""
    server_id = _boot_one(stack, 'e2e-reschedule')
    stack.wait_for_status(server_id, 'ACTIVE')
    return [server_id]


def _fail_every_spawn(stack):
    driver = faults.register_driver(
        stack, faults.AlwaysFailSpawnDriver, injections=stack.injections)
    stack.flags(compute_driver=driver)


@scenario(computes=2, before=_fail_every_spawn)
def spawn_fails_everywhere(stack):
    """Every compute fails the spawn; retries run out."""
    server_id = _boot_one(stack, 'e2e-retries')
    stack.wait_for_status(server_id, 'ERROR')
    return [server_id]


def _abort_spawn(stack):
    driver = faults.register_driver(
        stack, faults.AbortSpawnDriver, injections=stack.injections)
    stack.flags(compute_driver=driver)


@scenario(computes=2, before=_abort_spawn)
def build_abort(stack):
    """The spawn raises BuildAbortException: no reschedule, ERROR."""
    server_id = _boot_one(stack, 'e2e-abort')
    stack.wait_for_status(server_id, 'ERROR')
    return [server_id]


def _fail_port_binding(stack):
    faults.fail_port_binding(stack, stack.injections)


@scenario(before=_fail_port_binding)
def port_binding_failure(stack):
    """Neutron cannot bind the port on the host (binding_failed)."""
    server_id = _boot_one(stack, 'e2e-binding')
    stack.wait_for_status(server_id, 'ERROR')
    return [server_id]


def _fail_port_create(stack):
    faults.fail_port_create(stack, stack.injections)


@scenario(before=_fail_port_create)
def neutron_port_create_500(stack):
    """Neutron answers the port creation with HTTP 500."""
    server_id = _boot_one(stack, 'e2e-port500')
    stack.wait_for_status(server_id, 'ERROR')
    return [server_id]


# -- deletions -------------------------------------------------------------

def _gate_spawn(stack):
    stack.gate = faults.Gate()
    driver = faults.register_driver(
        stack, faults.GatedSpawnDriver, gate=stack.gate)
    stack.flags(compute_driver=driver)


@scenario(before=_gate_spawn)
def delete_while_spawning(stack):
    """The user deletes the server while the hypervisor spawns it."""
    server_id = _boot_one(stack, 'e2e-delete-spawning')
    stack.gate.wait_entered()
    stack.api.delete_server(server_id)
    stack.gate.release()
    stack.wait_until_gone(server_id)
    return [server_id]


def _gate_scheduler(stack):
    stack.gate = faults.Gate()
    faults.gate_scheduler(stack, stack.gate)


@scenario(before=_gate_scheduler)
def delete_while_scheduling(stack):
    """The user deletes the server while the scheduler still holds it."""
    server_id = _boot_one(stack, 'e2e-delete-scheduling')
    stack.gate.wait_entered()
    stack.api.delete_server(server_id)
    stack.gate.release()
    stack.wait_until_gone(server_id)
    return [server_id]
