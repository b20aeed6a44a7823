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

"""bootdoctor-manage replay: notifications from files through the tracker."""

import datetime
import json
import os
import sys

from oslo_log import log
from sqlalchemy.engine import url as sa_url
from sqlalchemy import exc as sa_exc

from bootdoctor.conf import tracker as tracker_conf
from bootdoctor.db import api as db_api
from bootdoctor.db import exceptions as db_exceptions
from bootdoctor import notification
from bootdoctor import pipeline
from bootdoctor import report

LOG = log.getLogger(__name__)
BUNDLED = os.path.join(os.path.dirname(os.path.dirname(__file__)), 'data',
                       'streams')


def bundled_streams():
    """The recorded Nova boot streams shipped with bootdoctor."""
    return sorted(os.path.join(BUNDLED, name) for name in os.listdir(BUNDLED)
                  if name.endswith('.jsonl'))


def add_parsers(subparsers):
    parser = subparsers.add_parser(
        'replay',
        help='Replay notification files (JSON Lines or JSON arrays, any '
             'wire shape) through the tracker and print the boots.')
    parser.add_argument('files', nargs='*', metavar='FILE',
                        help='Files to replay. With none, and with '
                             '--bundled, the recorded Nova streams shipped '
                             'with bootdoctor.')
    parser.add_argument('--bundled', action='store_true',
                        help='Replay the recorded Nova boot streams shipped '
                             'with bootdoctor.')
    parser.add_argument('--format', choices=('table', 'json'),
                        default='table', help='Output format.')
    parser.add_argument('--now', metavar='TIMESTAMP',
                        help='The clock for stuck detection (ISO 8601). '
                             'Default: the newest notification\'s time.')
    parser.add_argument('--db', metavar='URL',
                        help='Store into this database (SQLAlchemy URL) '
                             'instead of an in-memory one.')
    parser.add_argument('--diagnose-all', action='store_true',
                        help='With the table format, print the diagnosis '
                             'of every boot, not only of the failed and '
                             'stuck ones (an active boot\'s shows its '
                             'attempts, for example after a reschedule).')
    parser.add_argument('--strict', action='store_true',
                        help='Exit non-zero if any input was rejected.')
    parser.set_defaults(func=replay_command)


def parse_time(text):
    """An ISO 8601 time; naive times are UTC."""
    value = datetime.datetime.fromisoformat(text.replace('Z', '+00:00'))
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value


def _utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


class Replay(object):
    """Reads files, stores observations and builds the records.

    ``clock`` gives the time a message is read; one dated too far after
    it (a broken clock) is rejected.
    """

    def __init__(self, connection, batch_size=500, clock=_utcnow):
        self.connection = connection
        self.batch_size = batch_size
        self.clock = clock
        self.rejected = []
        self.newest = None
        self.received = 0
        self.duplicates = 0
        self.instances = set()
        self._batch = []

    def feed_file(self, path):
        for line, item in notification.read_messages(path):
            self.feed(item, '%s:%s' % (path, line))
        self.flush()

    def feed(self, item, where):
        """One message (a dict, or the ParseError reading it gave)."""
        self.received += 1
        if isinstance(item, notification.ParseError):
            self._reject(where, item, None)
            return
        try:
            parsed = notification.parse(item, received_at=self.clock())
        except notification.ParseError as error:
            self._reject(where, error, item)
            return
        self._batch.append((where, parsed))
        if len(self._batch) >= self.batch_size:
            self.flush()

    def flush(self):
        batch, self._batch = self._batch, []
        if not batch:
            return
        try:
            stored = self._store([parsed for _, parsed in batch])
        except db_exceptions.InvalidInput:
            # One message storage refuses must not take the good ones
            # batched with it down: store them one at a time.
            stored, kept = set(), []
            for where, parsed in batch:
                try:
                    stored |= self._store([parsed])
                except db_exceptions.InvalidInput as exc:
                    self._reject(where, notification.ParseError(
                        'refused by storage: %s' % exc, parsed.message_id),
                        parsed.message)
                    continue
                kept.append((where, parsed))
            batch = kept
        for _, parsed in batch:
            if parsed.observations and not any(
                    o.key in stored for o in parsed.observations):
                self.duplicates += 1
            for obs in parsed.observations:
                if self.newest is None or obs.timestamp > self.newest:
                    self.newest = obs.timestamp
        self.instances |= pipeline.affected(
            self.connection,
            [o for _, parsed in batch for o in parsed.observations])

    def _store(self, parsed_list):
        return {o.key for o in self.connection.add_observations(parsed_list)}

    def _reject(self, where, error, raw):
        self.rejected.append({'where': where, 'reason': error.reason,
                              'message_id': error.message_id})
        LOG.warning('Rejected %s: %s', where, error.reason)
        self.connection.add_rejection(
            error.reason, _raw_text(raw), message_id=error.message_id,
            source=where)

    def records(self, now, deadlines):
        return pipeline.rebuild(self.connection, self.instances, now=now,
                                deadlines=deadlines)


def _raw_text(raw):
    if raw is None:
        return None
    try:
        return json.dumps(raw)
    except (TypeError, ValueError):
        return repr(raw)


def _run(url, files):
    connection = db_api.Connection(url)
    connection.upgrade()
    run = Replay(connection)
    for path in files:
        run.feed_file(path)
    return run


def _safe_url(url):
    try:
        return sa_url.make_url(url).render_as_string(hide_password=True)
    except sa_exc.ArgumentError:
        return '(not a database URL)'


def replay_command(conf):
    args = conf.command
    files = list(args.files)
    if args.bundled or not files:
        files += bundled_streams()
    for path in files:
        if not os.path.isfile(path):
            print('replay: no such file: %s' % path, file=sys.stderr)
            return 2
    try:
        now = parse_time(args.now) if args.now else None
    except ValueError:
        print('replay: --now is not an ISO 8601 time: %s' % args.now,
              file=sys.stderr)
        return 2
    url = args.db or 'sqlite://'
    try:
        run = _run(url, files)
        records = [r.to_dict() for r in run.records(
            now or run.newest, tracker_conf.deadlines(conf))]
    except (db_exceptions.StorageError, sa_exc.ArgumentError) as exc:
        print('replay: cannot use the database %s: %s'
              % (_safe_url(url), exc), file=sys.stderr)
        return 2
    if args.format == 'json':
        print(json.dumps({'boots': records}, indent=2, sort_keys=True))
    else:
        print(report.boots_table(records))
        for record in records:
            if args.diagnose_all or record['status'] in ('error', 'stuck'):
                print()
                print(report.diagnosis_text(record))
    print('%d notifications read, %d duplicates, %d rejected, %d boots'
          % (run.received, run.duplicates, len(run.rejected), len(records)),
          file=sys.stderr)
    for item in run.rejected:
        print('rejected %s: %s' % (item['where'], item['reason']),
              file=sys.stderr)
    if args.strict and run.rejected:
        return 1
    return 0
