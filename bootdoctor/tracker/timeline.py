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

"""Order-independent reading of one instance's observations.

Everything here takes observations already de-duplicated and sorted by
:meth:`Observation.sort_key`, so the result depends only on the set of
observations, never on the order they arrived in. Legacy and versioned
twins of one event are read as one fact: a second create.start joins the
open attempt, a second create.error or create.end merges into the attempt
it closed.
"""

import dataclasses
import json

from bootdoctor.tracker import record as rec

PHASE_BY_TASK_STATE = {
    'scheduling': 'scheduling',
    None: 'scheduling',   # building with no task: the compute's claim
    'networking': 'networking',
    'block_device_mapping': 'block_device_mapping',
    'spawning': 'spawning',
}
ACTIVE_TASK_PHASES = ('scheduling', 'networking', 'block_device_mapping',
                      'spawning')
COMPUTE_PHASES = ('networking', 'block_device_mapping', 'spawning')
COMPUTE_SERVICE = 'nova-compute'
DELETE_EXCEPTIONS = frozenset(('UnexpectedDeletingTaskStateError',
                               'InstanceNotFound'))
DELETE_TASK_STATES = frozenset(('deleting', 'soft-deleting'))
DELETED_STATES = frozenset(('deleted', 'soft-delete'))
FAULT_FIELDS = ('exception', 'message', 'code', 'traceback')
END = 'end'


def unique_sorted(observations):
    """Drop duplicates (same key) and sort into the tracker's total order.

    Two different observations claiming one key (a forged or corrupted
    message id) keep the same one whatever the order: the smaller in a
    canonical form.
    """
    seen = {}
    for obs in observations:
        kept = seen.setdefault(obs.key, obs)
        if kept is not obs and _canonical(obs) < _canonical(kept):
            seen[obs.key] = obs
    return sorted(seen.values(), key=lambda o: o.sort_key())


def _canonical(obs):
    return json.dumps(obs.to_dict(), sort_keys=True, default=str)


def is_active(obs):
    return (obs.kind == 'instance.create.end' or
            (obs.kind == 'instance.update' and obs.state == 'active'))


def is_error(obs):
    return (obs.kind == 'compute_task.build_instances.error' or
            (obs.kind == 'instance.update' and obs.state == 'error'))


def is_delete(obs):
    if obs.kind in ('instance.delete.start', 'instance.delete.end'):
        return True
    if obs.kind == 'instance.update':
        return (obs.task_state in DELETE_TASK_STATES or
                obs.state in DELETED_STATES)
    if obs.kind == 'instance.create.error':
        return bool(obs.fault and obs.fault.exception in DELETE_EXCEPTIONS)
    if obs.kind == 'api.server.show':
        return obs.details.get('found') is False
    return False


@dataclasses.dataclass
class Outcome:
    """Which terminal event came first, and when."""
    status: str            # building, active, error or deleted
    at: object = None      # the first terminal observation's time
    observation: object = None


def outcome(observations):
    """The boot's outcome: the earliest terminal event wins.

    A server deleted after it went to ERROR is still a failed boot; one
    deleted while building is a deletion, not a failure.
    """
    firsts = {}
    for obs in observations:
        for status, test in (('active', is_active), ('error', is_error),
                             ('deleted', is_delete)):
            if status not in firsts and test(obs):
                firsts[status] = obs
    if not firsts:
        return Outcome('building')
    order = ('deleted', 'error', 'active')  # tie-break at equal times
    status = min(firsts, key=lambda s: (firsts[s].sort_key(),
                                        order.index(s)))
    return Outcome(status, firsts[status].timestamp, firsts[status])


def merge_faults(observations):
    """One fault from the twins that reported it; versioned data first."""
    faults = [o.fault for o in sorted(
        observations, key=lambda o: (o.format != 'versioned', o.sort_key()))
        if o.fault is not None]
    if not faults:
        return None
    merged = {}
    for field in FAULT_FIELDS:
        merged[field] = next((getattr(f, field) for f in faults
                              if getattr(f, field) not in (None, '')), None)
    return merged


def _opens_attempt(obs):
    if obs.kind == 'instance.create.start':
        return True
    return (obs.kind == 'instance.update' and
            obs.publisher_service == 'nova-compute' and
            obs.state == 'building' and
            obs.old_task_state == 'scheduling' and
            obs.task_state is None)


class _Draft:
    def __init__(self, started_at):
        self.attempt = rec.Attempt(started_at=started_at)
        self.publisher_hosts = []
        self.fault_observations = []
        self.closed_by = None


