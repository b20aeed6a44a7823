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


"""Raw notifications and the observations parsed from them.

Functions here take a SQLAlchemy connection inside a transaction; the
:class:`bootdoctor.db.api.Connection` methods open it.
"""

import sqlalchemy as sa

from bootdoctor.db import bulk
from bootdoctor.db import decoded
from bootdoctor.db import exceptions
from bootdoctor.db import models
from bootdoctor.db import types
from bootdoctor.db import validation
from bootdoctor import observation as bd_observation

N = models.notifications
OBS = models.observations
BOOTS = models.boots


def _split(parsed):
    """(raw message or None, its JSON text or None, observations) from a
    Parsed or Observation.
    """
    if isinstance(parsed, bd_observation.Observation):
        return None, None, (parsed,)
    try:
        return (parsed.message, getattr(parsed, 'message_json', None),
                tuple(parsed.observations))
    except AttributeError:
        raise exceptions.InvalidInput(
            'add_observations takes Parsed results or Observations, not %r'
            % type(parsed).__name__)


def _notification_row(message, observations, received_at, text=None):
    """The notifications row; ``text``: the message's JSON, if made."""
    if not isinstance(message, dict):
        raise exceptions.InvalidInput('a raw message must be a dict')
    first = observations[0] if observations else None
    message_id = message.get('message_id') or (first and first.message_id)
    if not message_id:
        raise exceptions.InvalidInput('a raw message needs a message_id')
    try:
        timestamp = types.to_utc(message.get('timestamp')
                                 or (first and first.timestamp)
                                 or received_at)
    except (TypeError, ValueError):
        raise exceptions.InvalidInput(
            'message %s: timestamp %r is not ISO 8601'
            % (message_id, message.get('timestamp')))
    row = {
        'message_id': message_id,
        'event_type': message.get('event_type') or (
            first.event_type if first else ''),
        'publisher_id': message.get('publisher_id'),
        'priority': message.get('priority'),
        'timestamp': timestamp,
        'received_at': received_at,
        'message': message if text is None else types.Encoded(text),
    }
    return validation.check_lengths(N, row, 'message %s' % message_id)


def _observation_row(obs):
    details = obs.details
    row = {
        'message_id': obs.message_id,
        'instance_uuid': obs.instance_uuid or models.NO_INSTANCE,
        'kind': obs.kind,
        'source': obs.source,
        'timestamp': obs.timestamp,
        'image_id': details.get('image_id'),
        'user_id': obs.user_id or details.get('receiver_user_id'),
        'project_id': obs.project_id or details.get('receiver_tenant_id'),
        'data': obs.to_dict(),
    }
    for key in ('image_id', 'user_id', 'project_id'):
        if row[key] is not None and not isinstance(row[key], str):
            row[key] = str(row[key])
    return validation.check_lengths(
        OBS, row,
        'message %s instance %s' % (obs.message_id, obs.instance_uuid))


def _existing(conn, column_names, table, message_ids):
    cols = [table.c[name] for name in column_names]
    found = set()
    for chunk in validation.chunks(sorted(message_ids)):
        rows = conn.execute(sa.select(*cols).where(
            table.c.message_id.in_(chunk)))
        found.update(tuple(row) if len(cols) > 1 else row[0]
                     for row in rows)
    return found


def add(conn, parsed_list, received_at):
    """Store new notifications and observations; return the new ones.

    Already stored keys are skipped. A concurrent writer storing the same
    key makes the insert fail with DBDuplicateEntry; the caller retries the
    whole transaction, which then sees the other writer's rows. Rows are
    inserted in key order so that two writers lock in the same order.
    """
    notes = {}
    new_obs = {}
    for parsed in parsed_list:
        message, text, observations = _split(parsed)
        for obs in observations:
            if not isinstance(obs, bd_observation.Observation):
                raise exceptions.InvalidInput(
                    'not an Observation: %r' % type(obs).__name__)
            row = _observation_row(obs)
            new_obs.setdefault((row['message_id'], row['instance_uuid']),
                               (row, obs))
        if message is not None:
            row = _notification_row(message, observations, received_at,
                                    text)
            notes.setdefault(row['message_id'], row)
    if not notes and not new_obs:
        return []

    known_notes = _existing(conn, ['message_id'], N, notes)
    note_rows = [notes[k] for k in sorted(notes) if k not in known_notes]
    known_obs = _existing(conn, ['message_id', 'instance_uuid'], OBS,
                          {k[0] for k in new_obs})
    obs_keys = sorted(k for k in new_obs if k not in known_obs)
    bulk.insert(conn, N, note_rows)
    bulk.insert(conn, OBS, [new_obs[k][0] for k in obs_keys])
    return sorted((new_obs[k][1] for k in obs_keys),
                  key=_sort_key)


# The stored JSON text of an observation, undecoded (bootdoctor.db.decoded
# decodes it, or finds it decoded already).
_TEXT = sa.type_coerce(OBS.c.data, sa.Text()).label('text')


