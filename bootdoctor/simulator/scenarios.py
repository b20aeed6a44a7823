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

"""The boot scenarios: which real messages a boot of each kind produces.

Each scenario composes slices of the recorded Nova 34 streams with Neutron,
Cinder and Glance messages, in the order Nova emits them (FORMATS.md §3).
``expected`` says what bootdoctor must conclude; a key left out is not
checked.
"""

import dataclasses

from bootdoctor.simulator import faults
from bootdoctor.simulator import messages as m


@dataclasses.dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    build: object            # callable(identity, computes) -> emissions
    expected: dict
    computes: int = 1        # how many compute hosts the boot uses
    stalls: bool = False     # messages are withheld: stuck after a deadline


def _success_on(identity, compute, *, first=True):
    """A boot from the scheduler (``first``) or a reschedule to the end."""
    out = []
    if first:
        out += m.nova(m.SCHEDULE, identity, compute)
        out += m.nova(m.CONDUCTOR, identity, compute)
    out += _started(identity, compute)
    out += m.nova(m.NETWORKING, identity, compute)
    out.append(m.port_created(identity, compute))
    out += m.nova(m.BLOCK_DEVICES, identity, compute)
    out += m.nova(m.SPAWNING, identity, compute)
    out.append(m.image_sent(identity, compute, m.image_size()))
    out += m.nova(m.ACTIVE, identity, compute)
    out += m.nova(m.CREATE_END, identity, compute)
    return out


def _started(identity, compute):
    return (m.nova(m.PICKED_UP, identity, compute) +
            m.nova(m.CREATE_START, identity, compute) +
            m.nova(m.CLAIMED, identity, compute))


def _until_spawning(identity, compute, *, first=True):
    out = []
    if first:
        out += m.nova(m.SCHEDULE, identity, compute)
        out += m.nova(m.CONDUCTOR, identity, compute)
    out += _started(identity, compute)
    out += m.nova(m.NETWORKING, identity, compute)
    out.append(m.port_created(identity, compute))
    out += m.nova(m.BLOCK_DEVICES, identity, compute)
    out += m.nova(m.SPAWNING, identity, compute)
    out.append(m.image_sent(identity, compute, m.image_size()))
    return out


def _rescheduled_from(identity, compute):
    """The spawn fails on ``compute`` and Nova reschedules (recorded)."""
    return (m.nova(m.SHUTDOWN, identity, compute) +
            m.nova(m.HOST_CLEARED, identity, compute) +
            m.nova(m.CREATE_ERROR, identity, compute) +
            m.nova(m.RESCHEDULED, identity, compute))


def success(identity, computes):
    return _success_on(identity, computes[0])


def volume_backed(identity, computes):
    compute = computes[0]
    volume = m.volume_id(identity)
    out = m.nova(m.SCHEDULE, identity, compute)
    out += m.nova(m.CONDUCTOR, identity, compute)
    out += _started(identity, compute)
    out += m.nova(m.NETWORKING, identity, compute)
    out.append(m.port_created(identity, compute))
    out += m.nova(m.BLOCK_DEVICES, identity, compute)
    out += [m.volume_created(identity), m.volume_attach_started(identity),
            m.volume_attached(identity)]
    out += m.nova(m.SPAWNING, identity, compute)
    out += m.nova(m.ACTIVE, identity, compute)
    out += m.nova(m.CREATE_END, identity, compute)
    return m.with_volume(out, volume)


def no_valid_host(identity, computes):
    # Nova 34 sent no scheduler notification at all here (recorded).
    return m.nova(m.NOVALIDHOST, identity, computes[0])


def reschedule_success(identity, computes):
    first, second = computes[0], computes[1]
    out = _until_spawning(identity, first)
    out += _rescheduled_from(identity, first)
    out += _success_on(identity, second, first=False)
    return out


def retries_exhausted(identity, computes):
    out = []
    for number, compute in enumerate(computes):
        out += _until_spawning(identity, compute, first=number == 0)
        out += _rescheduled_from(identity, compute)
    out += m.nova(m.TO_ERROR, identity, computes[-1])
    out += m.nova(m.RETRIES_EXHAUSTED, identity, computes[-1])
    return out


