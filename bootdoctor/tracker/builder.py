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

"""build_record: a boot record as a pure function of a set of observations.

No I/O, no clock and no configuration: the caller passes ``now`` and the
per-phase ``deadlines``. Shuffling or duplicating the observations gives
the same record.
"""

import collections
import datetime

from bootdoctor.tracker import diagnosis as diag
from bootdoctor.tracker import record as rec
from bootdoctor.tracker import steps as step_eval
from bootdoctor.tracker import timeline

# How far before a boot a Keystone authentication by the same user is
# taken as the token the boot used.
AUTH_WINDOW = datetime.timedelta(hours=1)
CONTROLLER_SERVICES = ('nova-scheduler', 'nova-conductor', 'nova-api')
# Nova's notifications that only a boot sends.
BOOT_KINDS = frozenset((
    'scheduler.select_destinations.start',
    'scheduler.select_destinations.end',
    'instance.create.start', 'instance.create.end', 'instance.create.error',
    'compute_task.build_instances.error'))


def is_boot(observations):
    """True when Nova reported the instance being built.

    A port or volume event of a running server, Nova's update of a server
    that is not building (a reboot, a stop) or its deletion is not a boot
    and gets no boot record.
    """
    return any(o.source == 'nova' and o.instance_uuid is not None and (
        o.kind in BOOT_KINDS or 'building' in (o.state, o.old_state))
        for o in observations)


def build_records(observations, *, now=None, deadlines=None, related=()):
    """Boot records for every instance the observations show booting.

    Observations without an instance (Glance image.send, Keystone
    authentication, volumes with no attachment) are offered to every boot
    as related evidence; each boot keeps those that match it.
    """
    by_instance = collections.defaultdict(list)
    unattached = list(related)
    for obs in observations:
        if obs.instance_uuid:
            by_instance[obs.instance_uuid].append(obs)
        else:
            unattached.append(obs)
    return [build_record(by_instance[uuid], now=now, deadlines=deadlines,
                         related=unattached)
            for uuid in sorted(by_instance) if is_boot(by_instance[uuid])]


def build_record(observations, *, now=None, deadlines=None, related=()):
    """The boot record of one instance.

    :param observations: that instance's observations, in any order, with
        any duplicates.
    :param now: the clock for stuck detection; None disables it.
    :param deadlines: seconds allowed per phase, e.g.
        ``{'scheduling': 300, ...}``; None disables stuck detection.
    :param related: observations with no instance; those matching this
        boot (same image and project, same user) become evidence.
    """
    own = timeline.unique_sorted(
        o for o in observations if o.instance_uuid is not None)
    if not own:
        raise ValueError('build_record needs at least one observation of '
                         'the instance')
    uuids = {o.instance_uuid for o in own}
    if len(uuids) != 1:
        raise ValueError('observations of several instances: %s'
                         % ', '.join(sorted(uuids)))
    uuid = own[0].instance_uuid
    nova = [o for o in own if o.source == 'nova']
    created_at = own[0].timestamp
    updated_at = own[-1].timestamp
    end = timeline.outcome(own)
    finished_at = end.at

    identity = _identity(own)
    attempts = timeline.attempts(own, end)
    visible = timeline.phases_visible(own)
    segments = timeline.phase_segments(own, visible)
    phase = timeline.current_phase(segments)
    evidence = own + _matching_related(
        related, identity, _image(own), _user_start(own, identity),
        _download_start(segments, attempts, visible),
        finished_at or now or updated_at)
    evidence = timeline.unique_sorted(evidence)

    status = end.status
    scheduler_host = _scheduler_host(nova)
    last = attempts[-1] if attempts else None
    stuck = None
    if status == 'building' and now is not None and deadlines:
        limit = deadlines.get(phase or 'scheduling')
        if limit is not None and (now - updated_at).total_seconds() > limit:
            status = 'stuck'
            stuck = diag.stall(phase or 'scheduling', own,
                               last.host if last else None, scheduler_host)

    fault = _terminal_fault(own, end, attempts)
    failure_phase = _failure_phase(own, end, phase)
    cause = diag.root_cause(status, fault, attempts, failure_phase,
                            scheduler_host, stuck=stuck)
    if status == 'error':
        if cause and cause.get('step'):
            phase = _step_phase(cause['step']) or failure_phase
        else:
            phase = failure_phase or 'scheduling'
    elif status in ('active', 'deleted'):
        phase = None
    else:
        # Nothing but other services' messages yet: Nova has accepted the
        # instance and not placed it.
        phase = phase or 'scheduling'

    step_states = step_eval.evaluate(
        evidence, step_eval.traits(own),
        failed_step=cause['step'] if cause else None)
    until = finished_at or max(now or updated_at, updated_at)
    spans = timeline.phase_spans(segments, created_at, until)

    host, node = _placement(attempts, status)
    fields = {
        'instance_uuid': uuid,
        'request_id': identity['request_id'],
        'project_id': identity['project_id'],
        'user_id': identity['user_id'],
        'status': status,
        'phase': phase,
        'step': step_eval.furthest(step_states),
        'host': host,
    }
    return rec.BootRecord(
        node=node, attempts=attempts, fault=fault, root_cause=cause,
        steps=step_states, phases=spans, created_at=created_at,
        updated_at=updated_at, finished_at=finished_at,
        duration_s=rec.seconds(created_at, finished_at),
        diagnosis=diag.diagnose(
            dict(fields, node=node, image_id=_image(own),
                 ended_in=failure_phase), cause, visible, attempts),
        **fields)


