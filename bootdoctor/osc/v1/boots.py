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


"""``openstack boot list``, ``boot show`` and ``boot diagnose``."""

import logging

from cliff.formatters import base as formatter_base
from osc_lib.command import command
from stevedore import extension

from bootdoctor.osc.v1 import columns
from bootdoctor.osc.v1 import common
from bootdoctor import report

LOG = logging.getLogger(__name__)

# Record fields in display order; unknown fields follow, as given.
RECORD_FIELDS = (
    'instance_uuid', 'status', 'phase', 'step', 'host', 'node',
    'request_id', 'project_id', 'user_id', 'created_at', 'updated_at',
    'finished_at', 'duration_s', 'attempts', 'fault', 'root_cause',
    'phases', 'steps', 'diagnosis',
)
FIELD_FORMATTERS = {
    'duration_s': columns.DurationColumn,
    'attempts': columns.AttemptsColumn,
    'fault': columns.FaultColumn,
    'root_cause': columns.RootCauseColumn,
    'phases': columns.PhasesColumn,
    'steps': columns.StepsColumn,
    'diagnosis': columns.DiagnosisColumn,
}

LIST_COLUMNS = (
    ('Instance UUID', 'instance_uuid', None),
    ('Status', 'status', None),
    ('Phase', 'phase', None),
    ('Step', 'step', None),
    ('Host', 'host', None),
    ('Failed Component', 'root_cause', columns.ComponentColumn),
    ('Updated At', 'updated_at', None),
)
LONG_COLUMNS = (
    ('Project ID', 'project_id', None),
    ('Request ID', 'request_id', None),
    ('Node', 'node', None),
    ('Attempts', 'attempts', columns.AttemptCountColumn),
    ('Root Cause', 'root_cause', columns.RootCauseColumn),
    ('Created At', 'created_at', None),
    ('Finished At', 'finished_at', None),
    ('Duration', 'duration_s', columns.DurationColumn),
)


def record_columns(record):
    """(names, values) of a record for ShowOne, formatters applied."""
    names = [f for f in RECORD_FIELDS if f in record]
    names += sorted(k for k in record if k not in RECORD_FIELDS)
    values = []
    for name in names:
        value = record[name]
        if name == 'step':
            value = columns.StepColumn(value,
                                       report.step_title(record, value),
                                       report.step_count(record))
        elif name in FIELD_FORMATTERS:
            value = FIELD_FORMATTERS[name](value)
        values.append(value)
    return tuple(names), tuple(values)


def _joined(values):
    """Repeated option values as the API's comma-separated list."""
    return ','.join(values) if values else None


def _row(record, spec):
    row = []
    for _title, key, formatter in spec:
        value = record.get(key)
        row.append(formatter(value) if formatter else value)
    return tuple(row)


class ListBoot(command.Lister):
    """List boot records: where each boot is, and why it failed."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--status', metavar='<status>', choices=common.STATUSES,
            action='append',
            help='Only boots in this status: %s (repeat for several)'
                 % ', '.join(common.STATUSES))
        parser.add_argument(
            '--phase', metavar='<phase>', choices=common.PHASES,
            action='append',
            help='Only boots whose current, failed or stuck phase is this '
                 'one: %s (repeat for several)' % ', '.join(common.PHASES))
        parser.add_argument(
            '--host', metavar='<host>', action='append',
            help='Only boots placed on this compute host (repeat for '
                 'several)')
        parser.add_argument(
            '--failed-component', metavar='<component>', action='append',
            help='Only boots whose root cause is in this component of the '
                 'catalogue, for example nova-compute, neutron or '
                 'nova-scheduler (repeat for several)')
        parser.add_argument(
            '--request-id', metavar='<request-id>',
            help='Only the boot of this request (req-...)')
        parser.add_argument(
            '--project', metavar='<project-id>',
            help='Only boots of this project (admin only)')
        parser.add_argument(
            '--since', metavar='<time>', type=common.timestamp,
            help='Only boots created at or after this time: ISO 8601 '
                 '(2024-05-01T12:00:00Z) or an age (30m, 6h, 2d)')
        parser.add_argument(
            '--until', metavar='<time>', type=common.timestamp,
            help='Only boots created before this time: ISO 8601 or an '
                 'age')
        parser.add_argument(
            '--sort', metavar='<key>[:<direction>]',
            help='Sort by created_at, updated_at or duration_s, '
                 'optionally with :asc or :desc (default: created_at:desc)')
        parser.add_argument(
            '--all-projects', action='store_true', default=False,
            help='List the boots of every project (admin only)')
        parser.add_argument(
            '--limit', metavar='<n>', type=common.positive_int,
            help='Show at most this many boots (default: all of them; '
                 'pages are followed)')
        parser.add_argument(
            '--long', action='store_true', default=False,
            help='Show more columns: project, request, node, attempts, '
                 'root cause, times and duration')
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.boot
        spec = LIST_COLUMNS + (LONG_COLUMNS if parsed_args.long else ())
        records = client.list_boots(
            limit=parsed_args.limit,
            status=_joined(parsed_args.status),
            phase=_joined(parsed_args.phase),
            host=_joined(parsed_args.host),
            failed_component=_joined(parsed_args.failed_component),
            request_id=parsed_args.request_id,
            project_id=parsed_args.project,
            since=parsed_args.since, until=parsed_args.until,
            sort=parsed_args.sort,
            all_projects=parsed_args.all_projects or None)
        rows = [_row(r, spec) for r in records]
        return tuple(title for title, _k, _f in spec), rows


class ShowBoot(command.ShowOne):
    """Show the boot record of a server: steps, attempts, fault, cause."""

    verb = 'show'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        return common.add_server_argument(parser, self.verb)

    def take_action(self, parsed_args):
        client = self.app.client_manager.boot
        uuid = common.resolve(client, parsed_args)
        record = client.get_boot(uuid, label=parsed_args.server,
                                 all_projects=parsed_args.all_projects)
        return record_columns(record)


class ReportFormatter(formatter_base.SingleFormatter):
    """Prints a boot record as the diagnosis report."""

    def add_argument_group(self, parser):
        pass

    def emit_one(self, column_names, data, stdout, parsed_args):
        record = {}
        for name, value in zip(column_names, data):
            if hasattr(value, 'machine_readable'):
                value = value.machine_readable()
            record[name] = value
        stdout.write(report.diagnosis_text(
            record, label=getattr(parsed_args, 'server', None)) + '\n')


class DiagnoseBoot(ShowBoot):
    """Explain a server's boot: steps, phases, attempts, root cause, logs.

    The default output is a report readable in an 80-column terminal;
    -f json or -f yaml give the same record as data.
    """

    verb = 'diagnose'

    @property
    def formatter_default(self):
        return 'report'

    def _load_formatter_plugins(self):
        plugins = super()._load_formatter_plugins()
        plugins.extensions.append(extension.Extension(
            'report', None, ReportFormatter, ReportFormatter()))
        return plugins
