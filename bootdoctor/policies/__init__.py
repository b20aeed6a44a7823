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

"""bootdoctor's policy defaults, one module per resource, chained here.

Listed by the ``oslo.policy.policies`` entry point, so
``oslopolicy-sample-generator --namespace bootdoctor`` writes a sample
with every rule, its description and the API operations it guards.
"""

import itertools

from bootdoctor.policies import base
from bootdoctor.policies import boots
from bootdoctor.policies import events
from bootdoctor.policies import metrics
from bootdoctor.policies import stats
from bootdoctor.policies import status
from bootdoctor.policies import steps


def list_rules():
    return list(itertools.chain(
        base.list_rules(),
        boots.list_rules(),
        events.list_rules(),
        steps.list_rules(),
        stats.list_rules(),
        status.list_rules(),
        metrics.list_rules(),
    ))
