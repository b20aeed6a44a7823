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

"""Glance ``image.send``: an image downloaded, for example by a compute.

glance/notifier.py sends ``{bytes_sent, image_id, owner_id,
receiver_tenant_id, receiver_user_id}`` at INFO, or at ERROR when fewer
bytes than the image size were sent. It names no instance: the
observation is related evidence for the boots using that image.
"""

from bootdoctor.notification import base
from bootdoctor.observation import GLANCE_KINDS


class GlanceHandler(base.Handler):
    source = 'glance'
    event_types = frozenset(GLANCE_KINDS)

    def observe(self, message):
        p = self.payload(message)
        ids = self.context_ids(message)
        receiver_project = p.str('receiver_tenant_id', empty_is_none=True)
        receiver_user = p.str('receiver_user_id', empty_is_none=True)
        details = {
            'image_id': p.uuid('image_id', required=True),
            'bytes_sent': p.int('bytes_sent'),
            'image_size': base.either(p.int('image_size'), p.int('size')),
            'receiver_project': receiver_project,
            'receiver_user': receiver_user,
            'owner': p.str('owner_id', empty_is_none=True),
            'short_transfer': message.priority == 'ERROR',
        }
        return (self.make(
            message, message.event_type, 'legacy',
            request_id=ids['request_id'],
            global_request_id=ids['global_request_id'],
            project_id=base.either(ids['project_id'], receiver_project),
            user_id=base.either(ids['user_id'], receiver_user),
            details={k: v for k, v in details.items() if v is not None}),)
