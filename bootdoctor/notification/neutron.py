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

"""Neutron ``port.*``: the ports of instances being built.

The payload is ``{"port": {...}}``, ``{"ports": [...]}`` for a bulk
create, or only ``{"port_id": ...}`` on delete. A port belongs to an
instance when its ``device_owner`` starts with ``compute:`` and its
``device_id`` (the instance UUID) is set; other ports (DHCP, routers,
ports not yet attached) give no observation, which is not an error.
"""

from bootdoctor.notification import base
from bootdoctor.notification import fields
from bootdoctor.observation import NEUTRON_KINDS

COMPUTE_OWNER_PREFIX = 'compute:'


class NeutronHandler(base.Handler):
    source = 'neutron'
    event_types = frozenset(NEUTRON_KINDS)

    def observe(self, message):
        p = self.payload(message)
        ports = []
        single = p.obj('port')
        if single is not None:
            ports.append(single)
        ports.extend(p.objs('ports'))
        # update.start carries the id beside the port, delete.* alone.
        outer_id = base.either(p.uuid('id'), p.uuid('port_id'))
        ids = self.context_ids(message)
        result = []
        for port in ports:
            owner = port.str('device_owner')
            device = port.str('device_id', empty_is_none=True)
            if not (owner and owner.startswith(COMPUTE_OWNER_PREFIX) and
                    device):
                continue
            instance = fields.uuid_or_error(device, port.where('device_id'))
            details = {
                'port_id': base.either(port.uuid('id'), outer_id),
                'vif_type': port.str('binding:vif_type'),
                'port_status': port.str('status'),
                'binding_host': port.str('binding:host_id',
                                         empty_is_none=True),
                'device_owner': owner,
            }
            result.append(self.make(
                message, message.event_type, 'legacy',
                instance_uuid=instance,
                request_id=ids['request_id'],
                global_request_id=ids['global_request_id'],
                # The port's owner, not the caller (often Nova's service
                # project), is the instance's project.
                project_id=base.either(base.first(port, 'project_id',
                                                  'tenant_id'),
                                       ids['project_id']),
                user_id=ids['user_id'],
                details={k: v for k, v in details.items() if v is not None}))
        return base.unique_by_instance(result)
