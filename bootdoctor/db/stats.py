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


"""Statistics over a time window of boots (by creation time).

Counts come from the boots columns and phase durations from boot_phases,
so no record JSON is read. PostgreSQL computes the percentiles itself
(percentile_cont); on SQLite and MySQL the durations of the window are
read in order and interpolated the same way. The phase duration
histograms of /metrics are counted by the database on all three: one
grouped query over the phase-first covering index, whatever the number
of boots.
"""

import collections
import math

import sqlalchemy as sa

from bootdoctor import catalogue
from bootdoctor.db import exceptions
from bootdoctor.db import models
from bootdoctor.db import types

B = models.boots
P = models.boot_phases

PERCENTILES = (('p50', 0.5), ('p95', 0.95), ('p99', 0.99))
# Upper bounds, in seconds, of the phase duration histogram buckets (a
# last bucket, +Inf, holds every duration). Scheduling takes well under a
# second; a cold image download before spawning can take half an hour.
HISTOGRAM_BOUNDS = (0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800)
GROUP_BY = ('host',)
UNKNOWN = 'unknown'


def percentile(sorted_values, fraction):
    """Linear interpolation between closest ranks (percentile_cont)."""
    if not sorted_values:
        return None
    rank = fraction * (len(sorted_values) - 1)
    low = math.floor(rank)
    high = math.ceil(rank)
    first, second = sorted_values[low], sorted_values[high]
    return first + (second - first) * (rank - low)


def _window(table, since, until, project_id):
    clauses = []
    if table is P:
        # Naming the phases lets the phase-first indexes return the rows
        # already grouped by phase.
        clauses.append(P.c.phase.in_(catalogue.PHASES))
    if since is not None:
        clauses.append(table.c.created_at >= types.to_utc(since))
    if until is not None:
        clauses.append(table.c.created_at < types.to_utc(until))
    if project_id is not None:
        clauses.append(table.c.project_id == project_id)
    return clauses


def _phase_order(name):
    phases = list(catalogue.PHASES)
    return (phases.index(name) if name in phases else len(phases), name)


def _phase_stats_sql(conn, clauses, group):
    """{group: {phase: {count, p50, p95, p99}}} computed by PostgreSQL."""
    keys = [P.c.host] if group else []
    columns = keys + [P.c.phase, sa.func.count().label('n')] + [
        sa.func.percentile_cont(fraction).within_group(
            P.c.duration_s).label(name)
        for name, fraction in PERCENTILES]
    # Phase first: the index returns rows in phase order already.
    query = sa.select(*columns).where(*clauses).group_by(P.c.phase, *keys)
    result = collections.defaultdict(dict)
    for row in conn.execute(query):
        entry = {'count': row.n}
        entry.update({name: float(getattr(row, name))
                      for name, _ in PERCENTILES})
        result[row.host if group else None][row.phase] = entry
    return result


def _phase_stats_python(conn, clauses, group):
    """The same as _phase_stats_sql, interpolated here."""
    keys = [P.c.host] if group else []
    query = (sa.select(*keys, P.c.phase, P.c.duration_s).where(*clauses)
             .order_by(*keys, P.c.phase, P.c.duration_s))
    durations = collections.defaultdict(list)
    for row in conn.execute(query):
        durations[(row.host if group else None, row.phase)].append(
            row.duration_s)
    result = collections.defaultdict(dict)
    for (host, phase), values in durations.items():
        entry = {'count': len(values)}
        entry.update({name: percentile(values, fraction)
                      for name, fraction in PERCENTILES})
        result[host][phase] = entry
    return result


def _ordered_phases(phases):
    return {name: phases[name] for name in sorted(phases, key=_phase_order)}


def _counted(counter, key_name):
    return [{key_name: key, 'count': count}
            for key, count in sorted(counter.items(),
                                     key=lambda kv: (-kv[1], str(kv[0])))]


