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

"""Policies for /v1/boots/{instance_uuid}/events."""

from oslo_policy import policy

from bootdoctor.policies import base

BASE = base.RULE_PREFIX + 'event:%s'
LIST = BASE % 'list'
PAYLOAD = BASE % 'payload'

rules = [
    policy.DocumentedRuleDefault(
        name=LIST,
        check_str=base.PROJECT_READER_OR_ADMIN,
        description='List the observations behind a boot record: what '
                    'each notification said, normalised (event type, time, '
                    'host, states, fault).',
        operations=[{'method': 'GET',
                     'path': '/v1/boots/{instance_uuid}/events'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name=PAYLOAD,
        check_str=base.ADMIN,
        description='Include the raw notification (payload and context, '
                    'as the service published it) with each event. Raw '
                    'payloads carry host names, request contexts and '
                    'tracebacks: administrators only by default.',
        operations=[{'method': 'GET',
                     'path': '/v1/boots/{instance_uuid}/events'}],
        scope_types=['project']),
]


def list_rules():
    return rules
