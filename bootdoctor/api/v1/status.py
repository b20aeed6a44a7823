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

"""/v1/status: collector liveness and deployment warnings."""

import flask
from oslo_utils import timeutils

from bootdoctor.api import params
from bootdoctor.api import visibility
from bootdoctor.db import types as db_types
from bootdoctor.policies import status as status_policies


def get_status():
    params.parse(flask.request.args, {})
    visibility.authorize(status_policies.GET,
                         visibility.context().project_id)
    storage = flask.current_app.config['BOOTDOCTOR_STORAGE']
    now = timeutils.utcnow(with_timezone=True)
    exchanges = []
    for beat in storage.heartbeats():
        entry = dict(beat)
        last = entry.get('last_message_at')
        entry['age_s'] = (round((now - db_types.to_utc(last))
                                .total_seconds(), 3) if last else None)
        exchanges.append(entry)
    return flask.jsonify({
        'checked_at': now.isoformat(),
        'exchanges': exchanges,
        'warnings': storage.findings(),
    })


def register(bp):
    bp.add_url_rule('/status', 'get_status', get_status, methods=['GET'])
