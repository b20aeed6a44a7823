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

"""The policy rules and their enforcement."""

import re

from oslo_context import context
from oslo_policy import policy as oslo_policy
import pytest

from bootdoctor.api import policy
from bootdoctor.api import visibility
from bootdoctor import policies
from bootdoctor.policies import base

NAME = re.compile(r'^bootdoctor:[a-z_]+:[a-z_]+(:[a-z_]+)?$')


def api_rules():
    return [r for r in policies.list_rules()
            if r.name.startswith(base.RULE_PREFIX)]


def test_api_rules_are_documented_and_scoped():
    rules = api_rules()
    assert rules
    for rule in rules:
        assert NAME.match(rule.name), rule.name
        assert isinstance(rule, oslo_policy.DocumentedRuleDefault)
        assert rule.scope_types == ['project']
        assert rule.operations and rule.description


def test_names_are_unique():
    names = [r.name for r in policies.list_rules()]
    assert len(names) == len(set(names))


def test_rules_refer_only_to_defined_rules():
    names = {r.name for r in policies.list_rules()}
    for rule in policies.list_rules():
        for ref in re.findall(r'rule:([a-z_:]+)', rule.check_str):
            assert ref in names, (rule.name, ref)


def test_get_enforcer_for_the_oslopolicy_tools(monkeypatch):
    monkeypatch.setattr('sys.argv', ['oslopolicy-checker'])
    enforcer = policy.get_enforcer()
    assert set(enforcer.registered_rules) == {
        r.name for r in policies.list_rules()}


def ctx(project, *roles, system=None):
    return context.RequestContext(project_id=project, roles=list(roles),
                                  system_scope=system, overwrite=False)


@pytest.fixture
def enforcer(tmp_path):
    from bootdoctor.tests.unit.api import conftest
    conf = conftest.make_conf()
    conf.set_override('state_path', str(tmp_path))
    return policy.make_enforcer(conf)


@pytest.mark.parametrize('action,creds,project,allowed', [
    ('bootdoctor:boot:get', ('pa', 'reader'), 'pa', True),
    ('bootdoctor:boot:get', ('pa', 'member', 'reader'), 'pa', True),
    ('bootdoctor:boot:get', ('pa', 'reader'), 'pb', False),
    ('bootdoctor:boot:get', ('pa',), 'pa', False),
    ('bootdoctor:boot:get', ('x', 'admin'), 'pb', True),
    ('bootdoctor:boot:get', ('pa', 'reader'), None, False),
    ('bootdoctor:boot:get', (None, 'reader'), None, False),
    ('bootdoctor:boot:get:traceback', ('pa', 'member', 'reader'), 'pa',
     False),
    ('bootdoctor:boot:get:traceback', ('x', 'admin'), 'pa', True),
    ('bootdoctor:event:list', ('pa', 'reader'), 'pa', True),
    ('bootdoctor:event:payload', ('pa', 'member', 'reader'), 'pa', False),
    ('bootdoctor:event:payload', ('x', 'admin'), 'pa', True),
    ('bootdoctor:boot:list:all_projects', ('pa', 'member', 'reader'), 'pa',
     False),
    ('bootdoctor:status:get', ('pa', 'member', 'reader'), 'pa', False),
    ('bootdoctor:metrics:get', ('svc', 'service'), 'svc', True),
    ('bootdoctor:metrics:get', ('pa', 'reader'), 'pa', False),
])
def test_personas(enforcer, action, creds, project, allowed):
    result = policy.check(enforcer, ctx(*creds), action,
                          visibility.target(project))
    assert result is allowed


def test_system_scope_is_refused(enforcer):
    assert not policy.check(enforcer, ctx(None, 'admin', system='all'),
                            'bootdoctor:boot:get',
                            visibility.target('pa'))