def attempts(observations, end):
    """The attempts of a boot: one per compute host that tried to build it.

    :param end: the boot's :class:`Outcome`; attempts still open when the
        boot ended in error or deletion are ``aborted``.
    """
    drafts = []
    current = None       # the open attempt
    last_closed = None   # the attempt a twin of its closing event joins
    for obs in observations:
        if obs.source != 'nova':
            continue
        if _opens_attempt(obs):
            if current is None:
                current = _Draft(obs.timestamp)
                drafts.append(current)
                last_closed = None
        elif obs.kind in ('instance.create.error', 'instance.create.end'):
            target = current or last_closed
            if target is None:
                target = _Draft(obs.timestamp)
                drafts.append(target)
            _close(target, obs)
            current, last_closed = None, target
            _absorb(target, obs)
            continue
        if current is not None:
            _absorb(current, obs)
    result = []
    for draft in drafts:
        attempt = draft.attempt
        if attempt.host is None and draft.publisher_hosts:
            attempt.host = draft.publisher_hosts[0]
        attempt.fault = merge_faults(draft.fault_observations)
        if attempt.outcome == 'in_progress' and end.status in ('error',
                                                               'deleted'):
            attempt.outcome = 'aborted'
            # A compute clock behind the controller's can date the
            # attempt after the end: it ended when it started, not before.
            attempt.ended_at = max(end.at, attempt.started_at)
        result.append(attempt)
    return result


def _close(draft, obs):
    attempt = draft.attempt
    if obs.kind == 'instance.create.end':
        attempt.outcome = 'success'
    elif obs.fault and obs.fault.exception in DELETE_EXCEPTIONS:
        attempt.outcome = 'aborted'
    elif attempt.outcome != 'aborted':
        attempt.outcome = 'failed'
    if obs.task_state in ACTIVE_TASK_PHASES and attempt.phase is None:
        attempt.phase = obs.task_state
    if attempt.ended_at is None or obs.timestamp < attempt.ended_at:
        attempt.ended_at = obs.timestamp
    if obs.fault is not None:
        draft.fault_observations.append(obs)


def _absorb(draft, obs):
    attempt = draft.attempt
    if obs.host and attempt.host is None:
        attempt.host = obs.host
    if obs.node and attempt.node is None:
        attempt.node = obs.node
    if (obs.kind.startswith('instance.create.') and
            obs.publisher_service == 'nova-compute' and obs.publisher_host):
        draft.publisher_hosts.append(obs.publisher_host)


def phase_of(obs):
    """The phase an observation shows the boot in, END, or None."""
    if obs.kind == 'instance.update':
        if (obs.state in ('active', 'error') or obs.state in DELETED_STATES
                or obs.task_state in DELETE_TASK_STATES):
            return END
        if obs.state != 'building':
            return None
        return PHASE_BY_TASK_STATE.get(obs.task_state)
    if obs.kind.startswith('scheduler.select_destinations.'):
        return 'scheduling'
    if obs.kind in ('instance.create.end', 'instance.create.error',
                    'compute_task.build_instances.error'):
        return END
    return None


def phases_visible(observations):
    """True when Nova sends instance.update notifications.

    With ``notify_on_state_change`` unset (Nova's default) there is no
    instance.update at all, and networking, block_device_mapping and
    spawning cannot be told apart.
    """
    return any(o.kind == 'instance.update' for o in observations)


def phase_segments(observations, visible):
    """[(start, phase)] in time order; phase END closes the previous one.

    With phases invisible, a create.start moves the boot out of
    scheduling into the compute's build, shown as networking, the first
    phase the compute enters.
    """
    segments = []
    for obs in observations:
        if obs.source != 'nova':
            continue
        phase = phase_of(obs)
        if phase is None and obs.kind == 'instance.create.start':
            phase = 'scheduling' if visible else 'networking'
        if phase is None:
            continue
        if (phase == 'scheduling' and segments and
                segments[-1][1] in COMPUTE_PHASES and
                obs.publisher_service != COMPUTE_SERVICE):
            # Only the compute takes a build back to scheduling (a
            # reschedule starts with its own update). A controller's
            # scheduling message seen after a compute phase is one whose
            # clock runs ahead of the compute's, not a step back.
            continue
        if not segments or segments[-1][1] != phase:
            segments.append((obs.timestamp, phase))
    return segments


def phase_spans(segments, created_at, until):
    """Per phase: first entry, last exit and total time spent in it."""
    spans = {}
    if segments and segments[0][1] != 'scheduling' and created_at and \
            created_at < segments[0][0]:
        segments = [(created_at, 'scheduling')] + list(segments)
    for index, (start, phase) in enumerate(segments):
        if phase == END or (until is not None and start > until):
            continue  # an end marker, or seen after the boot ended
        stop = segments[index + 1][0] if index + 1 < len(segments) else until
        if until is not None and stop is not None and stop > until:
            stop = until
        span = spans.setdefault(phase, rec.PhaseSpan(started_at=start))
        if stop is not None:
            span.ended_at = stop
            span.duration_s = round((span.duration_s or 0) +
                                    rec.seconds(start, stop), 6)
    return spans


def current_phase(segments):
    """The last phase the boot was seen in (ignoring END markers)."""
    for _, phase in reversed(segments):
        if phase != END:
            return phase
    return None
