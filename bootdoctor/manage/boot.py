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


"""bootdoctor-manage boot list | boot show UUID, from the database.

Records are read from the configured ``[database] connection``, as the
collector stored them; ``--format json`` prints ``{"boots": [...]}`` (the
same shape as ``replay``) or the one record.
"""

from bootdoctor import catalogue
from bootdoctor.db import exceptions
from bootdoctor.db import models
from bootdoctor.db import record_lists
from bootdoctor.manage import _format
from bootdoctor.manage import db as manage_db
from bootdoctor import report

DEFAULT_LIMIT = 50


def add_parsers(subparsers):
    parser = subparsers.add_parser(
        'boot', help='List or show the boots stored in the database.')
    commands = parser.add_subparsers(title='boot commands',
                                     dest='boot_command',
                                     metavar='{list,show}')
    commands.required = True

    listing = commands.add_parser(
        'list', help='List boots, newest first, with filters.')
    listing.add_argument('--status', action='append',
                         choices=models.BOOT_STATUSES,
                         help='Only boots in this status (repeatable).')
    listing.add_argument('--phase', action='append',
                         choices=catalogue.PHASES,
                         help='Only boots in, or failed or stuck in, this '
                              'phase (repeatable).')
    listing.add_argument('--host', help='Only boots on this compute host.')
    listing.add_argument('--failed-component', dest='failed_component',
                         help='Only boots whose root cause is in this '
                              'component (for example neutron).')
    listing.add_argument('--request-id', dest='request_id',
                         help='Only boots of this request.')
    listing.add_argument('--project-id', dest='project_id',
                         help='Only boots of this project.')
    listing.add_argument('--since', help='Only boots created at or after '
                                         'this ISO 8601 time.')
    listing.add_argument('--until', help='Only boots created before this '
                                         'ISO 8601 time.')
    listing.add_argument('--sort', default=record_lists.DEFAULT_SORT,
                         help='KEY[:asc|desc], KEY one of %s (default '
                              '%%(default)s).'
                              % ', '.join(record_lists.SORT_KEYS))
    listing.add_argument('--limit', type=manage_db.positive,
                         default=DEFAULT_LIMIT,
                         help='At most this many boots (default '
                              '%(default)s).')
    listing.add_argument('--marker', metavar='UUID',
                         help='Start after this boot (the last one of the '
                              'previous page).')
    _format.add_format_argument(listing)
    listing.set_defaults(func=list_command)

    show = commands.add_parser(
        'show', help='Show one boot: timeline, root cause and diagnosis.')
    show.add_argument('uuid', metavar='UUID', help='The instance UUID.')
    _format.add_format_argument(show)
    show.set_defaults(func=show_command)


def _filters(args):
    return {name: getattr(args, name) for name in record_lists.FILTERS
            if getattr(args, name, None) is not None}


def list_command(conf):
    args = conf.command

    def listing(connection):
        try:
            boots = connection.list_records(_filters(args), args.sort,
                                            args.limit, args.marker)
        except exceptions.InvalidFilter as exc:
            _format.error('boot list: %s' % exc)
            return 2
        if args.format == 'json':
            _format.print_json({'boots': boots})
            return 0
        _format.print_table([report.list_row(b) for b in boots],
                            report.LIST_COLUMNS)
        if len(boots) == args.limit:
            print('More boots: add --marker %s' % boots[-1]['instance_uuid'])
        return 0
    return manage_db.run(conf, listing)


def show_command(conf):
    args = conf.command

    def show(connection):
        record = connection.get_record(args.uuid)
        if record is None:
            _format.error('No boot %s in the database.' % args.uuid)
            return 1
        if args.format == 'json':
            _format.print_json(record)
        else:
            print(report.diagnosis_text(record))
        return 0
    return manage_db.run(conf, show)
