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

"""/metrics: boot metrics in the Prometheus text exposition format.

Served only when [api] metrics_enabled is true, to callers allowed by
bootdoctor:metrics:get. Every figure covers the boots created in the last
[api] stats_default_window seconds, counted by the database in one read
transaction of grouped, indexed queries (no duration is read out of it).
Because the window slides, every figure can go down between scrapes: the
histogram is read as it is, for example
``histogram_quantile(0.95, bootdoctor_boot_phase_duration_seconds_bucket)``,
not through rate():

- bootdoctor_boots{status}: boots by status;
- bootdoctor_boot_failures{component}: failed or stuck boots by the
  component of their root cause;
- bootdoctor_boot_phase_duration_seconds{phase}: a histogram of each
  phase's duration (cumulative _bucket{le} counts, _sum and _count), over
  fixed buckets from half a second to half an hour
  (bootdoctor.db.stats.HISTOGRAM_BOUNDS);
- bootdoctor_collector_last_message_timestamp_seconds{exchange} and
  bootdoctor_collector_messages_total{exchange}: collector liveness.
"""

import datetime

import flask
from oslo_utils import timeutils

from bootdoctor.api import errors
from bootdoctor.api import params
from bootdoctor.api import visibility
from bootdoctor.db import types as db_types
from bootdoctor.policies import metrics as metrics_policies

CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'


def escape(value):
    return (str(value).replace('\\', '\\\\').replace('"', '\\"')
            .replace('\n', '\\n'))


def bound(value):
    """A bucket bound as the le label: 0.5, 1, 1800 (as Go writes them)."""
    return '%g' % value


def number(value):
    if isinstance(value, bool):
        return '1' if value else '0'
    if isinstance(value, int):
        return str(value)
    return repr(float(value))


class Exposition:
    def __init__(self):
        self.lines = []

    def _sample(self, name, labels, value):
        label_text = ','.join('%s="%s"' % (k, escape(v)) for k, v in labels)
        self.lines.append('%s%s %s' % (
            name, '{%s}' % label_text if label_text else '', number(value)))

    def family(self, name, kind, help_text, samples):
        self.lines.append('# HELP %s %s' % (name, help_text))
        self.lines.append('# TYPE %s %s' % (name, kind))
        for labels, value in samples:
            if value is not None:
                self._sample(name, labels, value)

    def histogram(self, name, help_text, series):
        """series: (labels, [(bound, cumulative count)], count, sum)."""
        self.lines.append('# HELP %s %s' % (name, help_text))
        self.lines.append('# TYPE %s histogram' % name)
        for labels, buckets, count, total in series:
            labels = tuple(labels)
            for upper, n in buckets:
                self._sample(name + '_bucket',
                             labels + (('le', bound(upper)),), n)
            self._sample(name + '_bucket', labels + (('le', '+Inf'),),
                         count)
            self._sample(name + '_sum', labels, float(total))
            self._sample(name + '_count', labels, count)

    def text(self):
        return '\n'.join(self.lines) + '\n'


def render(stats, heartbeats, window_s):
    out = Exposition()
    out.family('bootdoctor_window_seconds', 'gauge',
               'Seconds of boot history the other bootdoctor_ metrics '
               'cover.', [((), window_s)])
    out.family('bootdoctor_boots', 'gauge',
               'Boots created in the window, by status.',
               [((('status', s),), n)
                for s, n in stats['by_status'].items()])
    out.family('bootdoctor_boot_failures', 'gauge',
               'Failed or stuck boots created in the window, by the '
               'component of their root cause.',
               [((('component', item['component']),), item['count'])
                for item in stats['failures']['by_component']])
    out.histogram('bootdoctor_boot_phase_duration_seconds',
                  'Phase durations of boots created in the window.',
                  [((('phase', phase),), entry['buckets'], entry['count'],
                    entry['sum'])
                   for phase, entry in stats['histograms'].items()])
    out.family('bootdoctor_collector_last_message_timestamp_seconds',
               'gauge', 'Time of the newest notification a collector '
               'stored from each exchange (Unix seconds).',
               [((('exchange', beat['exchange']),),
                 db_types.to_utc(beat['last_message_at']).timestamp())
                for beat in heartbeats if beat.get('last_message_at')])
    out.family('bootdoctor_collector_messages_total', 'counter',
               'Notifications the collectors received from each exchange.',
               [((('exchange', beat['exchange']),), beat.get('received'))
                for beat in heartbeats])
    return out.text()


def get_metrics():
    conf = flask.current_app.config['BOOTDOCTOR_CONF']
    if not conf.api.metrics_enabled:
        raise errors.NotFound('Metrics are disabled: set [api] '
                              'metrics_enabled = true to serve them.')
    params.parse(flask.request.args, {})
    visibility.authorize(metrics_policies.GET,
                         visibility.context().project_id)
    storage = flask.current_app.config['BOOTDOCTOR_STORAGE']
    window_s = conf.api.stats_default_window
    until = timeutils.utcnow(with_timezone=True)
    since = until - datetime.timedelta(seconds=window_s)
    # Every project's boots: the rule is for operators and the service.
    text = render(storage.metrics(since, until), storage.heartbeats(),
                  window_s)
    return flask.Response(text, status=200, content_type=CONTENT_TYPE)


def register(app):
    app.add_url_rule('/metrics', 'metrics', get_metrics, methods=['GET'])