def _sort_key(obs):
    return obs.sort_key()


def _observations(rows):
    return sorted((bd_observation.Observation.from_dict(row.data)
                   for row in rows), key=_sort_key)


def for_instance(conn, instance_uuid):
    """Every observation of one instance, in time order."""
    if not instance_uuid:
        raise exceptions.InvalidFilter('instance_uuid', 'must not be empty')
    return for_instances(conn, [instance_uuid])[instance_uuid]


def for_instances(conn, instance_uuids, cache=None):
    """Every observation of each instance: ``{uuid: [obs in time order]}``.

    One read per 500 instances; an instance with none maps to ``[]``.
    ``cache`` (:class:`bootdoctor.db.decoded.DecodedObservations`) saves
    decoding the rows it already holds; the rows are read all the same.
    """
    uuids = sorted(set(instance_uuids))
    if not all(uuids):
        raise exceptions.InvalidFilter('instance_uuid', 'must not be empty')
    found = {uuid: [] for uuid in uuids}
    for chunk in validation.chunks(uuids):
        for uuid, message_id, text in conn.execute(
                sa.select(OBS.c.instance_uuid, OBS.c.message_id, _TEXT)
                .where(OBS.c.instance_uuid.in_(chunk))):
            found[uuid].append(
                decoded.decode((message_id, uuid), text, cache))
    for observations in found.values():
        observations.sort(key=_sort_key)
    return found


def related_many(conn, windows, cache=None):
    """:func:`related` for many boots at once: ``{key: [obs]}``.

    ``windows`` maps a key (a boot) to its reads, ``[(image_ids, user_ids,
    since, until, kinds), ...]`` as :func:`related` takes them (since and
    until required). The reads of all boots are merged per key column into
    runs of overlapping time ranges, one query per run, and each boot then
    takes from the rows what its own reads would have returned; so the
    result is the same as calling :func:`related` for each boot, and the
    rows read are bounded by the union of the windows. ``cache`` as for
    :func:`for_instances`.
    """
    wanted = {column: [] for column in ('image_id', 'user_id')}
    for key, reads in windows.items():
        for images, users, since, until, kinds in reads:
            for column, values in (('image_id', images), ('user_id', users)):
                values = frozenset(v for v in values or () if v)
                if values:
                    wanted[column].append((since, until, values, kinds, key))
    found = {key: {} for key in windows}
    for column, reads in wanted.items():
        for run in _runs(reads):
            by_value = _read_run(conn, column, run)
            for since, until, values, kinds, key in run:
                for value in values:
                    for row in by_value.get(value, ()):
                        if (since <= row.timestamp <= until and
                                (kinds is None or row.kind in kinds)):
                            found[key][(row.message_id,
                                        row.instance_uuid)] = row
    result = {}
    for key, rows in found.items():
        result[key] = sorted(
            (decoded.decode(row_key, row.text, cache)
             for row_key, row in rows.items()), key=_sort_key)
    return result


def _runs(reads):
    """The reads grouped into runs whose time ranges overlap."""
    run, end = [], None
    for read in sorted(reads, key=lambda r: (r[0], r[1])):
        if run and read[0] > end:
            yield run
            run, end = [], None
        run.append(read)
        end = read[1] if end is None else max(end, read[1])
    if run:
        yield run


def _read_run(conn, column, run):
    """Rows with no instance naming a value of the run, by that value."""
    since = min(r[0] for r in run)
    until = max(r[1] for r in run)
    values = sorted(set().union(*(r[2] for r in run)))
    kinds = None
    if all(r[3] is not None for r in run):
        kinds = sorted(set().union(*(r[3] for r in run)))
    by_value = {}
    for chunk in validation.chunks(values):
        query = sa.select(OBS.c[column].label('value'), OBS.c.timestamp,
                          OBS.c.kind, OBS.c.message_id, OBS.c.instance_uuid,
                          _TEXT).where(
            OBS.c.instance_uuid == models.NO_INSTANCE,
            OBS.c[column].in_(chunk),
            OBS.c.timestamp >= since, OBS.c.timestamp <= until)
        if kinds is not None:
            query = query.where(OBS.c.kind.in_(kinds))
        for row in conn.execute(query):
            by_value.setdefault(row.value, []).append(row)
    return by_value


