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

"""The bootdoctor section of bootdoctor-api's Guru Meditation report.

Touching [oslo_reports] file_event_handler (see :mod:`bootdoctor.api.guru`)
writes the standard report plus this section: how the API authenticates,
which policy file it enforces, its database (URL without password,
whether it answers, schema revision), the responses this process has
given by status class, the page limits and whether /metrics is served.
Secrets are masked: the database URL is printed without its password,
and no error text shown holds it.
"""

import os

from oslo_reports.models import with_default_views
import sqlalchemy as sa

TITLE = 'bootdoctor api'
MASK = '***'
_state = {'app': None}
_registered = []


def register():
    """Add the section to this process's Guru Meditation report (once)."""
    from oslo_reports import guru_meditation_report as gmr
    if not _registered:
        gmr.TextGuruMeditation.register_section(TITLE, generator)
        _registered.append(True)


def attach(app):
    """The Flask application (from create_app) the report describes."""
    _state['app'] = app


def generator():
    return with_default_views.ModelWithDefaultViews(
        {'text': render(_state['app'])},
        text_view=lambda model: model['text'])


def render(app):
    """The section's text for the Flask application ``app``."""
    if app is None:
        return 'No bootdoctor-api application in this process.'
    conf = app.config['BOOTDOCTOR_CONF']
    lines = ['Process %d' % os.getpid()]
    _auth(lines, conf)
    _policy(lines, app.config['BOOTDOCTOR_ENFORCER'], conf)
    lines.append('Page limits: default_limit %d, max_limit %d' % (
        conf.api.default_limit, conf.api.max_limit))
    lines.append('Metrics (GET /metrics): %s' % (
        'enabled' if conf.api.metrics_enabled else
        'disabled ([api] metrics_enabled = false: 404)'))
    _requests(lines, app.config['BOOTDOCTOR_REQUEST_COUNTS'])
    _database(lines, app.config['BOOTDOCTOR_STORAGE'].db, conf)
    return '\n'.join(lines)


def _auth(lines, conf):
    if conf.api.auth_strategy == 'noauth':
        lines.append('Auth strategy: noauth (requests are NOT '
                     'authenticated: only for tests and demonstrations)')
    else:
        lines.append('Auth strategy: %s' % conf.api.auth_strategy)


def _policy(lines, enforcer, conf):
    try:
        # The policy file as it is now, not as last looked at.
        getattr(enforcer, 'load_rules_now', enforcer.load_rules)()
    except Exception as exc:  # noqa: a report must not fail
        lines.append('Policy file: %s cannot be read: %s' % (
            conf.oslo_policy.policy_file, exc))
        return
    if enforcer.policy_path:
        lines.append('Policy file: %s (%d rule(s) set by it; the other '
                     'rules are the defaults in code)' % (
                         enforcer.policy_path, len(enforcer.file_rules)))
    else:
        lines.append('Policy file: none (%s not found): the defaults in '
                     'code apply' % conf.oslo_policy.policy_file)


def _requests(lines, counts):
    snap = counts.snapshot()
    lines.append('Responses of this process since %s: %d' % (
        counts.started_at.isoformat(timespec='seconds'), snap['total']))
    lines.append('  ' + ', '.join('%s %d' % (key, value)
                                  for key, value in snap.items()
                                  if key != 'total'))


def _database(lines, connection, conf):
    lines.append('Database: %s' % connection.safe_url)
    try:
        current = connection.version()
    except Exception as exc:  # noqa: a report must not fail
        lines.append('  answers: no (%s)' % _masked(
            '%s: %s' % (type(exc).__name__, exc), conf))
        return
    head = connection.head()
    lines.append('  answers: yes')
    if current is None:
        lines.append('  schema: none; run "bootdoctor-manage db sync" '
                     '(newest known %s)' % head)
    else:
        lines.append('  schema revision: %s (%s)' % (
            current, 'current' if current == head else
            'the newest this code knows is %s' % head))


def _masked(text, conf):
    """``text`` without the database password, whatever the error said."""
    try:
        password = sa.engine.make_url(conf.database.connection).password
    except Exception:  # noqa: no parsable URL, no password to hide
        return text
    if password:
        text = text.replace(str(password), MASK)
    return text
