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

"""Deployment checks: is Nova configured so that boots can be followed?

Judged from the notifications themselves, once enough boots have finished
([collector] deployment_check_boots): a finding is logged once, loudly,
and stored (``record_finding``) so the API can show it; it is cleared when
the notifications show the setting fixed.
"""

import threading

from oslo_log import log

LOG = log.getLogger(__name__)

# task_state values only an instance.update sent for a task_state change
# carries (notify_on_state_change = vm_and_task_state).
TASK_PHASES = ('networking', 'block_device_mapping', 'spawning')
FINISHED = ('instance.create.end', 'instance.create.error',
            'compute_task.build_instances.error')

TASK_STATE = 'nova.notify_on_state_change'
FORMAT = 'nova.notification_format'

TASK_STATE_MESSAGE = (
    'None of the last %(n)d boots sent an instance.update with a '
    'task_state (networking, block_device_mapping, spawning): set '
    '"[notifications] notify_on_state_change = vm_and_task_state" in '
    'nova.conf on every Nova service. Without it bootdoctor cannot see the '
    'networking, block_device_mapping and spawning phases (steps 20 to 28) '
    'and can only say that a boot started or ended, not where it stopped.')
LEGACY_ONLY_MESSAGE = (
    'Nova sends only legacy (unversioned) notifications ([notifications] '
    'notification_format = unversioned, the default). bootdoctor works '
    'from them, but their faults are truncated text: set '
    'notification_format = both to also get the versioned notifications, '
    'whose faults name the exception class, module and traceback.')
VERSIONED_ONLY_MESSAGE = (
    'Nova sends only versioned notifications ([notifications] '
    'notification_format = versioned). bootdoctor works from them; '
    'consumers of the legacy notifications (Ceilometer\'s compute.instance.* '
    'meters, older tools) receive nothing. Use notification_format = both '
    'if they are needed.')


class DeploymentChecks:
    """Watches new observations; raises and clears findings.

    :param connection: the storage (``record_finding``, ``clear_finding``).
    :param boots: finished boots needed before judging.
    """

    def __init__(self, connection, boots=3):
        self.connection = connection
        self.boots = boots
        self._lock = threading.Lock()
        self._finished = set()
        self._task_states = False
        self._formats = set()
        self._active = {}     # key -> (severity, message) raised here
        self._cleared = set()
        self._apply_lock = threading.Lock()

    def observe(self, observations):
        """Update with new observations; store and log what changed."""
        with self._lock:
            for obs in observations:
                if obs.source != 'nova':
                    continue
                self._formats.add(obs.format)
                if obs.kind == 'instance.update' and (
                        obs.task_state in TASK_PHASES):
                    self._task_states = True
                if obs.kind in FINISHED and obs.instance_uuid and (
                        len(self._finished) < self.boots):
                    self._finished.add(obs.instance_uuid)
            wanted = self._judge()
        with self._apply_lock:
            self._apply(wanted)

    def _judge(self):
        wanted = {}
        if self._task_states:
            wanted[TASK_STATE] = None
        elif len(self._finished) >= self.boots:
            wanted[TASK_STATE] = ('warning', TASK_STATE_MESSAGE % {
                'n': len(self._finished)})
        if self._formats == {'legacy', 'versioned'}:
            wanted[FORMAT] = None
        elif len(self._finished) >= self.boots and self._formats:
            message = (LEGACY_ONLY_MESSAGE if self._formats == {'legacy'}
                       else VERSIONED_ONLY_MESSAGE)
            wanted[FORMAT] = ('info', message)
        return wanted

    def _apply(self, wanted):
        for key, finding in wanted.items():
            current = self._active.get(key)
            if finding is None:
                # Also clears what an earlier run stored.
                if current is not None or key not in self._cleared:
                    if self.connection.clear_finding(key):
                        LOG.info('Deployment check %s passes now.', key)
                    self._active.pop(key, None)
                    self._cleared.add(key)
                continue
            if current == finding:
                continue
            severity, message = finding
            self.connection.record_finding(key, severity, message)
            self._active[key] = finding
            self._cleared.discard(key)
            log = LOG.warning if severity != 'info' else LOG.info
            log('DEPLOYMENT CHECK %s: %s', key, message)

    def active(self):
        """The findings this process raised: {key: (severity, message)}."""
        with self._lock:
            return dict(self._active)
