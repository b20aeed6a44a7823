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

"""Keystone ``identity.authenticate``: a CADF event per authentication.

The user is ``initiator.id`` (newer releases also send
``initiator.user_id``); ``outcome`` is ``success`` or ``failure``
(keystone doc/source/admin/event_notifications.rst). It names no
instance: the observation is related evidence for the user's boots.
"""

from bootdoctor.notification import base
from bootdoctor.observation import KEYSTONE_KINDS


class KeystoneHandler(base.Handler):
    source = 'keystone'
    event_types = frozenset(KEYSTONE_KINDS)

    def observe(self, message):
        p = self.payload(message)
        initiator = p.obj('initiator', required=True)
        reason = p.obj('reason')
        ids = self.context_ids(message)
        project = base.first(initiator, 'project_id', 'project')
        details = {
            'outcome': p.str('outcome', required=True),
            'action': p.str('action'),
            'project': project,
            'user_name': initiator.str('username', empty_is_none=True),
            'reason': None if reason is None else reason.str('reasonType'),
        }
        return (self.make(
            message, message.event_type, 'legacy',
            request_id=base.either(ids['request_id'],
                                   initiator.str('request_id',
                                                 empty_is_none=True)),
            global_request_id=ids['global_request_id'],
            project_id=base.either(ids['project_id'], project),
            user_id=base.either(base.first(initiator, 'id', 'user_id'),
                                ids['user_id']),
            details={k: v for k, v in details.items() if v is not None}),)