def phase_histogram(conn, since=None, until=None, project_id=None,
                    bounds=HISTOGRAM_BOUNDS):
    """Cumulative histograms of the phase durations of a window's boots.

    ``{phase: {'buckets': [(bound, count), ...], 'count': n, 'sum': s}}``
    for every catalogue phase, in catalogue order (zeros for a phase with
    no duration in the window): each bucket counts the durations of at
    most ``bound`` seconds, ``count`` all of them (the +Inf bucket) and
    ``sum`` their total in seconds. The window is as for :func:`stats`.
    One query, grouped by phase, with one conditional count per bucket.
    """
    try:
        clauses = _window(P, since, until, project_id)
    except (TypeError, ValueError) as exc:
        raise exceptions.InvalidFilter('since/until', str(exc))
    bounds = tuple(sorted(float(b) for b in bounds))
    query = sa.select(
        P.c.phase, sa.func.count().label('n'),
        sa.func.sum(P.c.duration_s).label('total'),
        *[sa.func.sum(sa.case((P.c.duration_s <= bound, 1), else_=0))
          .label('le%d' % i) for i, bound in enumerate(bounds)],
    ).where(*clauses).group_by(P.c.phase)
    rows = {row.phase: row for row in conn.execute(query)}
    result = {}
    for phase in catalogue.PHASES:
        row = rows.get(phase)
        if row is None:
            result[phase] = {'buckets': [(b, 0) for b in bounds],
                             'count': 0, 'sum': 0.0}
            continue
        # MySQL sums integers as DECIMAL.
        result[phase] = {
            'buckets': [(b, int(getattr(row, 'le%d' % i) or 0))
                        for i, b in enumerate(bounds)],
            'count': int(row.n), 'sum': float(row.total or 0.0)}
    return result


def stats(conn, since=None, until=None, project_id=None, group_by=None,
          percentiles=True):
    """Counts, failures and phase durations of boots created in a window.

    The window is ``since <= created_at < until`` (either may be None).
    Failures are the boots with a root cause: status error or stuck.
    With ``group_by='host'`` the result also has ``groups``: the same
    counts and phases per boot host. With ``percentiles=False`` no
    phase duration is read and ``phases`` (and each group's) is empty.
    """
    if group_by is not None and group_by not in GROUP_BY:
        raise exceptions.InvalidFilter(
            'group_by', '%r is not one of %s' % (group_by,
                                                 ', '.join(GROUP_BY)))
    group = group_by == 'host'
    try:
        boot_window = _window(B, since, until, project_id)
        phase_window = _window(P, since, until, project_id)
    except (TypeError, ValueError) as exc:
        raise exceptions.InvalidFilter('since/until', str(exc))

    phase_stats = (_phase_stats_sql if conn.dialect.name == 'postgresql'
                   else _phase_stats_python)
    if percentiles and conn.dialect.name == 'postgresql':
        # Sorting a day of phase durations needs more than the default 4MB.
        conn.exec_driver_sql("SET LOCAL work_mem = '64MB'")
    by_status = collections.defaultdict(collections.Counter)
    keys = [B.c.host] if group else []
    # Naming every status lets the (status, created_at) and (project_id,
    # status, created_at) indexes answer from the index alone.
    query = (sa.select(*keys, B.c.status, sa.func.count().label('n'))
             .where(*boot_window, B.c.status.in_(models.BOOT_STATUSES))
             .group_by(*keys, B.c.status))
    for row in conn.execute(query):
        by_status[row.host if group else None][row.status] += row.n

    failures = {'by_step': collections.Counter(),
                'by_component': collections.Counter(),
                'by_host': collections.Counter()}
    query = (sa.select(B.c.failed_step, B.c.failed_component,
                       B.c.failed_host, sa.func.count().label('n'))
             .where(*boot_window, B.c.status.in_(models.FAILED_STATUSES))
             .group_by(B.c.failed_step, B.c.failed_component,
                       B.c.failed_host))
    for row in conn.execute(query):
        failures['by_step'][row.failed_step or UNKNOWN] += row.n
        failures['by_component'][row.failed_component or UNKNOWN] += row.n
        failures['by_host'][row.failed_host or UNKNOWN] += row.n

    phases = phase_stats(conn, phase_window, group) if percentiles else {}

    def status_counts(counter):
        return {status: counter.get(status, 0)
                for status in models.BOOT_STATUSES}

    totals = collections.Counter()
    for counter in by_status.values():
        totals.update(counter)
    if group and percentiles:
        # Overall percentiles need all durations, not per-host summaries.
        all_phases = phase_stats(conn, phase_window, False).get(None, {})
    else:
        all_phases = phases.get(None, {})
    result = {
        'since': types.to_utc(since).isoformat() if since else None,
        'until': types.to_utc(until).isoformat() if until else None,
        'project_id': project_id,
        'total': sum(totals.values()),
        'by_status': status_counts(totals),
        'failures': {
            'total': sum(failures['by_component'].values()),
            'by_step': _counted(failures['by_step'], 'step'),
            'by_component': _counted(failures['by_component'], 'component'),
            'by_host': _counted(failures['by_host'], 'host'),
        },
        'phases': _ordered_phases(all_phases),
    }
    if group:
        hosts = set(by_status) | set(phases)
        result['group_by'] = group_by
        result['groups'] = [
            {'host': host,
             'total': sum(by_status[host].values()),
             'by_status': status_counts(by_status[host]),
             'phases': _ordered_phases(phases.get(host, {}))}
            for host in sorted(hosts, key=lambda h: (h is None, h or ''))]
    return result
