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

"""Root cause and diagnosis: which step, component and host, and what next.

Everything specific to a step, a component or an exception comes from the
catalogue; this module only decides which entries apply.
"""

import re

from bootdoctor import catalogue

_PLACEHOLDER = re.compile(r'\{[a-z_]+\}')

# The component blamed for a failure seen in a phase when the exception
# itself is not in the catalogue; the step is the phase's last one in flow.
PHASE_COMPONENT = {
    'scheduling': 'nova-scheduler',
    'networking': 'neutron',
    'block_device_mapping': 'cinder',
    'spawning': 'hypervisor',
}
# Components whose failures surface inside the compute's build later than
# they happen (port binding, volume attachment, image download), so the
# phase Nova reports does not contradict them.
REMOTE_COMPONENTS = frozenset(('keystone', 'nova-scheduler', 'glance',
                               'neutron', 'cinder', 'database',
                               'message-queue'))
# Faults that only say "the scheduler gave up": the cause is elsewhere
# when an attempt failed before them.
RETRY_EXHAUSTED = frozenset(('MaxRetriesExceeded',))


def phase_step(phase, component):
    """The step of a phase a component is blamed at, in flow order.

    The first step of the phase that involves the component; failing that,
    the first step of the phase that has evidence.
    """
    from bootdoctor.tracker import steps as step_eval
    candidates = sorted(catalogue.phase_steps(phase),
                        key=step_eval.flow_position)
    for step in candidates:
        if component in step.components:
            return step
    return next(s for s in candidates if s.evidence)


def locate(fault, phase):
    """(step, component) for a fault seen while the boot was in phase."""
    exception = (fault or {}).get('exception')
    found = catalogue.failure_for_exception(exception,
                                            (fault or {}).get('message'),
                                            (fault or {}).get('module'))
    if found is not None:
        step, failure = found
        component = failure.component or step.components[0]
        if (phase is None or step.phase == phase or
                component in REMOTE_COMPONENTS):
            return step, component
    if phase is None:
        return None, None
    component = PHASE_COMPONENT[phase]
    return phase_step(phase, component), component


def root_cause(status, fault, attempts, failure_phase, scheduler_host,
               stuck=None):
    """The root cause dict, or None for a healthy boot.

    :param fault: the terminal fault as Nova reported it.
    :param attempts: the boot's attempts; for "retries exhausted" the last
        failed attempt holds the real cause.
    :param failure_phase: the phase the boot was in when it failed.
    :param scheduler_host: where scheduler/conductor messages came from.
    :param stuck: for a stuck boot, the :func:`stall` result.
    """
    if status == 'stuck' and stuck:
        return stuck
    if status != 'error':
        return None
    failed = [a for a in attempts if a.outcome == 'failed' and a.fault]
    cause, host, phase = fault, None, failure_phase
    exception = (fault or {}).get('exception')
    if failed and (fault is None or exception in RETRY_EXHAUSTED or
                   exception is None):
        last = failed[-1]
        cause, host = last.fault, last.host
        phase = last.phase or failure_phase
    elif failed and fault == failed[-1].fault:
        host = failed[-1].host
    step, component = locate(cause, phase)
    if host is None:
        if component in ('nova-scheduler', 'nova-conductor', 'nova-api',
                         'database', 'message-queue', 'keystone'):
            host = scheduler_host
        elif attempts:
            host = attempts[-1].host
    cause = cause or {}
    return {
        'exception': cause.get('exception'),
        'message': cause.get('message'),
        'step': step.number if step else None,
        'component': component,
        'host': host,
    }


def stall(phase, observations, attempt_host, scheduler_host):
    """What a boot stuck in a phase waits for, from its last evidence."""
    kinds = {o.kind for o in observations}
    host = attempt_host
    if phase == 'scheduling':
        if 'scheduler.select_destinations.start' not in kinds:
            component, message = 'nova-conductor', (
                'The instance was accepted but the scheduler was never '
                'asked for a host: check nova-conductor and the message '
                'queue.')
            host = scheduler_host
        elif 'scheduler.select_destinations.end' not in kinds:
            component, message = 'nova-scheduler', (
                'The scheduler started selecting a host and never '
                'answered: check nova-scheduler and Placement.')
            host = scheduler_host
        elif attempt_host:
            component, message = 'nova-compute', (
                'Host %s claimed the instance but never started '
                'networking.' % attempt_host)
        else:
            component, message = 'nova-compute', (
                'A host was selected but no compute started the build: '
                'the chosen nova-compute is down or not consuming its '
                'queue.')
            host = None
    elif phase == 'networking':
        component = 'neutron'
        ports = [o for o in observations if o.source == 'neutron']
        if any(o.details.get('vif_type') == 'binding_failed' for o in ports):
            message = ('Neutron could not bind the port on %s '
                       '(vif_type binding_failed).' % host)
        elif ports:
            message = ('The port exists but the build did not leave '
                       'networking on %s: check the Neutron agent there.'
                       % host)
        else:
            message = ('No port was created or bound for the instance on '
                       '%s: check neutron-server.' % host)
    elif phase == 'block_device_mapping':
        component = 'cinder'
        message = ('Volumes for the instance on %s were not ready in time: '
                   'check cinder-volume and the volume status.' % host)
    else:
        component = 'hypervisor'
        message = ('The hypervisor on %s did not finish spawning (image '
                   'download or domain start).' % host)
    step = _waiting_step(phase, component, observations)
    return {'exception': None, 'message': message,
            'step': step.number, 'component': component, 'host': host}


