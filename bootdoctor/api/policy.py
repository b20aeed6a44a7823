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

import time

from oslo_config import cfg
from oslo_policy import policy

from bootdoctor.api import context as api_context
from bootdoctor.api import errors
from bootdoctor import policies


class Enforcer(policy.Enforcer):
    """An Enforcer that looks at the policy files at most every so often.

    oslo.policy's Enforcer calls :meth:`load_rules` before every check:
    it looks for the policy file in the configuration directories and
    compares its modification time (and each policy directory's) with
    the one it read. This one does that at most once every
    ``check_interval`` seconds, so a changed policy file still applies
    without a restart, within that time. A forced reload, and the first
    check after :meth:`clear` or a default's registration, always look.

    Between two looks, :meth:`decide` remembers its decisions: the
    rules cannot have changed, and a decision depends on nothing but the
    rule, the target and the credentials. Every look forgets them, so a
    decision is at most ``check_interval`` seconds old.

    :param check_interval: seconds; 0 looks before every check (and so
        remembers nothing).
    :param remembered: at most this many decisions are kept; past it
        they are all forgotten.
    """

    def __init__(self, conf, check_interval=0, clock=time.monotonic,
                 remembered=4096, **kwargs):
        super().__init__(conf, **kwargs)
        self.check_interval = check_interval
        self._clock = clock
        self._checked_at = None
        self._remembered = remembered
        self._decisions = {}

    def load_rules(self, force_reload=False):
        now = self._clock()
        if (not force_reload and self._checked_at is not None
                and now - self._checked_at < self.check_interval):
            return
        self._decisions = {}
        super().load_rules(force_reload)
        self._checked_at = now

    def set_rules(self, rules, overwrite=True, use_conf=False):
        self._decisions = {}
        super().set_rules(rules, overwrite=overwrite, use_conf=use_conf)

    def decide(self, action, target, context):
        """True if ``context`` may do ``action`` on ``target``.

        The same as ``authorize(..., do_raise=False)``, with a token of
        the wrong scope refused, remembered until the next look at the
        policy files.
        """
        self.load_rules()
        decisions = self._decisions
        try:
            key = (action, api_context.frozen(target),
                   _credentials(context))
            return decisions[key]
        except TypeError:
            key = None
        except KeyError:
            pass
        try:
            allowed = bool(self.authorize(action, target, context,
                                          do_raise=False))
        except policy.InvalidScope:
            allowed = False
        if key is not None:
            if len(decisions) >= self._remembered:
                decisions.clear()
            decisions[key] = allowed
        return allowed

    def load_rules_now(self):
        """Look at the policy files now, whatever the interval."""
        self._checked_at = None
        self.load_rules()

    def clear(self):
        super().clear()
        self._checked_at = None

    def register_default(self, default):
        super().register_default(default)
        self._checked_at = None


def _credentials(context):
    """The context's credentials as a key; bootdoctor's makes it once."""
    if isinstance(context, api_context.RequestContext):
        return context.policy_key()
    return api_context.frozen(context.to_policy_values())


def make_enforcer(conf, check_interval=0):
    """An Enforcer on ``conf`` with bootdoctor's defaults registered.

    :param check_interval: see :class:`Enforcer`.
    """
    enforcer = Enforcer(conf, check_interval=check_interval)
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
    return enforcer.decide(action, target, context)


def authorize(enforcer, context, action, target):
    """Raise Forbidden (403) unless ``context`` may do ``action``."""
    if not check(enforcer, context, action, target):
        raise errors.Forbidden('Policy does not allow %s.' % action)
