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

"""/v1/boots: boot records, one boot, and the events behind it."""

import json
from urllib import parse

import flask

from bootdoctor.api import errors
from bootdoctor.api import params
from bootdoctor.api import visibility
from bootdoctor import catalogue
from bootdoctor.db import listing
from bootdoctor.db import record_lists
from bootdoctor.policies import boots as boot_policies
from bootdoctor.policies import events as event_policies
from bootdoctor.tracker import record as tracker_record

SORT_KEYS = record_lists.SORT_KEYS
# A list shows each record without its 29-step timeline and diagnosis
# (bootdoctor.db.listing); GET /v1/boots/{instance_uuid} gives the whole
# record.
MULTI = ('status', 'phase', 'host', 'failed_component')


def _list_spec(conf):
    return {
        'status': lambda v, n: params.choices(v, n,
                                              tracker_record.STATUSES),
        'phase': lambda v, n: params.choices(v, n, catalogue.PHASES),
        'host': params.hosts,
        'failed_component': lambda v, n: params.choices(
            v, n, tuple(catalogue.components())),
        'request_id': params.request_id,
        'project_id': params.identifier,
        'since': params.timestamp,
        'until': params.timestamp,
        'sort': lambda v, n: params.sort(v, n, SORT_KEYS),
        'limit': lambda v, n: params.integer(v, n, 1, conf.api.max_limit),
        'marker': params.instance_uuid,
        'all_projects': params.boolean,
    }


SCOPE_SPEC = {'all_projects': params.boolean}


def _conf():
    return flask.current_app.config['BOOTDOCTOR_CONF']


def _storage():
    return flask.current_app.config['BOOTDOCTOR_STORAGE']


def scope_filter(args, list_action, all_action):
    """The project_id to filter on (None: every project), authorized."""
    own = visibility.context().project_id
    visibility.authorize(list_action, own)
    requested = args.get('project_id')
    if args.get('all_projects'):
        visibility.authorize(all_action, requested or own, 'all_projects')
        return requested
    if requested is not None and requested != own:
        visibility.authorize(all_action, requested, 'project_id')
        return requested
    return visibility.own_project()


def list_boots():
    conf = _conf()
    args = params.parse(flask.request.args, _list_spec(conf), MULTI)
    project = scope_filter(args, boot_policies.LIST,
                           boot_policies.LIST_ALL_PROJECTS)
    if ('since' in args and 'until' in args
            and args['since'] >= args['until']):
        raise params.bad('until', 'must be later than since')
    limit = min(args.get('limit', conf.api.default_limit),
                conf.api.max_limit)
    filters = {name: args[name] for name in
               ('status', 'phase', 'host', 'failed_component', 'request_id',
                'since', 'until') if name in args}
    filters['project_id'] = project
    # A caller never allowed tracebacks in the project listed needs no
    # record: the stored list items already have them null.
    tracebacks = visibility.TracebackFilter(
        boot_policies.TRACEBACK, visibility.strip_record_tracebacks)
    rows = _storage().list_items(
        filters, args.get('sort'), limit + 1, args.get('marker'),
        tracebacks=project is None or visibility.allowed(
            boot_policies.TRACEBACK, project))
    more = len(rows) > limit
    rows = rows[:limit]
    encode = flask.current_app.json.dumps
    # Rows unpacked in their order (record_lists.list_), not read by
    # name: a Row's attribute costs ten times a tuple's item, 0.1 ms
    # over a page of 100.
    items = [stored if record is None
             else _item_text(record, project_id, tracebacks, encode)
             for _uuid, project_id, stored, _tb, record in rows]
    links = []
    if more and rows:
        links.append({'rel': 'next', 'href': _next_href(
            limit, rows[-1].instance_uuid)})
    # The stored items are JSON already: joined, not decoded and encoded.
    body = '{"boots":[%s],"links":%s}\n' % (','.join(items), encode(links))
    return flask.Response(body, mimetype='application/json')


def _item_text(record, project_id, tracebacks, encode):
    """The JSON of one list item made from its stored record.

    For rows whose stored list item does not serve: stored before the
    listing column, or with tracebacks the caller may see.
    """
    item = listing.full_item(json.loads(record))
    return encode(tracebacks(item, project_id))


def _next_href(limit, marker):
    query = [(k, v) for k, v in flask.request.args.items(multi=True)
             if k not in ('limit', 'marker')]
    query += [('limit', str(limit)), ('marker', marker)]
    return '%s?%s' % (flask.request.base_url, parse.urlencode(query))


def visible_record(instance_uuid, action):
    """The record if the caller may read it; 404 otherwise, either way."""
    uuid = params.instance_uuid(instance_uuid)
    params.parse(flask.request.args, SCOPE_SPEC)
    record = _storage().get_boot(uuid)
    if record is None or not visibility.allowed(action,
                                                record.get('project_id')):
        raise errors.NotFound('No boot record for instance %s.' % uuid)
    return uuid, record


def show_boot(instance_uuid):
    uuid = params.instance_uuid(instance_uuid)
    params.parse(flask.request.args, SCOPE_SPEC)
    row = _storage().get_stored_boot(uuid)
    if row is None or not visibility.allowed(boot_policies.GET,
                                             row.project_id):
        raise errors.NotFound('No boot record for instance %s.' % uuid)
    if row.has_traceback is False or visibility.allowed(
            boot_policies.TRACEBACK, row.project_id):
        # As stored: not decoded and encoded again.
        return flask.Response(row.record + '\n',
                              mimetype='application/json')
    record = visibility.strip_record_tracebacks(json.loads(row.record))
    return flask.jsonify(record)


def list_events(instance_uuid):
    uuid, record = visible_record(instance_uuid, boot_policies.GET)
    project = record.get('project_id')
    visibility.authorize(event_policies.LIST, project)
    raw = visibility.allowed(event_policies.PAYLOAD, project)
    events = _storage().events(uuid, raw=raw)
    tracebacks = visibility.TracebackFilter(boot_policies.TRACEBACK)
    return flask.jsonify({'instance_uuid': uuid,
                          'events': tracebacks(events, project)})


def register(bp):
    bp.add_url_rule('/boots', 'list_boots', list_boots, methods=['GET'])
    bp.add_url_rule('/boots/<instance_uuid>', 'show_boot', show_boot,
                    methods=['GET'])
    bp.add_url_rule('/boots/<instance_uuid>/events', 'list_events',
                    list_events, methods=['GET'])