def build_abort(identity, computes):
    """An image problem: create.error, no reschedule, ERROR (no conductor)."""
    compute = computes[0]
    out = _until_spawning(identity, compute)
    out += m.nova(m.SHUTDOWN, identity, compute)
    error = [m.create_error_at(e, 'spawning', compute)
             for e in m.nova(m.CREATE_ERROR, identity, compute)]
    out += faults.replace(error, faults.FLAVOR_DISK_TOO_SMALL)
    out += _to_error(identity, compute, 'spawning')
    return out


def _to_error(identity, compute, old_task_state):
    """The compute sets the instance to ERROR itself (a build abort)."""
    return [m.set_states(e, old_task_state=old_task_state, task_state=None,
                         state='error', publisher_host=compute)
            for e in m.nova(m.TO_ERROR, identity, compute)]


def port_binding_failure(identity, computes):
    compute = computes[0]
    out = m.nova(m.SCHEDULE, identity, compute)
    out += m.nova(m.CONDUCTOR, identity, compute)
    out += _started(identity, compute)
    out += m.nova(m.NETWORKING, identity, compute)
    port = m.port_binding_failed(identity, compute)
    out.append(port)
    out += m.nova(m.BLOCK_DEVICES, identity, compute)
    out += m.nova(m.SPAWNING, identity, compute)
    out += faults.replace(_rescheduled_from(identity, compute),
                          faults.PORT_BINDING_FAILED,
                          port_id=m.port_id(port))
    out += m.nova(m.TO_ERROR, identity, compute)
    out += m.nova(m.RETRIES_EXHAUSTED, identity, compute)
    return out


def bdm_failure(identity, computes):
    compute = computes[0]
    out = m.nova(m.SCHEDULE, identity, compute)
    out += m.nova(m.CONDUCTOR, identity, compute)
    out += _started(identity, compute)
    out += m.nova(m.NETWORKING, identity, compute)
    out.append(m.port_created(identity, compute))
    out += m.nova(m.BLOCK_DEVICES, identity, compute)
    out += [m.volume_created(identity), m.volume_attach_started(identity)]
    # _prep_block_device failed: no spawn, so no shutdown; not rescheduled.
    error = [m.create_error_at(e, 'block_device_mapping', compute)
             for e in m.nova(m.CREATE_ERROR, identity, compute)]
    out += faults.replace(error, faults.BDM_ABORT,
                          instance_uuid=identity.instance_uuid)
    out += _to_error(identity, compute, 'block_device_mapping')
    return m.with_volume(out, m.volume_id(identity))


def deleted_during_build(identity, computes):
    compute = computes[0]
    out = _until_spawning(identity, compute)
    spawning = m.nova(m.SPAWNING, identity, compute)
    # The API sets task_state deleting; the compute's next save fails.
    out += [m.set_states(e, old_task_state='spawning', task_state='deleting',
                         publisher_host=identity.controller)
            for e in spawning]
    error = [m.create_error_at(e, 'spawning', compute)
             for e in m.nova(m.CREATE_ERROR, identity, compute)]
    out += faults.replace(error, faults.DELETING,
                          instance_uuid=identity.instance_uuid)
    deletes = m.deletes(identity, compute, m.after(identity, 5))
    out += deletes[:2]
    out += m.nova(m.SHUTDOWN, identity, compute)
    out += deletes[2:]
    return out


def deleted_while_scheduling(identity, computes):
    # Recorded fact: only select_destinations.start/.end, then silence.
    return m.nova(m.SCHEDULE, identity, computes[0])


def stall_scheduling(identity, computes):
    """Scheduled, but the compute never picks the build up."""
    compute = computes[0]
    return m.nova(m.SCHEDULE, identity, compute) + m.nova(
        m.CONDUCTOR, identity, compute)


def stall_networking(identity, computes):
    """The compute allocates the network and nothing follows."""
    compute = computes[0]
    out = m.nova(m.SCHEDULE, identity, compute)
    out += m.nova(m.CONDUCTOR, identity, compute)
    out += _started(identity, compute)
    out += m.nova(m.NETWORKING, identity, compute)
    return out


