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

"""Persona base rules shared by every bootdoctor policy.

The personas follow Nova's: a project reader (members and managers have
the reader role too, through Keystone's implied roles), a project member,
and the administrator. Every API rule is written with these, so an
operator changes a persona in one place.
"""

from oslo_policy import policy

ADMIN = 'rule:context_is_admin'
PROJECT_READER = 'rule:project_reader_api'
PROJECT_MEMBER = 'rule:project_member_api'
PROJECT_READER_OR_ADMIN = 'rule:project_reader_or_admin'
SERVICE = 'rule:service_api'

RULE_PREFIX = 'bootdoctor:'

rules = [
    policy.RuleDefault(
        'context_is_admin', 'role:admin',
        description='Decides the administrator persona: may read every '
                    'project\'s boots, raw notification payloads, fault '
                    'tracebacks, the collector status and the metrics.'),
    policy.RuleDefault(
        'project_reader_api', 'role:reader and project_id:%(project_id)s',
        description='A reader of the project that owns the boot. Keystone '
                    'gives members and managers the reader role too.'),
    policy.RuleDefault(
        'project_member_api', 'role:member and project_id:%(project_id)s',
        description='A member of the project that owns the boot.'),
    policy.RuleDefault(
        'project_reader_or_admin',
        'rule:project_reader_api or rule:context_is_admin',
        description='A reader of the owning project, or an administrator.'),
    policy.RuleDefault(
        'service_api', 'role:service',
        description='Another service, such as a metrics scraper holding a '
                    'service user\'s token.'),
]


def list_rules():
    return rules
