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

"""Version 1 of the boot-diagnostics API: /v1/..."""

import flask

from bootdoctor.api.v1 import boots
from bootdoctor.api.v1 import stats
from bootdoctor.api.v1 import status
from bootdoctor.api.v1 import steps


def blueprint():
    bp = flask.Blueprint('v1', __name__, url_prefix='/v1')
    for module in (boots, steps, stats, status):
        module.register(bp)
    return bp
