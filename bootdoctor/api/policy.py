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

"""Policy enforcement: one enforcer per configuration, one entry point.

Views call :func:`authorize` with the request context, a rule name from
:mod:`bootdoctor.policies` and a target (``{'project_id': ...}``).
``get_enforcer`` serves the oslopolicy-* tools through the
``oslo.policy.enforcer`` entry point.
"""

from oslo_config import cfg
from oslo_policy import policy

from bootdoctor.api import errors
from bootdoctor import policies


def make_enforcer(conf):
    """An Enforcer on ``conf`` with bootdoctor's defaults registered."""
    enforcer = policy.Enforcer(conf)
    enforcer.register_defaults(policies.list_rules())
    return enforcer


def get_enforcer():
    """The enforcer for oslopolicy-checker, -policy-generator and the like.

    It reads bootdoctor's default configuration files
    (/etc/bootdoctor/bootdoctor.conf), where [oslo_policy] policy_file may
    point at the deployment's overrides.
    """
    conf = cfg.ConfigOpts()
    conf([], project='bootdoctor')
    return make_enforcer(conf)


def check(enforcer, context, action, target):
    """True if ``context`` may do ``action`` on ``target``."""
    try:
        return enforcer.authorize(action, target, context, do_raise=False)
    except policy.InvalidScope:
        return False


def authorize(enforcer, context, action, target):
    """Raise Forbidden (403) unless ``context`` may do ``action``."""
    if not check(enforcer, context, action, target):
        raise errors.Forbidden('Policy does not allow %s.' % action)
