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

"""How often the API's enforcer looks at its policy files."""

import json
import os

from oslo_context import context
from oslo_policy import policy as oslo_policy
import pytest

from bootdoctor.api import app as api_app
from bootdoctor.api import policy
from bootdoctor.api import report
from bootdoctor import policies
from bootdoctor.policies import events as event_policies
from bootdoctor.tests.unit.api import conftest as c

ACTION = event_policies.LIST


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def setup(tmp_path):
    conf = c.make_conf()
    path = tmp_path / 'policy.yaml'
    conf.set_override('policy_file', str(path), group='oslo_policy')
    mtime = [1000000]

    def write(rule):
        path.write_text(json.dumps({ACTION: rule}))
        # A later modification time for each write, as an edit would have.
        mtime[0] += 10
        os.utime(path, (mtime[0], mtime[0]))
    write('@')
    yield conf, write
    conf.clear_override('policy_file', group='oslo_policy')


def allowed(enforcer):
    ctx = context.RequestContext(project_id=c.PROJECT_A, roles=['reader'])
    return policy.check(enforcer, ctx, ACTION,
                        {'project_id': c.PROJECT_A})


def make(conf, interval, clock):
    enforcer = policy.Enforcer(conf, check_interval=interval, clock=clock)
    enforcer.register_defaults(policies.list_rules())
    return enforcer


def test_a_changed_file_applies_after_the_interval(setup):
    conf, write = setup
    clock = Clock()
    enforcer = make(conf, 1.0, clock)
    assert allowed(enforcer)
    write('!')
    clock.now += 0.5
    assert allowed(enforcer)      # not looked at yet
    clock.now += 0.6
    assert not allowed(enforcer)  # looked at: the new rule applies
    write('@')
    assert not allowed(enforcer)
    clock.now += 1.0
    assert allowed(enforcer)


def test_zero_interval_looks_before_every_check(setup):
    conf, write = setup
    enforcer = make(conf, 0, Clock())
    assert allowed(enforcer)
    write('!')
    assert not allowed(enforcer)


def test_forced_reload_looks_at_once_and_clear_forgets(setup):
    conf, write = setup
    clock = Clock()
    enforcer = make(conf, 60.0, clock)
    assert allowed(enforcer)
    write('!')
    enforcer.load_rules(force_reload=True)
    assert not allowed(enforcer)
    write('@')
    enforcer.clear()  # forgets the rules and the registered defaults
    assert enforcer._checked_at is None


def test_load_rules_now_looks_whatever_the_interval(setup):
    conf, write = setup
    enforcer = make(conf, 60.0, Clock())
    assert allowed(enforcer)
    write('!')
    assert allowed(enforcer)
    enforcer.load_rules_now()
    assert not allowed(enforcer)


def test_the_report_shows_the_policy_file_as_it_is_now(setup):
    conf, write = setup
    enforcer = make(conf, 60.0, Clock())
    assert allowed(enforcer)
    path = conf.oslo_policy.policy_file
    with open(path, 'w') as f:
        f.write('{not yaml: [')
    os.utime(path, (1000015, 1000015))
    lines = []
    report._policy(lines, enforcer, conf)
    assert 'cannot be read' in lines[0], lines


def test_a_default_registered_later_is_loaded(setup):
    conf, _write = setup
    enforcer = make(conf, 60.0, Clock())
    assert allowed(enforcer)
    enforcer.register_default(oslo_policy.RuleDefault('late', '!'))
    enforcer.load_rules()
    assert 'late' in enforcer.rules


def test_a_bad_file_is_looked_at_again(setup):
    conf, write = setup
    clock = Clock()
    enforcer = make(conf, 60.0, clock)
    path = conf.oslo_policy.policy_file
    with open(path, 'w') as f:
        f.write('{not yaml: [')
    os.utime(path, (1000015, 1000015))  # between the writes around it
    with pytest.raises(Exception):
        enforcer.load_rules()
    write('!')
    # The failed look did not count: the next check looks again.
    assert not allowed(enforcer)


def test_the_app_enforcer_uses_the_configured_interval(setup, tmp_path):
    conf, _write = setup
    conf.set_override('policy_file_check_interval', 2.5, group='api')
    conf.set_override('connection', 'sqlite://', group='database')
    app = api_app.create_app(conf)
    enforcer = app.config['BOOTDOCTOR_ENFORCER']
    assert isinstance(enforcer, policy.Enforcer)
    assert enforcer.check_interval == 2.5
    conf.clear_override('policy_file_check_interval', group='api')
    conf.clear_override('connection', group='database')


def test_the_oslopolicy_tools_enforcer_looks_every_time():
    assert policy.get_enforcer().check_interval == 0
