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

"""Policies for /v1/boots."""

from oslo_policy import policy

from bootdoctor.policies import base

BASE = base.RULE_PREFIX + 'boot:%s'
LIST = BASE % 'list'
LIST_ALL_PROJECTS = BASE % 'list:all_projects'
GET = BASE % 'get'
TRACEBACK = BASE % 'get:traceback'

rules = [
    policy.DocumentedRuleDefault(
        name=LIST,
        check_str=base.PROJECT_READER_OR_ADMIN,
        description='List the boots of the caller\'s project, with their '
                    'status, phase, step and root cause.',
        operations=[{'method': 'GET', 'path': '/v1/boots'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=LIST_ALL_PROJECTS,
        check_str=base.ADMIN,
        description='List the boots of every project (all_projects=true) '
                    'or of another project (project_id=...).',
        operations=[
            {'method': 'GET', 'path': '/v1/boots?all_projects=true'},
            {'method': 'GET', 'path': '/v1/boots?project_id={project_id}'},
        ],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=GET,
        check_str=base.PROJECT_READER_OR_ADMIN,
        description='Show one boot with its timeline, attempts and '
                    'diagnosis. A boot the caller may not read answers 404, '
                    'as an unknown one does.',
        operations=[{'method': 'GET', 'path': '/v1/boots/{instance_uuid}'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=TRACEBACK,
        check_str=base.ADMIN,
        description='Include fault tracebacks in boot records (the fault '
                    'and every attempt\'s fault). Tracebacks show code '
                    'paths and host details, so like Nova\'s fault details '
                    'they are for administrators by default; others get '
                    'null.',
        operations=[
            {'method': 'GET', 'path': '/v1/boots'},
            {'method': 'GET', 'path': '/v1/boots/{instance_uuid}'},
            {'method': 'GET', 'path': '/v1/boots/{instance_uuid}/events'},
        ],
        scope_types=['project']),
]


def list_rules():
    return rules
