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

"""Cinder ``volume.*``: volumes attached to (or created for) instances.

The payload (cinder/volume/volume_utils.py ``_usage_from_volume``) has
``volume_id``, ``tenant_id``, ``status`` and ``volume_attachment[]``, each
attachment naming its ``instance_uuid`` (``server_id`` in some releases);
old releases put ``instance_uuid`` at the top. One observation per
attached instance; a volume with no attachment gives one observation
without an instance, kept as related evidence.
"""

from bootdoctor.notification import base
from bootdoctor.observation import CINDER_KINDS


class CinderHandler(base.Handler):
    source = 'cinder'
    event_types = frozenset(CINDER_KINDS)

    def observe(self, message):
        p = self.payload(message)
        volume_id = p.uuid('volume_id', required=True)
        attached = []
        for item in p.objs('volume_attachment'):
            instance = base.either(item.uuid('instance_uuid'),
                                   item.uuid('server_id'))
            if instance is not None:
                attached.append((instance, item.str('attach_status')))
        top = p.uuid('instance_uuid')
        if top is not None:
            attached.append((top, None))
        if not attached:
            attached = [(None, None)]
        ids = self.context_ids(message)
        common = {
            'volume_id': volume_id,
            'volume_status': p.str('status'),
            'volume_host': p.str('host', empty_is_none=True),
        }
        result = []
        for instance, attach_status in attached:
            details = dict(common, attach_status=attach_status)
            result.append(self.make(
                message, message.event_type, 'legacy',
                instance_uuid=instance,
                request_id=ids['request_id'],
                global_request_id=ids['global_request_id'],
                project_id=base.either(base.first(p, 'project_id',
                                                  'tenant_id'),
                                       ids['project_id']),
                user_id=base.either(ids['user_id'],
                                    p.str('user_id', empty_is_none=True)),
                details={k: v for k, v in details.items() if v is not None}))
        return base.unique_by_instance(result)
