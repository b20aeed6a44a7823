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


"""Storage API tests shared by every backend: emitted marks, deployment
findings, heartbeats, retention and the schema.

Used as :mod:`bootdoctor.tests.unit.db.cases` is: each test package
provides a ``connection`` fixture and imports these classes.
"""

import datetime

import pytest

from bootdoctor.db import exceptions
from bootdoctor.tests.unit.db import cases
from bootdoctor.tests.unit.db import fakes


class DeploymentCases:

    def test_mark_emitted_once(self, connection):
        mark = connection.mark_emitted_many
        assert mark([(cases.U1, 'error')]) == {(cases.U1, 'error')}
        assert mark([(cases.U1, 'error')]) == set()
        assert mark([(cases.U1, 'stuck')]) == {(cases.U1, 'stuck')}
        assert mark([(cases.U2, 'error')]) == {(cases.U2, 'error')}

    def test_marks_taken_together_skip_those_held(self, connection):
        mark = connection.mark_emitted_many
        assert mark([(cases.U2, 'error')]) == {(cases.U2, 'error')}
        # One held, one new twice, one new: the held one only is refused.
        assert mark([(cases.U2, 'stuck'), (cases.U2, 'error'),
                     (cases.U1, 'error'), (cases.U2, 'stuck')]) == {
            (cases.U2, 'stuck'), (cases.U1, 'error')}
        assert mark([(cases.U1, 'error'), (cases.U2, 'stuck'),
                     (cases.U2, 'error')]) == set()
        assert mark([]) == set()

    def test_marks_without_returning_skip_those_held(self, connection,
                                                     monkeypatch):
        # As on MySQL, whose inserts return nothing: a row count each.
        dialect = connection.engine.dialect
        monkeypatch.setattr(dialect, 'insert_executemany_returning', False)
        mark = connection.mark_emitted_many
        assert mark([(cases.U2, 'error')]) == {(cases.U2, 'error')}
        assert mark([(cases.U2, 'stuck'), (cases.U2, 'error'),
                     (cases.U1, 'error'), (cases.U2, 'stuck')]) == {
            (cases.U2, 'stuck'), (cases.U1, 'error')}

    def test_a_bad_mark_refuses_the_whole_call(self, connection):
        with pytest.raises(exceptions.InvalidInput):
            connection.mark_emitted_many([(cases.U1, 'error'), (None, 'x')])
        with pytest.raises(exceptions.InvalidInput):
            connection.mark_emitted_many([(cases.U1, 'error'),
                                          (cases.U2, 'x' * 33)])
        # Nothing of either call was marked.
        assert connection.mark_emitted_many([(cases.U1, 'error')]) == {
            (cases.U1, 'error')}

    def test_findings_are_counted(self, connection):
        connection.record_finding('notify_on_state_change', 'warning',
                                  'off', now=cases.at(0))
        connection.record_finding('notify_on_state_change', 'warning',
                                  'still off', now=cases.at(60))
        (finding,) = connection.findings()
        assert finding == {'key': 'notify_on_state_change',
                           'severity': 'warning', 'message': 'still off',
                           'first_seen': cases.at(0).isoformat(),
                           'last_seen': cases.at(60).isoformat(), 'count': 2}
        assert connection.clear_finding('notify_on_state_change') is True
        assert connection.clear_finding('notify_on_state_change') is False
        assert connection.findings() == []
        with pytest.raises(exceptions.InvalidInput):
            connection.record_finding('k', 'loud', 'm')

    def test_heartbeats_keep_the_newest_time(self, connection):
        connection.heartbeat('nova', cases.at(10), received=3)
        connection.heartbeat('nova', cases.at(5))
        connection.heartbeat('neutron', cases.at(1).isoformat())
        assert connection.heartbeats() == [
            {'exchange': 'neutron', 'last_message_at': cases.at(1).isoformat(),
             'received': 1},
            {'exchange': 'nova', 'last_message_at': cases.at(10).isoformat(),
             'received': 4}]
        with pytest.raises(exceptions.InvalidInput):
            connection.heartbeat('', cases.at(0))


class PurgeCases:

    def test_purge_by_age(self, connection):
        day = datetime.timedelta(days=1)
        now = cases.T0 + 30 * day
        old = fakes.obs('m1', cases.U1)
        new = fakes.obs('m2', cases.U2, seconds=29 * 86400)
        shared_old = fakes.obs('m3', cases.U1, seconds=1)
        shared_new = fakes.obs('m3', cases.U2, seconds=1)
        related_old = fakes.obs('g1', None, kind='image.send',
                                details={'image_id': 'img'})
        untracked_old = fakes.obs('p1', cases.U3, kind='port.create.end')
        connection.add_observations([
            fakes.parsed(old), fakes.parsed(new),
            fakes.parsed(shared_old, shared_new),
            fakes.parsed(related_old), fakes.parsed(untracked_old),
            fakes.Parsed({'message_id': 'orphan', 'event_type': 'x',
                          'timestamp': cases.T0.isoformat()}, ())])
        connection.save_records([
            fakes.record(1, seconds=0),
            fakes.record(2, seconds=29 * 86400)])
        connection.mark_emitted_many([(cases.U1, 'error')], now=cases.T0)
        connection.add_rejection('bad', 'x', received_at=cases.T0)
        connection.add_rejection('bad', 'y', received_at=now)

        counts = connection.purge(7 * day, now=now, batch_size=1)
        assert counts == {'boots': 1, 'observations': 4,
                          'notifications': 4, 'rejections': 1}
        assert connection.get_record(cases.U1) is None
        assert connection.get_record(cases.U2) is not None
        assert connection.observations_for(cases.U1) == []
        assert connection.observations_for(cases.U2) == [shared_new, new]
        # m3 still backs U2's boot.
        assert [e['message_id'] for e in connection.events_for(cases.U2)] == [
            'm3', 'm2']
        assert connection.related_for(['img'], []) == []
        assert connection.counts() == {
            'notifications': 2, 'observations': 2, 'boots': 1,
            'rejections': 1, 'findings': 0}
        # The emitted mark went with the boot.
        assert connection.mark_emitted_many([(cases.U1, 'error')]) == {
            (cases.U1, 'error')}

    def test_purge_refuses_negative_age(self, connection):
        with pytest.raises(exceptions.InvalidFilter):
            connection.purge(datetime.timedelta(days=-1))
        with pytest.raises(exceptions.InvalidFilter):
            connection.purge(7)


class SchemaCases:

    def test_upgraded_to_head(self, connection):
        assert connection.version() == connection.head()
        # Upgrading again is a no-op.
        connection.upgrade()
        assert connection.version() == connection.head()