def related(conn, image_ids=(), user_ids=(), since=None, until=None,
            project_ids=None, kinds=None):
    """Observations with no instance that may belong to a boot.

    Those naming one of ``image_ids`` (Glance image.send) or ``user_ids``
    (Keystone authenticate, the receiving user of an image download),
    with a timestamp within [since, until] when given, a project in
    ``project_ids`` and a kind in ``kinds`` when given.
    """
    image_ids = sorted({i for i in image_ids or () if i})
    user_ids = sorted({u for u in user_ids or () if u})
    if not image_ids and not user_ids:
        return []
    result = []
    # One query per key kind, so that each reads one index range.
    for column, values in ((OBS.c.image_id, image_ids),
                           (OBS.c.user_id, user_ids)):
        for chunk in validation.chunks(values):
            query = sa.select(OBS.c.data).where(
                OBS.c.instance_uuid == models.NO_INSTANCE,
                column.in_(chunk))
            if since is not None:
                query = query.where(OBS.c.timestamp >= since)
            if until is not None:
                query = query.where(OBS.c.timestamp <= until)
            if project_ids is not None:
                query = query.where(OBS.c.project_id.in_(list(project_ids)))
            if kinds is not None:
                query = query.where(OBS.c.kind.in_(list(kinds)))
            result.extend(conn.execute(query))
    unique = {(row.data['message_id'], row.data.get('instance_uuid')): row
              for row in result}
    return _observations(unique.values())


def download_candidates(conn, image_id, project_id, at, window):
    """The boots that may have been spawning when ``image_id`` was sent to
    ``project_id`` at ``at`` (a Glance image.send).

    Boots of that image and project with an observation within ``window``
    of ``at``, less those whose stored record says they were created after
    ``at`` or had finished before it. A boot with no record yet is kept:
    its record may be being built while this runs.
    """
    return downloads_candidates(conn, [(image_id, project_id, at, window)])


# Downloads read per statement by downloads_candidates (SQLite allows 500
# terms in a compound SELECT).
DOWNLOADS_PER_READ = 50


def downloads_candidates(conn, downloads):
    """:func:`download_candidates` of many downloads, united.

    ``downloads`` holds ``(image_id, project_id, at, window)`` tuples. Up
    to DOWNLOADS_PER_READ of them are read in one statement, a UNION of
    one SELECT per download, so that each still reads its own index range
    and a batch's downloads cost one round trip, not one each.
    """
    downloads = sorted(set(downloads), key=lambda d: (
        d[0], d[1] or '', d[2], d[3]))
    found = set()
    for start in range(0, len(downloads), DOWNLOADS_PER_READ):
        queries = [_download_query(*d) for d in
                   downloads[start:start + DOWNLOADS_PER_READ]]
        query = queries[0] if len(queries) == 1 else sa.union(*queries)
        found.update(conn.execute(query).scalars())
    return found


def _download_query(image_id, project_id, at, window):
    query = (
        sa.select(OBS.c.instance_uuid).distinct()
        .select_from(OBS.outerjoin(
            BOOTS, BOOTS.c.instance_uuid == OBS.c.instance_uuid))
        .where(OBS.c.image_id == image_id,
               OBS.c.instance_uuid != models.NO_INSTANCE,
               OBS.c.timestamp >= at - window,
               OBS.c.timestamp <= at + window,
               sa.or_(BOOTS.c.instance_uuid.is_(None),
                      sa.and_(BOOTS.c.created_at <= at,
                              sa.or_(BOOTS.c.finished_at.is_(None),
                                     BOOTS.c.finished_at >= at)))))
    if project_id is not None:
        query = query.where(OBS.c.project_id == project_id)
    return query


def next_successful_authentication(conn, user_id, after, until):
    """When ``user_id`` next authenticated successfully after ``after``
    (up to ``until``), or None.
    """
    query = (sa.select(OBS.c.timestamp, OBS.c.data)
             .where(OBS.c.instance_uuid == models.NO_INSTANCE,
                    OBS.c.user_id == user_id,
                    OBS.c.kind == 'identity.authenticate',
                    OBS.c.timestamp > after,
                    OBS.c.timestamp <= until)
             .order_by(OBS.c.timestamp, OBS.c.message_id))
    for row in conn.execute(query.execution_options(yield_per=20)):
        if (row.data.get('details') or {}).get('outcome') == 'success':
            return row.timestamp
    return None


def authentication_candidates(conn, user_id, since, until):
    """The boots whose first observation naming ``user_id`` lies within
    [since, until]: those an authentication of that user at ``since`` may
    have given its token to.
    """
    earlier = OBS.alias('earlier')
    query = (
        sa.select(OBS.c.instance_uuid).distinct()
        .where(OBS.c.user_id == user_id,
               OBS.c.instance_uuid != models.NO_INSTANCE,
               OBS.c.timestamp >= since,
               OBS.c.timestamp <= until,
               ~sa.exists().where(
                   earlier.c.instance_uuid == OBS.c.instance_uuid,
                   earlier.c.user_id == user_id,
                   earlier.c.timestamp < since)))
    return set(conn.execute(query).scalars())


def events(conn, instance_uuid):
    """The raw notifications behind an instance's observations, in order."""
    query = (sa.select(N.c.message)
             .join(OBS, OBS.c.message_id == N.c.message_id)
             .where(OBS.c.instance_uuid == instance_uuid)
             .order_by(N.c.timestamp, N.c.message_id))
    return [row.message for row in conn.execute(query)]