def _waiting_step(phase, component, observations):
    """The step a stuck boot waits at: the first of its phase that
    involves the blamed component and has not been observed.
    """
    from bootdoctor.tracker import steps as step_eval
    for step in sorted(catalogue.phase_steps(phase),
                       key=step_eval.flow_position):
        if component not in step.components or not step.evidence:
            continue
        if not any(catalogue.evidence_matches(m, o)
                   for m in step.evidence for o in observations):
            return step
    return phase_step(phase, component)


def diagnose(record_fields, cause, visible, attempts):
    """The diagnosis dict: summary, logs to read, actions to take, notes."""
    values = {
        'instance_uuid': record_fields['instance_uuid'],
        'request_id': record_fields.get('request_id') or
        record_fields['instance_uuid'],
        'project_id': record_fields.get('project_id'),
        'node': record_fields.get('node'),
        'image_id': record_fields.get('image_id'),
    }
    notes = []
    if not visible:
        notes.append(
            'Nova sends no task_state updates, so networking, '
            'block_device_mapping and spawning cannot be told apart: set '
            '[notifications] notify_on_state_change = vm_and_task_state '
            'in nova.conf.')
    status = record_fields['status']
    summary = _summary(status, record_fields, cause, attempts)
    logs, actions = [], []
    if cause:
        step = catalogue.step(cause['step']) if cause.get('step') else None
        names = [cause['component']] if cause.get('component') else []
        if step:
            names += [c for c in step.components if c not in names]
        host = cause.get('host')
        for name in names:
            _add_component(name, host, values, logs, actions)
        if step:
            failure = catalogue.failure_for_exception(
                cause.get('exception'), cause.get('message'))
            if failure is not None:
                actions.extend(_render(failure[1].actions, host, values))
            actions.extend(_render(step.actions, host, values))
    for attempt in attempts:
        if attempt.outcome in ('failed', 'aborted') and attempt.host:
            _add_component('nova-compute', attempt.host, values, logs, [])
    if status != 'active':
        actions.extend(_render((
            'openstack server show {instance_uuid}',
            'openstack server event list {instance_uuid}'), None, values))
    return {'summary': summary, 'logs': _unique(logs),
            'actions': _unique(actions), 'notes': notes}


def _add_component(name, host, values, logs, actions):
    component = catalogue.components().get(name)
    if component is None:
        return
    where = host if host and component.host == 'compute' else None
    for log in component.logs:
        on = host if host and log.host == 'compute' else None
        rendered = log.render(host=on, **values)
        logs.append({'host': on or log.host, 'path': rendered.path,
                     'grep': rendered.grep})
    actions.extend(_render(component.actions, where, values))


def _render(templates, host, values):
    rendered = []
    for text in templates:
        line = catalogue.render(text, **dict(values, host=host))
        if _PLACEHOLDER.search(line):
            continue  # a command that needs a value we do not know
        rendered.append(line)
    return rendered


def _unique(items):
    seen, result = set(), []
    for item in items:
        key = repr(sorted(item.items())) if isinstance(item, dict) else item
        if key not in seen:
            seen.add(key)
            result.append(item)
    return result


def _summary(status, fields, cause, attempts):
    tries = len(attempts)
    if status == 'active':
        hosts = ', '.join(a.host or '?' for a in attempts) or '?'
        extra = (' after %d attempts (%s)' % (tries, hosts)
                 if tries > 1 else '')
        return 'Booted on %s%s.' % (fields.get('host') or '?', extra)
    if status == 'building':
        return 'Building, in %s (step %s).' % (fields.get('phase'),
                                               fields.get('step'))
    if status == 'deleted':
        return 'Deleted while building, in %s; not a failure.' % (
            fields.get('ended_in') or 'an unknown phase')
    if not cause:
        return 'Failed; the notifications do not say where.'
    # What the notifications seen so far do not say is left out, never
    # printed as None (the first bootdoctor.boot.failed of a boot may go
    # out before its fault has arrived).
    where = ('step %s' % cause['step'] if cause.get('step') is not None
             else 'an unknown step')
    if cause.get('component'):
        where += ' (%s)' % cause['component']
    if cause.get('host'):
        where += ' on %s' % cause['host']
    message = (': %s' % cause['message']) if cause.get('message') else ''
    if status == 'stuck':
        return 'Stuck in %s at %s%s' % (fields.get('phase'), where, message)
    text = 'Failed at %s: %s%s' % (
        where, cause.get('exception') or 'unknown error', message)
    failed = [a for a in attempts if a.outcome == 'failed']
    if len(failed) > 1:
        text += ' (%d attempts failed: %s)' % (
            len(failed), ', '.join(a.host or '?' for a in failed))
    return text
