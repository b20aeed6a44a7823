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

"""What Nova's API says about a server: the ground truth of a scenario."""

from nova.tests.functional.api import client as api_client


def _instance_actions(api, server_id):
    try:
        actions = api.get_instance_actions(server_id)
    except api_client.OpenStackApiNotFoundException:
        return None
    detailed = []
    for action in sorted(actions, key=lambda a: a['start_time']):
        details = api.get_instance_action_details(
            server_id, action['request_id'])
        details['events'] = sorted(details.get('events', ()),
                                   key=lambda e: e['start_time'])
        detailed.append(details)
    return detailed


def server_truth(api, server_id):
    """Status, host, fault and instance actions of one server, as admin.

    ``found`` is False when the server is gone (deleted); its instance
    actions are still listed when Nova keeps them.
    """
    try:
        server = api.get_server(server_id)
    except api_client.OpenStackApiNotFoundException:
        server = None
    truth = {
        'id': server_id,
        'found': server is not None,
        'instance_actions': _instance_actions(api, server_id),
    }
    if server is None:
        truth.update(status=None, vm_state=None, task_state=None, host=None,
                     node=None, fault=None, server=None)
        return truth
    truth.update(
        status=server['status'],
        vm_state=server.get('OS-EXT-STS:vm_state'),
        task_state=server.get('OS-EXT-STS:task_state'),
        host=server.get('OS-EXT-SRV-ATTR:host'),
        node=server.get('OS-EXT-SRV-ATTR:hypervisor_hostname'),
        fault=server.get('fault'),
        server=server,
    )
    return truth
