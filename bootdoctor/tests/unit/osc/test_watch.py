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


import pytest

from bootdoctor.osc.v1 import watch
from bootdoctor.tests.unit.client import fakes

BOOT = fakes.BOOT_URL + '/v1/boots/' + fakes.UUID


@pytest.fixture
def clock(monkeypatch):
    """A fake clock: sleeping moves it on, nothing waits."""
    now = [1000.0]
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        now[0] += seconds
    monkeypatch.setattr(watch.WatchBoot, 'clock', staticmethod(lambda: now[0]))
    monkeypatch.setattr(watch.WatchBoot, 'sleep', staticmethod(sleep))
    return sleeps


def building(reached, **changes):
    fields = dict(instance_uuid=fakes.UUID, status='building', step=reached,
                  steps=fakes.steps(reached=reached))
    fields.update(changes)
    return fakes.record(fakes.ACTIVE_RECORD, **fields)


def _responses(api, *bodies):
    api.get(BOOT, [{'json': b} if b is not None else
                   {'status_code': 404, 'json': {}} for b in bodies])


def test_watch_until_active(osc, api, clock):
    _responses(api, None, building(3), building(3), building(12),
               fakes.record(fakes.ACTIVE_RECORD, instance_uuid=fakes.UUID))
    result = osc('boot', 'watch', fakes.UUID, '--interval', '0.5')
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == 'Waiting for the boot of %s to be recorded' % fakes.UUID
    assert lines[1] == '12:00:01   1/29 observed API receives the boot request'
    steps = [line for line in lines if '/29 ' in line]
    # Each step once, in order, though polled several times.
    assert [int(line.split()[1].split('/')[0]) for line in steps] == list(
        range(1, 30))
    assert lines[-1] == 'Server %s is ACTIVE after 28.0 s' % fakes.UUID
    assert clock == [0.5] * 4


def test_watch_error_exits_1(osc, api, clock):
    _responses(api, building(11), fakes.ERROR_RECORD)
    result = osc('boot', 'watch', fakes.UUID)
    assert result.code == watch.EXIT_ERROR == 1
    assert '12:00:12  12/29 failed   Neutron binds the port' in result.out
    assert ('Boot of %s is error in networking at step 12/29: '
            'PortBindingFailed: Binding failed' % fakes.UUID) in result.out
    assert result.out.endswith(
        'Run "openstack boot diagnose %s" for the logs and next commands\n'
        % fakes.UUID)


def test_watch_a_step_that_fails_later_is_shown_again(osc, api, clock):
    _responses(api, building(12), fakes.ERROR_RECORD)
    result = osc('boot', 'watch', fakes.UUID)
    assert '12:00:12  12/29 observed' in result.out
    assert '12:00:12  12/29 failed' in result.out


def test_watch_stuck_exits_2(osc, api, clock):
    stuck = building(20, status='stuck', phase='spawning', diagnosis={
        'summary': 'No progress in spawning for 600 s', 'logs': [],
        'actions': [], 'notes': []})
    _responses(api, stuck)
    result = osc('boot', 'watch', fakes.UUID)
    assert result.code == watch.EXIT_STUCK == 2
    assert 'is stuck in spawning at step 20/29: No progress' in result.out


def test_watch_deleted_exits_3(osc, api, clock):
    _responses(api, building(5, status='deleted'))
    assert osc('boot', 'watch', fakes.UUID).code == watch.EXIT_DELETED == 3


def test_watch_timeout_exits_4(osc, api, clock):
    _responses(api, building(5))
    result = osc('boot', 'watch', fakes.UUID, '--interval', '2',
                 '--timeout', '5')
    assert result.code == watch.EXIT_TIMEOUT == 4
    assert result.out.splitlines()[-1] == (
        'Timed out after 5 s: %s is building at step 5/29' % fakes.UUID)
    # The last sleep is cut short to poll once more at the deadline, and
    # the timeout is declared no earlier than the full 5 s.
    assert clock == [2, 2, 1]
    assert sum(clock) == 5
    assert api.call_count - _keystone_calls(api) == 4


def _keystone_calls(api):
    return sum(1 for r in api.request_history
               if not r.url.startswith(BOOT))


def test_watch_active_just_before_the_timeout_is_active(osc, api, clock):
    # Polls at 0, 2 and 4 s see a building boot; it is active at 4.9 s,
    # seen by the poll at the 5 s deadline instead of a timeout at 4 s.
    _responses(api, building(5), building(5), building(5),
               fakes.record(fakes.ACTIVE_RECORD, instance_uuid=fakes.UUID))
    result = osc('boot', 'watch', fakes.UUID, '--interval', '2',
                 '--timeout', '5')
    assert result.code == watch.EXIT_ACTIVE == 0, result.out
    assert result.out.splitlines()[-1].startswith(
        'Server %s is ACTIVE' % fakes.UUID)
    assert clock == [2, 2, 1]


def test_watch_timeout_before_any_record(osc, api, clock):
    _responses(api, None)
    result = osc('boot', 'watch', fakes.UUID, '--timeout', '1',
                 '--interval', '1')
    assert result.code == 4
    assert result.out.splitlines() == [
        'Waiting for the boot of %s to be recorded' % fakes.UUID,
        'Timed out after 1 s: %s is not recorded yet' % fakes.UUID]


def test_watch_other_errors_stop_at_once(osc, api, clock):
    api.get(BOOT, status_code=403, json={})
    result = osc('boot', 'watch', fakes.UUID)
    assert result.code == 1
    assert result.err.strip().startswith(
        'Not allowed to read boot record for server %s (HTTP 403)'
        % fakes.UUID)
    assert clock == []


@pytest.mark.parametrize('argv', [['--interval', '0'], ['--timeout', '-3'],
                                  ['--interval', 'soon']])
def test_watch_rejects_bad_numbers(osc, api, argv):
    result = osc('boot', 'watch', fakes.UUID, *argv)
    assert result.code == 2
    assert 'is not a positive number' in result.err
