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

"""The API's view of storage: the few reads it makes, errors translated.

Views reach the database only through :class:`Storage`, which calls the
storage API (:mod:`bootdoctor.db.api`) and turns its errors into API
errors: a bad filter is a 400 naming the parameter, an unknown boot a
404, a database that is down or not yet created a 503.
"""

import contextlib

from bootdoctor.api import errors
from bootdoctor.db import exceptions as db_exc
from bootdoctor.db import record_lists


@contextlib.contextmanager
def translated():
    try:
        yield
    except db_exc.InvalidFilter as exc:
        raise errors.BadRequest('%s: %s' % (exc.parameter, exc.reason),
                                exc.parameter)
    except db_exc.NotFound as exc:
        raise errors.NotFound('No %s %s.' % (exc.what, exc.ident))
    except db_exc.NotInitialised:
        raise errors.ServiceUnavailable(
            'The database is not initialised; an operator must run '
            '"bootdoctor-manage db sync".')
    except db_exc.DBUnavailable:
        raise errors.ServiceUnavailable(
            'The database is unavailable; retry later.')


def lost_connection(exc):
    """True if ``exc`` (DBUnavailable) found a pooled connection gone.

    SQLAlchemy then invalidated the connection (and the pool), so the
    next checkout opens a new one.
    """
    cause = exc.__cause__
    inner = getattr(cause, 'inner_exception', cause)
    return bool(getattr(inner, 'connection_invalidated', False))


def _read(func, *args, **kwargs):
    """``func(*args, **kwargs)``, once more if its connection was lost.

    A connection the pool hands out without a ping
    ([api] database_ping_idle_time) may turn out closed by the server;
    a read is safe to repeat on the fresh connection that follows.
    """
    try:
        return func(*args, **kwargs)
    except db_exc.DBUnavailable as exc:
        if not lost_connection(exc):
            raise
    return func(*args, **kwargs)


class Storage:
    """Reads for the API over a :class:`bootdoctor.db.api.Connection`."""

    def __init__(self, connection):
        self.db = connection

    @classmethod
    def from_conf(cls, conf):
        from bootdoctor.db import api as db_api
        with translated():
            return cls(db_api.get_connection(
                conf, ping_idle=conf.api.database_ping_idle_time))

    def list_items(self, filters, sort, limit, marker, tracebacks):
        """List items as stored (bootdoctor.db.record_lists.LISTING).

        With ``tracebacks``, boots whose listing left tracebacks out come
        with their record too.
        """
        detail = (record_lists.LISTING_TRACEBACKS if tracebacks
                  else record_lists.LISTING)
        with translated():
            return _read(self.db.list_records, filters=filters,
                         sort=sort, limit=limit, marker=marker,
                         detail=detail)

    def get_boot(self, instance_uuid):
        """The record dict, or None."""
        with translated():
            return _read(self.db.get_record, instance_uuid)

    def get_stored_boot(self, instance_uuid):
        """The row of project_id, has_traceback and record text, or None."""
        with translated():
            return _read(self.db.get_stored_record, instance_uuid)

    def events(self, instance_uuid, raw=False):
        """The observations behind a boot, oldest first.

        Each is an observation dict (what parsing made of one
        notification for this instance); with ``raw`` it also has
        ``raw``: the notification as it was received.
        """
        with translated():
            observations = _read(self.db.observations_for, instance_uuid)
            messages = (_read(self.db.events_for, instance_uuid) if raw
                        else ())
        by_id = {m.get('message_id'): m for m in messages}
        result = []
        for observation in observations:
            data = observation.to_dict()
            if raw:
                data['raw'] = by_id.get(data.get('message_id'))
            result.append(data)
        result.sort(key=lambda e: (e.get('timestamp') or '',
                                   e.get('message_id') or ''))
        return result

    def stats(self, since, until, project_id, group_by):
        with translated():
            return _read(self.db.stats, since=since, until=until,
                         project_id=project_id, group_by=group_by)

    def metrics(self, since, until):
        """Counts and phase histograms of every project's boots."""
        with translated():
            return _read(self.db.metrics, since=since, until=until)

    def heartbeats(self):
        with translated():
            return _read(self.db.heartbeats)

    def findings(self):
        with translated():
            return _read(self.db.findings)
