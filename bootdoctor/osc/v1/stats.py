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


"""``openstack boot stats``: counts, failures and phase durations."""

from osc_lib.command import command

from bootdoctor.osc.v1 import columns
from bootdoctor.osc.v1 import common

GROUPS = ('host', 'phase', 'component')


class ShowStats(command.ShowOne):
    """Show boot statistics over a time window.

    Counts by status, failures by step, component and host, and phase
    durations (p50, p95, p99).
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--since', metavar='<time>', type=common.timestamp,
            help='Start of the window: ISO 8601 (2024-05-01T12:00:00Z) or '
                 'an age (30m, 6h, 2d); the API default when not given')
        parser.add_argument(
            '--until', metavar='<time>', type=common.timestamp,
            help='End of the window: ISO 8601 or an age (default: now)')
        parser.add_argument(
            '--group-by', metavar='<key>', choices=GROUPS,
            help='Break the figures down by %s' % ', '.join(GROUPS))
        parser.add_argument(
            '--all-projects', action='store_true', default=False,
            help='Count the boots of every project (admin only)')
        return parser

    def take_action(self, parsed_args):
        stats = self.app.client_manager.boot.get_stats(
            since=parsed_args.since, until=parsed_args.until,
            group_by=parsed_args.group_by,
            all_projects=parsed_args.all_projects or None)
        names = tuple(stats)
        values = tuple(columns.NestedColumn(stats[n])
                       if isinstance(stats[n], (dict, list)) else stats[n]
                       for n in names)
        return names, values
