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


"""``openstack boot step list`` and ``boot step show``: the catalogue."""

from osc_lib.command import command

from bootdoctor import catalogue
from bootdoctor.osc.v1 import columns

COLUMNS = (
    ('Number', 'number', None),
    ('Title', 'title', None),
    ('Phase', 'phase', None),
    ('Components', 'components', columns.ListColumn),
    ('Channel', 'channel', None),
)
LONG_COLUMNS = (
    ('Description', 'description', None),
    ('Modern', 'modern', None),
)


class ListStep(command.Lister):
    """List the steps of a boot, from the API request to ACTIVE."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--phase', metavar='<phase>',
            help='Only the steps of this phase (%s)'
                 % ', '.join(columns.PHASE_ORDER))
        parser.add_argument(
            '--long', action='store_true', default=False,
            help='Show the description of each step and its counterpart '
                 'in current releases')
        return parser

    def take_action(self, parsed_args):
        steps = self.app.client_manager.boot.list_steps()
        if parsed_args.phase:
            steps = [s for s in steps if s.get('phase') == parsed_args.phase]
        spec = COLUMNS + (LONG_COLUMNS if parsed_args.long else ())
        rows = [tuple(f(s.get(k)) if f else s.get(k) for _t, k, f in spec)
                for s in steps]
        return tuple(t for t, _k, _f in spec), rows


class ShowStep(command.ShowOne):
    """Show one step of the catalogue: evidence, failures, tools, actions."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'number', metavar='<n>', type=int,
            help='Step number, 1 to %d (see "openstack boot step list")'
                 % catalogue.STEP_COUNT)
        return parser

    def take_action(self, parsed_args):
        step = self.app.client_manager.boot.get_step(parsed_args.number)
        names = tuple(step)
        return names, tuple(_cell(step[n]) for n in names)


def _cell(value):
    if isinstance(value, list) and all(
            not isinstance(v, (dict, list)) for v in value):
        return columns.ListColumn(value)
    if isinstance(value, (dict, list)):
        return columns.NestedColumn(value)
    return value
