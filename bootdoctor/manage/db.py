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


"""bootdoctor-manage db sync | db version | purge --older-than DAYS.

All run on the configured ``[database] connection``.
"""

import argparse
import datetime

from bootdoctor.db import api as db_api
from bootdoctor.db import exceptions
from bootdoctor.manage import _format


def add_parsers(subparsers):
    parser = subparsers.add_parser(
        'db', help='Create, upgrade or inspect the bootdoctor database.')
    commands = parser.add_subparsers(title='db commands', dest='db_command',
                                     metavar='{sync,version}')
    commands.required = True
    sync = commands.add_parser(
        'sync', help='Create the schema, or upgrade it to the newest '
                     'revision. Safe to run again.')
    sync.set_defaults(func=sync_command)
    version = commands.add_parser(
        'version', help='Print the schema revision of the database.')
    version.set_defaults(func=version_command)

    purge = subparsers.add_parser(
        'purge', help='Delete boots last updated more than DAYS days ago, '
                      'with their notifications and observations, and '
                      'older rejected input.')
    purge.add_argument('--older-than', dest='older_than', type=positive,
                       required=True, metavar='DAYS',
                       help='Age in days (a positive integer).')
    purge.add_argument('--batch-size', dest='batch_size', type=positive,
                       default=1000, metavar='N',
                       help='Rows deleted per transaction (default '
                            '%(default)s).')
    purge.set_defaults(func=purge_command)


def positive(text):
    """argparse type: a positive integer."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError('%r is not a positive integer'
                                         % text)
    return value


def run(conf, action):
    """Run action(connection) on the configured database.

    Storage errors become a one-line message and exit code 2.
    """
    try:
        connection = db_api.get_connection(conf)
        try:
            return action(connection)
        finally:
            connection.close()
    except exceptions.NotInitialised as exc:
        _format.error(str(exc))
        return 2
    except exceptions.DBUnavailable as exc:
        _format.error('Cannot reach the database: %s' % exc.cause)
        return 2


def sync_command(conf):
    def sync(connection):
        before = connection.version()
        connection.upgrade()
        after = connection.version()
        if before == after:
            print('Database %s is at revision %s (newest).'
                  % (connection.safe_url, after))
        else:
            print('Database %s upgraded from %s to %s.'
                  % (connection.safe_url, before or 'empty', after))
        return 0
    return run(conf, sync)


def version_command(conf):
    def version(connection):
        current, head = connection.version(), connection.head()
        if current is None:
            print('none')
            _format.error('The database is empty: run "bootdoctor-manage db '
                          'sync".')
            return 1
        print(current)
        if current != head:
            _format.error('The newest revision is %s: run "bootdoctor-manage '
                          'db sync".' % head)
        return 0
    return run(conf, version)


def purge_command(conf):
    args = conf.command
    older_than = datetime.timedelta(days=args.older_than)

    def purge(connection):
        if connection.version() is None:
            raise exceptions.NotInitialised(connection.safe_url)
        counts = connection.purge(older_than, batch_size=args.batch_size)
        print('Purged what is older than %d days: %d boots, %d observations, '
              '%d notifications, %d rejections.'
              % (args.older_than, counts['boots'], counts['observations'],
                 counts['notifications'], counts['rejections']))
        return 0
    return run(conf, purge)