def stall_block_device_mapping(identity, computes):
    """Cinder starts attaching the boot volume and never finishes."""
    compute = computes[0]
    out = m.nova(m.SCHEDULE, identity, compute)
    out += m.nova(m.CONDUCTOR, identity, compute)
    out += _started(identity, compute)
    out += m.nova(m.NETWORKING, identity, compute)
    out.append(m.port_created(identity, compute))
    out += m.nova(m.BLOCK_DEVICES, identity, compute)
    out += [m.volume_created(identity), m.volume_attach_started(identity)]
    return m.with_volume(out, m.volume_id(identity))


def stall_spawning(identity, computes):
    """The hypervisor never finishes the spawn."""
    return _until_spawning(identity, computes[0])


_ALL = (
    Scenario('success', 'image-backed boot, one compute host', success,
             {'status': 'active', 'phase': None, 'attempts': 1}),
    Scenario('volume_backed', 'boot from a new Cinder volume', volume_backed,
             {'status': 'active', 'phase': None, 'attempts': 1}),
    Scenario('no_valid_host', 'no host fits the flavor (NoValidHost)',
             no_valid_host,
             {'status': 'error', 'phase': 'scheduling', 'attempts': 0,
              'fault': 'NoValidHost', 'root_cause': 'NoValidHost'}),
    Scenario('reschedule_success',
             'the spawn fails on one host, the reschedule succeeds',
             reschedule_success,
             {'status': 'active', 'phase': None, 'attempts': 2},
             computes=2),
    Scenario('retries_exhausted',
             'the spawn fails on every alternate host (MaxRetriesExceeded)',
             retries_exhausted,
             {'status': 'error', 'attempts': 2,
              'fault': 'MaxRetriesExceeded'},
             computes=2),
    Scenario('build_abort', 'the image does not fit: build aborted, '
             'no reschedule', build_abort,
             {'status': 'error', 'phase': 'spawning', 'attempts': 1,
              'fault': 'FlavorDiskTooSmall',
              'root_cause': 'FlavorDiskTooSmall'}),
    Scenario('port_binding_failure', 'Neutron fails to bind the port',
             port_binding_failure,
             {'status': 'error', 'attempts': 1,
              'fault': 'MaxRetriesExceeded',
              'root_cause': 'PortBindingFailed', 'component': 'neutron'}),
    Scenario('bdm_failure', 'the boot volume cannot be attached',
             bdm_failure,
             {'status': 'error', 'phase': 'block_device_mapping',
              'attempts': 1, 'fault': 'BuildAbortException'}),
    Scenario('deleted_during_build', 'the user deletes the server while it '
             'spawns', deleted_during_build,
             {'status': 'deleted', 'phase': None}),
    Scenario('deleted_while_scheduling', 'the user deletes the server while '
             'it is scheduled: no notification follows',
             deleted_while_scheduling,
             {'status': 'stuck', 'phase': 'scheduling'}, stalls=True),
    Scenario('stall_scheduling', 'the compute never picks the build up',
             stall_scheduling,
             {'status': 'stuck', 'phase': 'scheduling'}, stalls=True),
    Scenario('stall_networking', 'network allocation never completes',
             stall_networking,
             {'status': 'stuck', 'phase': 'networking'}, stalls=True),
    Scenario('stall_block_device_mapping', 'the volume attachment never '
             'completes', stall_block_device_mapping,
             {'status': 'stuck', 'phase': 'block_device_mapping'},
             stalls=True),
    Scenario('stall_spawning', 'the hypervisor never finishes the spawn',
             stall_spawning,
             {'status': 'stuck', 'phase': 'spawning'}, stalls=True),
)
SCENARIOS = {s.name: s for s in _ALL}


def get(name):
    """The scenario called ``name`` (``-`` and ``_`` are the same)."""
    key = name.replace('-', '_')
    if key not in SCENARIOS:
        raise KeyError('unknown scenario %r; known: %s' % (
            name, ', '.join(SCENARIOS)))
    return SCENARIOS[key]
