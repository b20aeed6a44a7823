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

"""Who may see what, for the views of the current request.

Rules come from :mod:`bootdoctor.policies`; the target of a rule is the
project that owns the boot. A boot with no project is visible only to
those whose rule does not depend on the project (administrators).
"""

import flask

from bootdoctor.api import errors
from bootdoctor.api import policy
from bootdoctor.db import listing

# Target project of a boot with no project_id: matches no token's project.
NO_PROJECT = '(none)'


def context():
    return flask.g.context


def target(project_id):
    return {'project_id': project_id or NO_PROJECT}


def allowed(action, project_id):
    enforcer = flask.current_app.config['BOOTDOCTOR_ENFORCER']
    return policy.check(enforcer, context(), action, target(project_id))


def authorize(action, project_id, parameter=None):
    """403 unless the caller may do ``action`` on ``project_id``'s data."""
    if not allowed(action, project_id):
        message = 'Policy does not allow %s.' % action
        if parameter:
            message = '%s: %s' % (parameter, message)
        raise errors.Forbidden(message, parameter)


def own_project():
    """The caller's project; 403 for a token with no project scope."""
    ctx = context()
    if not ctx.project_id or ctx.system_scope:
        raise errors.Forbidden('This request needs a project-scoped token.')
    return ctx.project_id


def strip_tracebacks(value):
    """A copy of ``value`` with every "traceback" set to null."""
    if isinstance(value, dict):
        return {key: (None if key == 'traceback' and item is not None
                      else strip_tracebacks(item))
                for key, item in value.items()}
    if isinstance(value, list):
        return [strip_tracebacks(item) for item in value]
    return value


# A boot record without tracebacks (its fault's and its attempts').
strip_record_tracebacks = listing.strip_record_tracebacks


class TracebackFilter:
    """Strips tracebacks unless the rule allows them, per project.

    ``strip`` is how: :func:`strip_record_tracebacks` for boot records,
    :func:`strip_tracebacks` (everywhere) for anything else.
    """

    def __init__(self, action, strip=strip_tracebacks):
        self.action = action
        self.strip = strip
        self._allowed = {}

    def __call__(self, value, project_id):
        if project_id not in self._allowed:
            self._allowed[project_id] = allowed(self.action, project_id)
        return value if self._allowed[project_id] else self.strip(value)
