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

"""The 29 step states of a boot, from the catalogue's evidence rules."""

from bootdoctor import catalogue
from bootdoctor import observation
from bootdoctor.tracker import record as rec

MAX_EVIDENCE = 3


def describe(obs):
    """One line of evidence: what was seen, from whom."""
    parts = [obs.kind]
    if obs.kind == 'instance.update':
        parts.append('%s/%s' % (obs.state, obs.task_state))
    if obs.host:
        parts.append('host=%s' % obs.host)
    parts.append('(%s)' % obs.publisher_id)
    return ' '.join(parts)


def flow_position(step):
    """Where a step falls in modern Nova's order: by phase, then number.

    Modern Nova downloads the image inside spawn, so the Glance steps
    (numbered 19-21) come after networking and block device mapping.
    """
    return (catalogue.PHASES.index(step.phase), step.number)


def evaluate(observations, traits, failed_step=None):
    """The 29 StepStates, in number order.

    :param observations: the boot's observations and the related ones
        that belong to it.
    :param traits: boot traits (``boot_from_volume``, ``no_volumes``)
        that make some steps not apply.
    :param failed_step: the number of the step the boot failed or
        stuck at, if any.
    """
    # Each observation is tested against the matchers of its own kind
    # only; ``seen`` keeps, per step, the observations in their order.
    by_kind = catalogue.evidence_by_kind()
    seen_by_step = {}
    for obs in observations:
        matched = set()
        for number, matcher in by_kind.get(obs.kind, ()):
            if number not in matched and catalogue.evidence_matches(
                    matcher, obs):
                matched.add(number)
                seen_by_step.setdefault(number, []).append(obs)
    states = {}
    for step in catalogue.steps():
        state = rec.StepState(number=step.number, title=step.title,
                              phase=step.phase, components=step.components)
        seen = seen_by_step.get(step.number)
        if seen:
            state.state = 'observed'
            state.at = min(o.timestamp for o in seen)
            state.evidence = [describe(o) for o in seen[:MAX_EVIDENCE]]
        elif any(t in traits for t in step.skipped_when):
            state.state = 'skipped'
        states[step.number] = state
    if failed_step is not None:
        states[failed_step].state = 'failed'
    ordered = sorted(catalogue.steps(), key=flow_position)
    reached = [i for i, s in enumerate(ordered)
               if states[s.number].state in ('observed', 'failed')]
    if observations and not reached:
        # Any message about an instance proves Nova created its record.
        created = _record_step()
        states[created.number].state = 'inferred'
        reached = [ordered.index(created)]
    if reached:
        furthest = max(reached)
        for step in ordered[:furthest]:
            if states[step.number].state == 'pending':
                states[step.number].state = 'inferred'
    return [states[n] for n in sorted(states)]


def _record_step():
    """The first step proven by a Nova message about an instance."""
    return min((s for s in catalogue.steps()
                if any(m['kind'] in observation.NOVA_KINDS
                       for m in s.evidence)), key=flow_position)


def furthest(step_states):
    """The number of the furthest step reached, in flow order."""
    by_number = {s.number: s for s in catalogue.steps()}
    reached = [s for s in step_states
               if s.state in ('observed', 'failed', 'inferred')]
    if not reached:
        return None
    return max(reached, key=lambda s: flow_position(by_number[s.number])
               ).number


def traits(observations):
    """What kind of boot this is, where the notifications tell."""
    found = set()
    for obs in observations:
        if obs.details.get('boot_from_volume') is True:
            found.add('boot_from_volume')
        if obs.details.get('block_devices') == 0:
            found.add('no_volumes')
    if 'boot_from_volume' in found:
        found.discard('no_volumes')
    if any(o.source == 'cinder' for o in observations):
        found.discard('no_volumes')
    return found
