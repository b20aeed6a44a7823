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


"""Lists of boot records: filters, sorting and keyset pagination.

The queries behind ``GET /v1/boots``, ``bootdoctor-manage boot list`` and
the stuck-boot search. Like :mod:`bootdoctor.db.records`, which saves and
reads one record, functions here take a SQLAlchemy connection inside a
transaction.
"""

import sqlalchemy as sa

from bootdoctor import catalogue
from bootdoctor.db import exceptions
from bootdoctor.db import models
from bootdoctor.db import records
from bootdoctor.db import statements
from bootdoctor.db import types

B = models.boots

SORT_KEYS = ('created_at', 'updated_at', 'duration_s')
SORT_DIRS = ('asc', 'desc')
DEFAULT_SORT = 'created_at:desc'
# list_'s details for the list items of GET /v1/boots: the record comes
# only for rows without a listing, or also for those with tracebacks.
LISTING = 'listing'
LISTING_TRACEBACKS = 'listing+tracebacks'
# The other details, as list_ names them inside.
RECORDS, RECORD_TEXT, SUMMARY = 'records', 'record text', 'summary'
# Filters list_records accepts; the ones that take several values too.
FILTERS = ('status', 'phase', 'host', 'failed_component', 'request_id',
           'project_id', 'since', 'until')
MULTI_FILTERS = ('status', 'phase', 'host', 'failed_component')
SUMMARY_COLUMNS = ('instance_uuid', 'project_id', 'user_id', 'request_id',
                   'status', 'phase', 'step', 'host', 'failed_step',
                   'failed_component', 'failed_host', 'created_at',
                   'updated_at', 'finished_at', 'duration_s')


def parse_sort(sort):
    """('created_at', 'desc') from 'created_at:desc', 'created_at', None."""
    text = sort or DEFAULT_SORT
    if not isinstance(text, str):
        raise exceptions.InvalidFilter('sort', 'must be a string')
    key, _, direction = text.partition(':')
    direction = direction or 'desc'
    if key not in SORT_KEYS:
        raise exceptions.InvalidFilter(
            'sort', 'unknown sort key %r; use one of %s'
            % (key, ', '.join(SORT_KEYS)))
    if direction not in SORT_DIRS:
        raise exceptions.InvalidFilter(
            'sort', 'unknown direction %r; use asc or desc' % direction)
    return key, direction


def _values(name, value, allowed=None):
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, (list, tuple, set, frozenset)) or not values:
        raise exceptions.InvalidFilter(name, 'needs a value')
    values = sorted(set(values))
    for item in values:
        if not isinstance(item, str) or not item:
            raise exceptions.InvalidFilter(name, 'needs a value')
        if allowed is not None and item not in allowed:
            raise exceptions.InvalidFilter(
                name, '%r is not one of %s' % (item, ', '.join(allowed)))
    return values


def parse_filters(filters):
    """(shape, values) of list_records' filters, validated.

    The shape names each filter given and how it compares: ``ge`` and
    ``lt`` (since and until), ``eq`` or ``in`` (several values); the
    values are the bind parameters of :func:`where`'s clauses.
    """
    allowed = {'status': models.BOOT_STATUSES, 'phase': catalogue.PHASES}
    if filters is not None and not isinstance(filters, dict):
        raise exceptions.InvalidFilter('filters', 'must be a mapping')
    shape, values = [], {}
    for name, value in sorted((filters or {}).items()):
        if value is None:
            continue
        if name not in FILTERS:
            raise exceptions.InvalidFilter(
                name, 'unknown filter; use one of %s' % ', '.join(FILTERS))
        if name in ('since', 'until'):
            try:
                values[name] = types.to_utc(value)
            except (TypeError, ValueError):
                raise exceptions.InvalidFilter(
                    name, '%r is not an ISO 8601 timestamp' % (value,))
            shape.append((name, 'ge' if name == 'since' else 'lt'))
        elif name in MULTI_FILTERS:
            given = _values(name, value, allowed.get(name))
            shape.append((name, 'eq' if len(given) == 1 else 'in'))
            values[name] = given[0] if len(given) == 1 else given
        else:
            shape.append((name, 'eq'))
            values[name] = _values(name, value)[0]
    return tuple(shape), values


