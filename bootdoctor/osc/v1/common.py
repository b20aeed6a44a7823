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


"""Helpers shared by the ``openstack boot`` commands."""

import argparse
import datetime
import re

from bootdoctor.osc.v1 import columns

# bootdoctor.tracker.record.STATUSES, the API's status enumeration; kept
# here so the CLI does not load the record builder (a unit test holds the
# two equal).
STATUSES = ('building', 'active', 'error', 'stuck', 'deleted')
PHASES = columns.PHASE_ORDER

_RELATIVE = re.compile(r'^\s*(\d+)\s*([smhdw])\s*$')
_UNITS = {'s': 'seconds', 'm': 'minutes', 'h': 'hours', 'd': 'days',
          'w': 'weeks'}


def timestamp(value, *, now=None):
    """argparse type: an ISO 8601 time or an age such as 30m, 6h, 2d.

    Returns an ISO 8601 UTC string for the API.
    """
    match = _RELATIVE.match(value)
    if match:
        now = now or datetime.datetime.now(datetime.timezone.utc)
        delta = datetime.timedelta(**{_UNITS[match.group(2)]:
                                      int(match.group(1))})
        return _iso(now - delta)
    text = value.strip()
    if text.endswith(('Z', 'z')):
        text = text[:-1] + '+00:00'
    try:
        parsed = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            '%r is not an ISO 8601 time (2024-05-01T12:00:00Z) nor an age '
            '(30m, 6h, 2d)' % value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return _iso(parsed)


def _iso(moment):
    moment = moment.astimezone(datetime.timezone.utc)
    return moment.strftime('%Y-%m-%dT%H:%M:%SZ')


def positive_int(value):
    """argparse type: an integer of at least 1."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(
            '%r is not a positive integer' % value)
    return number


def positive_float(value):
    """argparse type: a number greater than 0."""
    try:
        number = float(value)
    except ValueError:
        number = 0
    if not number > 0:
        raise argparse.ArgumentTypeError(
            '%r is not a positive number' % value)
    return number


def add_server_argument(parser, verb):
    parser.add_argument(
        'server', metavar='<server>',
        help='Server whose boot to %s: its UUID, or its name (looked up '
             'in the compute API; it must match exactly one server)' % verb)
    parser.add_argument(
        '--all-projects', action='store_true', default=False,
        help='Look the server name up in every project, not only the '
             'current one, and read the boot record as an administrator '
             '(admin only)')
    return parser


def resolve(client, parsed_args):
    """The instance UUID named by ``parsed_args.server``."""
    return client.resolve_server(parsed_args.server,
                                 all_projects=parsed_args.all_projects)
