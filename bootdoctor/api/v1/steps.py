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

"""/v1/steps: the 29-step boot catalogue."""

import flask

from bootdoctor.api import params
from bootdoctor.api import visibility
from bootdoctor import catalogue
from bootdoctor.policies import steps as step_policies


def list_steps():
    params.parse(flask.request.args, {})
    visibility.authorize(step_policies.LIST,
                         visibility.context().project_id)
    return flask.jsonify({
        'phases': list(catalogue.PHASES),
        'steps': [step.to_dict() for step in catalogue.steps()],
    })


def register(bp):
    bp.add_url_rule('/steps', 'list_steps', list_steps, methods=['GET'])
