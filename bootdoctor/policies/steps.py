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

"""Policies for /v1/steps."""

from oslo_policy import policy

from bootdoctor.policies import base

LIST = base.RULE_PREFIX + 'step:list'

rules = [
    policy.DocumentedRuleDefault(
        name=LIST,
        check_str=base.PROJECT_READER_OR_ADMIN,
        description='Read the 29-step boot catalogue: steps, components, '
                    'logs to read and common failures.',
        operations=[{'method': 'GET', 'path': '/v1/steps'}],
        scope_types=['project']),
]


def list_rules():
    return rules
