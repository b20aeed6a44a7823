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


"""``openstack boot event list``: the notifications behind a record."""

from osc_lib.command import command

from bootdoctor.osc.v1 import columns
from bootdoctor.osc.v1 import common

COLUMNS = (
    ('Timestamp', 'timestamp', None),
    ('Event Type', 'event_type', None),
    ('Kind', 'kind', None),
    ('Publisher', 'publisher_id', None),
    ('State', 'state', None),
    ('Task State', 'task_state', None),
    ('Fault', 'fault', columns.FaultColumn),
)
LONG_COLUMNS = (
    ('Message ID', 'message_id', None),
    ('Request ID', 'request_id', None),
    ('Host', 'host', None),
    ('Node', 'node', None),
    ('Old State', 'old_state', None),
    ('Old Task State', 'old_task_state', None),
    ('Priority', 'priority', None),
    ('Source', 'source', None),
)


class ListEvent(command.Lister):
    """List the notifications that make up a server's boot record."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        common.add_server_argument(parser, 'list the notifications of')
        parser.add_argument(
            '--long', action='store_true', default=False,
            help='Show more columns: message and request ids, host, node, '
                 'previous states, priority and source')
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.boot
        uuid = common.resolve(client, parsed_args)
        events = client.list_events(uuid, label=parsed_args.server,
                                    all_projects=parsed_args.all_projects)
        spec = COLUMNS + (LONG_COLUMNS if parsed_args.long else ())
        events = sorted(events, key=lambda e: str(e.get('timestamp') or ''))
        rows = [tuple(f(e.get(k)) if f else e.get(k) for _t, k, f in spec)
                for e in events]
        return tuple(t for t, _k, _f in spec), rows