def where(shape):
    """The WHERE clauses of a filter shape, one bind parameter each."""
    clauses = []
    for name, how in shape:
        col = B.c.created_at if how in ('ge', 'lt') else B.c[name]
        # Typed binds: an untyped datetime would compare as timestamptz
        # on PostgreSQL, shifted by the session time zone.
        bind = sa.bindparam(name, type_=col.type, expanding=how == 'in')
        if how == 'ge':
            clauses.append(col >= bind)
        elif how == 'lt':
            clauses.append(col < bind)
        elif how == 'in':
            clauses.append(col.in_(bind))
        else:
            clauses.append(col == bind)
    return clauses


def _after(col, ascending):
    """Rows after (:mark, :mark_uuid) in (col, instance_uuid) order."""
    uid = B.c.instance_uuid
    mark_bind = sa.bindparam('mark', type_=col.type)
    uuid_bind = sa.bindparam('mark_uuid', type_=uid.type)
    # The range on the first column alone lets every optimizer use the
    # index; the row comparison breaks ties by instance_uuid.
    if ascending:
        return sa.and_(col >= mark_bind, sa.tuple_(col, uid) > sa.tuple_(
            mark_bind, uuid_bind))
    return sa.and_(col <= mark_bind, sa.tuple_(col, uid) < sa.tuple_(
        mark_bind, uuid_bind))


def _page(conn, key, build, values, limit):
    """Rows of the statement ``build(limited)`` makes for ``key``."""
    limited = limit is not None

    def make():
        columns, clauses, order = build()
        query = sa.select(*columns).where(*clauses).order_by(*order)
        if limited:
            query = query.limit(sa.bindparam('limit', type_=sa.Integer()))
        return query
    query = statements.cached(key + (limited,), make)
    if limited:
        values = dict(values, limit=limit)
    # all(): one fetchall, not a fetchone per row.
    return conn.execute(query, values).all()


def _by_duration(conn, detail, shape, values, ascending, limit, marker_row):
    """Finished boots by duration, then unfinished ones by instance_uuid.

    Two index range scans on ix_boots_duration instead of one sort over
    every row: NULLs sort differently on each database, and an ORDER BY
    on an expression cannot use the index.
    """
    col, uid = B.c.duration_s, B.c.instance_uuid
    direction = sa.asc if ascending else sa.desc
    rows = []
    mark = marker_row['duration_s'] if marker_row is not None else None
    after = marker_row is not None
    if after:
        values = dict(values, mark=mark,
                      mark_uuid=marker_row['instance_uuid'])
    if not after or mark is not None:
        def finished():
            clauses = where(shape) + [col.isnot(None)]
            if after:
                clauses.append(_after(col, ascending))
            return (_columns(detail), clauses,
                    [direction(col), direction(uid)])
        rows = _page(conn, ('finished', detail, shape, ascending, after),
                     finished, values, limit)
    if limit is None or len(rows) < limit:
        after_null = after and mark is None

        def unfinished():
            clauses = where(shape) + [col.is_(None)]
            if after_null:
                bind = sa.bindparam('mark_uuid', type_=uid.type)
                clauses.append(uid > bind if ascending else uid < bind)
            return _columns(detail), clauses, [direction(uid)]
        rows += _page(conn, ('unfinished', detail, shape, ascending,
                             after_null), unfinished, values,
                      None if limit is None else limit - len(rows))
    return rows


def _marker_row(conn, key, marker, project):
    def make():
        query = sa.select(B.c.instance_uuid, B.c[key]).where(
            B.c.instance_uuid == sa.bindparam('marker'))
        if project is not None:
            query = query.where(
                B.c.project_id == sa.bindparam('project_id'))
        return query
    query = statements.cached(('marker', key, project is not None), make)
    row = conn.execute(query, {'marker': marker, 'project_id': project}
                       ).mappings().first()
    if row is None:
        raise exceptions.InvalidFilter('marker', 'no boot %s' % (marker,))
    return row


