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

"""bootdoctor-manage demo on the in-process fake transport."""

import json
import os

from bootdoctor.cmd import manage
from bootdoctor.manage import demo
from bootdoctor import simulator


def test_the_demo_shows_every_scenario_and_explains_failures(capsys):
    code = manage.main(['demo', '--fake', '--deadline', '1'])
    out = capsys.readouterr().out
    assert code == 0
    assert "in-process fake:// transport" in out
    for name in simulator.SCENARIOS:
        assert '| %s ' % name in out
    # A diagnosis for every failed and stuck boot, none for the others.
    failed = [s for s in simulator.SCENARIOS.values()
              if s.expected['status'] in ('error', 'stuck')]
    assert out.count('=' * 78) == len(failed)
    assert 'PortBindingFailed' in out
    assert 'Logs to read' in out and 'Next commands' in out
    assert 'Boots: active 3, deleted 1, error 5, stuck 5.' in out
    assert 'bootdoctor.boot.failed x5, bootdoctor.boot.stuck x5' in out


def test_the_demo_leaves_nothing_behind_unless_kept(capsys):
    assert manage.main(['demo', '--fake', '--boots', '2']) == 0
    out = capsys.readouterr().out
    database = out.split('Database: sqlite:///', 1)[1].split('\n', 1)[0]
    assert not os.path.exists(os.path.dirname(database))
    assert manage.main(['demo', '--fake', '--boots', '2', '--keep',
                        '--format', 'json']) == 0
    out = capsys.readouterr().out
    kept = out.rsplit('Kept ', 1)[1].strip()
    assert os.path.exists(os.path.join(kept, 'bootdoctor.sqlite'))
    document = out[out.index('{'):out.rindex('}') + 1]
    assert [b['status'] for b in json.loads(document)['boots']] == [
        'active', 'active']


def test_an_unreachable_broker_falls_back_to_fake(capsys):
    code = manage.main(['demo', '--transport-url',
                        'rabbit://guest:guest@127.0.0.1:1/', '--boots', '1'])
    out = capsys.readouterr().out
    assert code == 0
    assert 'RabbitMQ at rabbit://guest:***@127.0.0.1:1/ does not answer' in (
        out)
    assert 'fake:// transport' in out


def test_the_broker_urls():
    assert demo.amqp_urls('rabbit://u:p@h1:5673,v:q@h2/vh') == [
        'amqp://u:p@h1:5673/vh', 'amqp://v:q@h2:5672/vh']
    assert demo.amqp_urls('fake://') == []
    assert demo.broker_answers('fake://') == 'not a RabbitMQ URL'
