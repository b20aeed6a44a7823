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

"""Policies for /v1/stats."""

from oslo_policy import policy

from bootdoctor.policies import base

BASE = base.RULE_PREFIX + 'stats:%s'
GET = BASE % 'get'
GET_ALL_PROJECTS = BASE % 'get:all_projects'

rules = [
    policy.DocumentedRuleDefault(
        name=GET,
        check_str=base.PROJECT_READER_OR_ADMIN,
        description='Boot statistics of the caller\'s project: counts by '
                    'status, failures by step, component and host, phase '
                    'duration percentiles.',
        operations=[{'method': 'GET', 'path': '/v1/stats'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=GET_ALL_PROJECTS,
        check_str=base.ADMIN,
        description='Boot statistics over every project '
                    '(all_projects=true) or another project (project_id).',
        operations=[{'method': 'GET', 'path': '/v1/stats?all_projects=true'}],
        scope_types=['project']),
]


def list_rules():
    return rules
