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

"""The API's enforcer remembers its decisions between looks at the files."""

from oslo_context import context
from oslo_policy import policy as oslo_policy
import pytest

from bootdoctor.api import context as api_context
from bootdoctor.api import policy
from bootdoctor import policies
from bootdoctor.policies import boots as boot_policies
from bootdoctor.tests.unit.api import conftest as c

LIST = boot_policies.LIST
TRACEBACK = boot_policies.TRACEBACK


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def make(interval=1.0, remembered=100):
    clock = Clock()
    enforcer = policy.Enforcer(c.make_conf(), check_interval=interval,
                               clock=clock, remembered=remembered)
    enforcer.register_defaults(policies.list_rules())
    asked = []
    authorize = enforcer.authorize

    def counting(action, target, creds, **kwargs):
        asked.append((action, target['project_id']))
        return authorize(action, target, creds, **kwargs)
    enforcer.authorize = counting
    return enforcer, clock, asked


@pytest.fixture
def made():
    return make()


def reader(project=c.PROJECT_A, **kwargs):
    return context.RequestContext(project_id=project, roles=['reader'],
                                  **kwargs)


def target(project=c.PROJECT_A):
    return {'project_id': project}


def test_a_decision_is_remembered_until_the_next_look(made):
    enforcer, clock, asked = made
    assert enforcer.decide(LIST, target(), reader())
    assert enforcer.decide(LIST, target(), reader())
    assert asked == [(LIST, c.PROJECT_A)]
    clock.now += 1.5  # the next check looks at the files: all forgotten
    assert enforcer.decide(LIST, target(), reader())
    assert len(asked) == 2


def test_each_rule_target_and_credentials_has_its_own_decision(made):
    enforcer, _clock, asked = made
    assert enforcer.decide(LIST, target(), reader())
    # Another project's boots: the same reader may not list them.
    assert not enforcer.decide(LIST, target(c.PROJECT_B), reader())
    # Another rule: tracebacks are for admins.
    assert not enforcer.decide(TRACEBACK, target(), reader())
    admin = context.RequestContext(project_id=c.PROJECT_A,
                                   roles=['admin', 'reader'])
    assert enforcer.decide(TRACEBACK, target(), admin)
    assert len(asked) == 4
    assert not enforcer.decide(TRACEBACK, target(), reader())
    assert len(asked) == 4


def test_set_rules_forgets_the_decisions(made):
    enforcer, _clock, _asked = made
    assert enforcer.decide(LIST, target(), reader())
    enforcer.set_rules(oslo_policy.Rules.from_dict({LIST: '!'}),
                       overwrite=False)
    assert not enforcer.decide(LIST, target(), reader())


def test_at_most_remembered_decisions_are_kept():
    enforcer, _clock, asked = make(remembered=3)
    for project in ('p1', 'p2', 'p3', 'p4'):
        enforcer.decide(LIST, target(project), reader(project))
    assert len(enforcer._decisions) <= 3
    enforcer.decide(LIST, target('p4'), reader('p4'))
    assert len(asked) == 4  # the last one was kept


def test_a_target_that_cannot_be_a_key_is_decided_every_time(made):
    enforcer, _clock, asked = made
    odd = {'project_id': c.PROJECT_A, 'tags': {'a': 1}}
    assert enforcer.decide(LIST, odd, reader())
    assert enforcer.decide(LIST, odd, reader())
    assert len(asked) == 2


def test_a_token_of_the_wrong_scope_is_refused(made):
    # oslo.policy raises InvalidScope for a system token on a project
    # rule; the refusal is remembered like any other.
    enforcer, _clock, asked = made
    system = context.RequestContext(system_scope='all', roles=['admin'])
    assert not enforcer.decide(LIST, target(), system)
    assert not enforcer.decide(LIST, target(), system)
    assert len(asked) == 1


def test_zero_interval_remembers_nothing():
    enforcer, _clock, asked = make(interval=0)
    assert enforcer.decide(LIST, target(), reader())
    assert enforcer.decide(LIST, target(), reader())
    assert len(asked) == 2


class CountingContext(api_context.RequestContext):
    made = 0

    def to_policy_values(self):
        CountingContext.made += 1
        return super().to_policy_values()


def test_a_request_context_makes_its_credentials_key_once(made):
    enforcer, _clock, asked = made
    CountingContext.made = 0
    caller = CountingContext(project_id=c.PROJECT_A, roles=['reader'])
    assert enforcer.decide(LIST, target(), caller)
    assert not enforcer.decide(TRACEBACK, target(), caller)
    assert not enforcer.decide(LIST, target(c.PROJECT_B), caller)
    # Three decisions asked of oslo.policy, which reads the values once
    # each; the key was made once, not once a decision.
    assert len(asked) == 3
    assert CountingContext.made == len(asked) + 1
    assert enforcer.decide(LIST, target(), caller)  # remembered
    assert CountingContext.made == len(asked) + 1
    assert caller.policy_key() == api_context.frozen(
        context.RequestContext(project_id=c.PROJECT_A,
                               roles=['reader']).to_policy_values())
    other = CountingContext(project_id=c.PROJECT_B, roles=['reader'])
    assert other.policy_key() != caller.policy_key()
    assert enforcer.decide(LIST, target(c.PROJECT_B), other)
