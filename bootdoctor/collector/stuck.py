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

"""Stuck detection: the periodic search for boots that stopped moving.

A silent stall sends no notification, so nothing would ever rebuild its
record: this search does. Candidates are boots still ``building`` whose
record was not updated for the shortest phase deadline; each is rebuilt
with the current time, and the tracker decides whether it is stuck (it
knows the phase and its deadline). A stuck boot gets one
``bootdoctor.boot.stuck`` notification, and, when configured, Nova is
asked what it knows about the server. The search also sends the
``bootdoctor.boot.failed`` notifications held back for a fault that did
not come (:mod:`bootdoctor.collector.emitter`).
"""

import datetime

from oslo_log import log
from oslo_utils import timeutils

from bootdoctor.collector import emitter as emitter_mod
from bootdoctor.db import exceptions as db_exc
from bootdoctor import pipeline

LOG = log.getLogger(__name__)


class StuckDetector:
    """One search per :meth:`run` call.

    :param deadlines: callable returning {phase: seconds} (mutable).
    :param limit: callable returning the most boots examined per search.
    :param reconciler: asks Nova about stuck boots, or None.
    """

    def __init__(self, connection, deadlines, limit, counters, emitter=None,
                 reconciler=None):
        self.connection = connection
        self.deadlines = deadlines
        self.limit = limit
        self.counters = counters
        self.emitter = emitter
        self.reconciler = reconciler

    def run(self, now=None):
        """Search once; return the records found stuck."""
        now = now or timeutils.utcnow(with_timezone=True)
        deadlines = self.deadlines()
        min_age = datetime.timedelta(seconds=min(deadlines.values()))
        try:
            candidates = self.connection.stale_building(
                now=now, min_age=min_age, limit=self.limit())
            uuids = [record['instance_uuid'] for record in candidates]
            records = pipeline.rebuild(self.connection, uuids, now=now,
                                       deadlines=deadlines)
            stuck = [r for r in records if r.status == 'stuck']
            if self.reconciler is not None and stuck:
                # Nova may say the server is gone (deleted while
                # scheduling sends nothing): that boot is not stuck.
                self.reconciler.reconcile([r.to_dict() for r in stuck])
                stuck = [r for r in stuck
                         if self._still_stuck(r.instance_uuid)]
            if self.emitter is not None and self.emitter.enabled:
                self.emitter.emit_for(stuck)
                # Failures held back for want of a fault that never came.
                self.emitter.emit_for(self.connection.unannounced_failures(
                    emitter_mod.ANNOUNCE_GRACE, emitter_mod.ANNOUNCE_WINDOW,
                    now=now, limit=self.limit()), held=False)
        except db_exc.StorageError as exc:
            LOG.warning('Stuck search skipped: %s', exc)
            return []
        finally:
            self.counters.count_stuck_check(now)
        for record in stuck:
            LOG.warning('Boot %(uuid)s is stuck: %(summary)s',
                        {'uuid': record.instance_uuid,
                         'summary': record.diagnosis.get('summary')})
        return stuck

    def _still_stuck(self, instance_uuid):
        record = self.connection.get_record(instance_uuid)
        return record is None or record['status'] == 'stuck'