def _identity(own):
    """request_id, project_id and user_id, preferring Nova's messages."""
    ordered = sorted(own, key=lambda o: (o.source != 'nova', o.sort_key()))
    result = {}
    for field in ('request_id', 'project_id', 'user_id'):
        result[field] = next((getattr(o, field) for o in ordered
                              if getattr(o, field)), None)
    return result


def _user_start(own, identity):
    """When the boot's user first shows in it: the request that the
    authentication before it gave a token to.
    """
    return next((o.timestamp for o in own
                 if o.user_id and o.user_id == identity['user_id']),
                own[0].timestamp)


def _download_start(segments, attempts, visible):
    """When the compute may have started downloading the boot's image.

    Modern Nova downloads the image inside spawn: from the first spawning
    update, or, with phases not visible, from the compute's start. A boot
    no compute started has fetched no image, and an image.send of the
    same image to the same project before spawning is another boot's.
    """
    if visible:
        return next((start for start, phase in segments
                     if phase == 'spawning'), None)
    return attempts[0].started_at if attempts else None


def _matching_related(related, identity, image_id, start, download_from,
                      stop):
    """Related observations that belong to this boot.

    The image sent to its project while it was spawning, and the one
    authentication of its user that gave it its token: the latest
    successful one in the hour before the user's first message of the
    boot (the latest failure when none succeeded). Taking one, not every
    one of the hour, keeps what a new authentication can change to the
    boots that start before the user's next success
    (:func:`bootdoctor.pipeline.affected` relies on it).
    """
    matched = []
    auths = []
    for obs in related:
        if obs.instance_uuid is not None:
            continue
        if obs.kind == 'image.send':
            if (image_id and download_from is not None and
                    obs.details.get('image_id') == image_id and
                    obs.details.get('receiver_project') ==
                    identity['project_id'] and
                    download_from <= obs.timestamp <= stop):
                matched.append(obs)
        elif obs.kind == 'identity.authenticate':
            if (obs.user_id and obs.user_id == identity['user_id'] and
                    start - AUTH_WINDOW <= obs.timestamp <= start):
                auths.append(obs)
    if auths:
        matched.append(max(auths, key=lambda o: (
            o.details.get('outcome') == 'success', o.sort_key())))
    return matched


def _image(own):
    return next((o.details['image_id'] for o in own
                 if o.details.get('image_id')), None)


def _scheduler_host(nova):
    for obs in nova:
        if obs.publisher_service in CONTROLLER_SERVICES and \
                obs.publisher_host:
            return obs.publisher_host
    return None


def _terminal_fault(own, end, attempts):
    """The fault Nova reported at the end: the conductor's reason, the
    error update's fault, or the last failed attempt's.
    """
    if end.status not in ('error',):
        return None
    conductor = [o for o in own
                 if o.kind == 'compute_task.build_instances.error']
    fault = timeline.merge_faults(conductor)
    if fault is None:
        updates = [o for o in own if o.kind == 'instance.update' and
                   o.state == 'error' and o.fault is not None]
        fault = timeline.merge_faults(updates)
    if fault is None:
        failed = [a for a in attempts if a.fault]
        fault = failed[-1].fault if failed else None
    return fault


def _failure_phase(own, end, phase):
    """The phase the boot was in when it failed or was deleted."""
    if end.at is None:
        return phase
    before = [o for o in own if o.timestamp <= end.at]
    segments = timeline.phase_segments(before, True)
    return timeline.current_phase(segments) or phase


def _step_phase(number):
    from bootdoctor import catalogue
    return catalogue.step(number).phase


def _placement(attempts, status):
    """Where the instance is, as Nova would say: the host and node of the
    successful or still running attempt; none once every attempt failed
    (Nova clears the host on a reschedule). The failed hosts stay in the
    attempts and the root cause.
    """
    for attempt in reversed(attempts):
        if attempt.outcome in ('success', 'in_progress'):
            return attempt.host, attempt.node
    return None, None