def list_(conn, filters=None, sort=None, limit=None, marker=None,
          detail=True, decode=True):
    """Records (or summaries, or list items) matching ``filters``, one page.

    With ``detail`` LISTING, each is a named tuple of instance_uuid,
    project_id, listing (the stored list item's JSON text, tracebacks
    null), has_traceback, and record (the record's JSON text, only where
    listing is NULL: rows stored before the column existed);
    LISTING_TRACEBACKS sends the record of boots with tracebacks too.

    ``marker`` is the instance_uuid of the last item of the previous page;
    it must match the same filters' project. ``limit`` None means all.
    Unfinished boots (no duration) come last when sorting by duration_s,
    in either direction. With ``decode`` False, records are the stored
    JSON text, for a caller that passes them on unchanged.
    """
    key, direction = parse_sort(sort)
    shape, values = parse_filters(filters)
    if limit is not None and (isinstance(limit, bool)
                              or not isinstance(limit, int) or limit < 1):
        raise exceptions.InvalidFilter('limit', 'must be a positive integer')
    marker_row = None
    if marker is not None:
        marker_row = _marker_row(conn, key, marker,
                                 (filters or {}).get('project_id'))
    if detail not in (LISTING, LISTING_TRACEBACKS):
        detail = (RECORDS if decode else RECORD_TEXT) if detail else SUMMARY
    ascending = direction == 'asc'
    if key == 'duration_s':
        rows = _by_duration(conn, detail, shape, values, ascending, limit,
                            marker_row)
    else:
        after = marker_row is not None
        if after:
            values = dict(values, mark=marker_row[key],
                          mark_uuid=marker_row['instance_uuid'])

        def build():
            col, uid = B.c[key], B.c.instance_uuid
            clauses = where(shape)
            if after:
                clauses.append(_after(col, ascending))
            order = ([col.asc(), uid.asc()] if ascending
                     else [col.desc(), uid.desc()])
            return _columns(detail), clauses, order
        rows = _page(conn, ('page', detail, shape, key, ascending, after),
                     build, values, limit)
    if detail in (LISTING, LISTING_TRACEBACKS):
        # Named tuples: a dict of each row cost 10 us of a 6 ms page.
        return rows
    if detail != SUMMARY:
        return [row.record for row in rows]
    return [summary(row._mapping) for row in rows]


def _columns(detail):
    if detail in (LISTING, LISTING_TRACEBACKS):
        return _listing_columns(detail == LISTING_TRACEBACKS)
    if detail == SUMMARY:
        return [B.c[c] for c in SUMMARY_COLUMNS]
    return [records.record_column(detail == RECORDS)]


def _listing_columns(tracebacks):
    text = sa.Text()
    # Rows stored before the listing column send their record, and with
    # ``tracebacks`` those whose tracebacks the listing left out.
    needed = B.c.listing.is_(None)
    if tracebacks:
        needed = sa.or_(needed, B.c.has_traceback.is_(True))
    return [B.c.instance_uuid, B.c.project_id,
            sa.type_coerce(B.c.listing, text).label('listing'),
            B.c.has_traceback,
            sa.case((needed, sa.type_coerce(B.c.record, text)),
                    else_=sa.null()).label('record')]


def summary(mapping):
    """A summary dict of a boots row: the record's top-level scalars."""
    result = {}
    for name in SUMMARY_COLUMNS:
        value = mapping[name]
        if name.endswith('_at') and value is not None:
            value = value.isoformat()
        result[name] = value
    return result


def stale_building(conn, now, min_age=None, limit=None):
    """Records of boots still building, not updated since a cutoff.

    The cutoff is ``now - min_age`` (``min_age`` a timedelta, none by
    default). The tracker decides which of them are stuck; this only finds the
    candidates, oldest update first.
    """
    cutoff = types.to_utc(now)
    if min_age is not None:
        cutoff -= min_age
    query = sa.select(B.c.record).where(B.c.status == 'building',
                                        B.c.updated_at <= cutoff)
    query = query.order_by(B.c.updated_at, B.c.instance_uuid)
    if limit is not None:
        query = query.limit(limit)
    return [row.record for row in conn.execute(query)]


def unannounced_failures(conn, now, grace, window, limit=None):
    """Records of failed boots no ``bootdoctor.boot.failed`` was sent for.

    Those whose last update is older than ``grace`` and newer than
    ``window`` (timedeltas before ``now``), oldest update first: the
    collector holds a failure back until it says where the boot failed,
    and sends it anyway once the grace is over (see
    :mod:`bootdoctor.collector.emitter`). Older failures are left alone.
    """
    now = types.to_utc(now)
    E = models.emitted
    query = (sa.select(B.c.record)
             .select_from(B.outerjoin(E, sa.and_(
                 E.c.instance_uuid == B.c.instance_uuid,
                 E.c.state == 'error')))
             .where(B.c.status == 'error', E.c.instance_uuid.is_(None),
                    B.c.updated_at <= now - grace,
                    B.c.updated_at > now - window)
             .order_by(B.c.updated_at, B.c.instance_uuid))
    if limit is not None:
        query = query.limit(limit)
    return [row.record for row in conn.execute(query)]
