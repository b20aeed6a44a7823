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

"""/v1/stats: counts, failures and phase durations over a time window."""

import datetime

import flask
from oslo_utils import timeutils

from bootdoctor.api import params
from bootdoctor.api.v1 import boots
from bootdoctor.policies import stats as stats_policies

GROUP_BY = ('host',)

SPEC = {
    'since': params.timestamp,
    'until': params.timestamp,
    'group_by': lambda v, n: params.one_of(v, n, GROUP_BY),
    'project_id': params.identifier,
    'all_projects': params.boolean,
}


def window(args, conf):
    """(since, until): until defaults to now, since to until - window."""
    until = args.get('until') or timeutils.utcnow(with_timezone=True)
    since = args.get('since')
    if since is None:
        try:
            since = until - datetime.timedelta(
                seconds=conf.api.stats_default_window)
        except OverflowError:
            since = datetime.datetime.min.replace(
                tzinfo=datetime.timezone.utc)
    if since >= until:
        raise params.bad('until' if 'until' in args else 'since',
                         'the window must end after it starts')
    return since, until


def get_stats():
    conf = flask.current_app.config['BOOTDOCTOR_CONF']
    args = params.parse(flask.request.args, SPEC)
    project = boots.scope_filter(args, stats_policies.GET,
                                 stats_policies.GET_ALL_PROJECTS)
    since, until = window(args, conf)
    storage = flask.current_app.config['BOOTDOCTOR_STORAGE']
    return flask.jsonify(storage.stats(since, until, project,
                                       args.get('group_by')))


def register(bp):
    bp.add_url_rule('/stats', 'get_stats', get_stats, methods=['GET'])
