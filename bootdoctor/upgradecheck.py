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

"""The checks of ``bootdoctor-status upgrade check`` (oslo.upgradecheck).

Is this deployment ready to run? Run the command after installing new
code and ``bootdoctor-manage db sync``, before restarting the services.
Checks:

- the database schema is the one this code expects;
- a collector has heard from the notification bus recently;
- the latest boots that reached a compute host show task_state updates,
  which Nova only sends with ``notify_on_state_change = vm_and_task_state``.
"""

import datetime

from oslo_db import exception as oslo_db_exc
from oslo_upgradecheck import common_checks
from oslo_upgradecheck import upgradecheck
from oslo_utils import timeutils

from bootdoctor.db import api as db_api
from bootdoctor.db import exceptions as db_exc

Code = upgradecheck.Code
Result = upgradecheck.Result

# A collector that has received nothing for this long is reported.
COLLECTOR_SILENCE = datetime.timedelta(hours=1)
# How many of the newest boots the task_state check reads.
RECENT_BOOTS = 20
# task_state values Nova only announces with vm_and_task_state: during a
# boot vm_state stays "building", so no vm_state change carries them.
_TASK_STATES = frozenset(('networking', 'block_device_mapping', 'spawning'))
# Kinds showing that a compute host picked the boot up.
_AT_COMPUTE = frozenset(('instance.create.start', 'instance.create.end',
                         'instance.create.error'))
_SHOWN = 5
_DB_SYNC = 'Run "bootdoctor-manage db sync".'
# What reading the database may raise: bootdoctor's storage errors, and
# oslo.db's for a database that cannot be opened at all.
_DB_ERRORS = (db_exc.StorageError, oslo_db_exc.DBError)


def _parse_time(value):
    when = timeutils.parse_isotime(value) if isinstance(value, str) else value
    return timeutils.normalize_time(when).replace(tzinfo=datetime.timezone.utc)


def _shows_task_state(observations):
    """True if an instance.update announces a task_state change alone."""
    for obs in observations:
        if obs.kind != 'instance.update':
            continue
        if obs.task_state in _TASK_STATES:
            return True
        if obs.state == obs.old_state and obs.task_state != obs.old_task_state:
            return True
    return False


class Checks(upgradecheck.UpgradeCommands):
    """The checks, on the database that ``conf`` names."""

    def __init__(self, conf, connection=None, now=None):
        self.conf = conf
        self._connection = connection
        self._now = now

    def _conn(self):
        if self._connection is None:
            self._connection = db_api.get_connection(self.conf)
        return self._connection

    def now(self):
        if self._now is not None:
            return self._now
        return timeutils.utcnow(with_timezone=True)

    def _check_schema(self):
        try:
            conn = self._conn()
            current = conn.version()
        except _DB_ERRORS as exc:
            return Result(Code.FAILURE,
                          'Cannot read the database: %s' % exc)
        head = conn.head()
        if current is None:
            return Result(Code.FAILURE,
                          'The database has no bootdoctor schema. '
                          + _DB_SYNC)
        if current != head:
            return Result(Code.FAILURE,
                          'The database schema is at revision %s; this '
                          'code expects %s. %s' % (current, head, _DB_SYNC))
        return Result(Code.SUCCESS, 'Schema at revision %s.' % head)

    def _check_collector(self):
        try:
            heartbeats = self._conn().heartbeats()
        except _DB_ERRORS as exc:
            return Result(Code.FAILURE,
                          'Cannot read the database: %s' % exc)
        if not heartbeats:
            return Result(Code.WARNING,
                          'No collector has received any notification. '
                          'Check that bootdoctor-collector runs, that its '
                          '[oslo_messaging_notifications] transport_url '
                          'names the bus the OpenStack services notify on, '
                          'and that they use the messagingv2 driver.')
        newest = max(heartbeats,
                     key=lambda hb: _parse_time(hb['last_message_at']))
        silence = self.now() - _parse_time(newest['last_message_at'])
        if silence > COLLECTOR_SILENCE:
            return Result(Code.WARNING,
                          'The collector last received a notification %d '
                          'minutes ago (exchange %s, at %s). Check that '
                          'bootdoctor-collector runs and can reach the bus.'
                          % (silence.total_seconds() // 60,
                             newest['exchange'], newest['last_message_at']))
        return Result(Code.SUCCESS,
                      'Last notification at %s (exchange %s).'
                      % (newest['last_message_at'], newest['exchange']))

    def _check_task_state(self):
        try:
            conn = self._conn()
            boots = conn.list_records(sort='created_at:desc',
                                      limit=RECENT_BOOTS, detail=False)
            seen = {boot['instance_uuid']: conn.observations_for(
                boot['instance_uuid']) for boot in boots}
        except _DB_ERRORS as exc:
            return Result(Code.FAILURE,
                          'Cannot read the database: %s' % exc)
        at_compute = [uuid for uuid, observations in seen.items()
                      if any(o.kind in _AT_COMPUTE for o in observations)]
        if not at_compute:
            return Result(Code.SUCCESS,
                          'No recent boot has reached a compute host yet; '
                          'nothing to check.')
        blind = [uuid for uuid in at_compute
                 if not _shows_task_state(seen[uuid])]
        if blind:
            return Result(Code.WARNING,
                          '%d of the %d latest boots that reached a compute '
                          'host show no task_state update (%s). Configure '
                          '[notifications] notify_on_state_change = '
                          'vm_and_task_state in nova.conf of every Nova '
                          'service; without it the networking, '
                          'block_device_mapping and spawning phases cannot '
                          'be seen.' % (len(blind), len(at_compute),
                                        ', '.join(blind[:_SHOWN])))
        return Result(Code.SUCCESS,
                      'The %d latest boots that reached a compute host show '
                      'task_state updates.' % len(at_compute))

    def _check_policy_file(self):
        return common_checks.check_policy_json(self, conf=self.conf)

    _upgrade_checks = (
        ('Database schema', _check_schema),
        ('Collector heartbeat', _check_collector),
        ('Task state updates', _check_task_state),
        ('Policy File JSON to YAML Migration', _check_policy_file),
    )
