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
"""Tables and PNG plots from the suite's JSON results (tools/bench/suite.py).

``write(results, rst_path)`` writes the plots into ``figures/`` beside the
page and returns reStructuredText fragments, one per section, which
tools/bench/suite.py puts between the markers of the page
(``.. bench:<section>:start`` and ``.. bench:<section>:end``), so the
prose around them stays as written.

    python tools/bench/suite_report.py bench-results.json [more.json ...] \\
        doc/source/admin/performance.rst

Given several results files, their sections are merged in order (a
section of a later file replaces the same section of an earlier one), so
runs made separately, one in the background for instance, make one page.
"""

import json
import os
import re
import sys


def _table(header, rows):
    cells = [[str(c) for c in header]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    rule = ' '.join('=' * w for w in widths)
    lines = [rule, ' '.join(c.ljust(w) for c, w in
                            zip(cells[0], widths)).rstrip(),
             rule]
    lines += [' '.join(c.ljust(w) for c, w in zip(row, widths)).rstrip()
              for row in cells[1:]]
    lines.append(rule)
    return '\n'.join(lines)


def _n(value, digits=0):
    if value is None:
        return 'n/a'
    return '{:,.{}f}'.format(value, digits)


def _command(section):
    return '::\n\n    %s\n' % section.get('command', '(unknown)')


def _plot(path, draw):
    import matplotlib
    matplotlib.use('Agg')
    from matplotlib import pyplot
    figure, axes = pyplot.subplots(figsize=(6.4, 3.6), dpi=100)
    draw(axes)
    figure.tight_layout()
    figure.savefig(path)
    pyplot.close(figure)


def machine(results):
    m = results.get('machine', {})
    return ('%s CPUs (%s), %s GiB of memory, load average %s when the last '
            'of the run; Python %s, Linux %s, SQLite %s, PostgreSQL %s, '
            'RabbitMQ %s. Other work shared the machine during the run, so '
            'the figures are lower bounds.\n' % (
                m.get('cpus'), m.get('cpu_model'), m.get('memory_gib'),
                ', '.join('%.2f' % x for x in
                          m.get('load_average_at_start') or ()),
                m.get('python'), m.get('kernel'), m.get('sqlite'),
                m.get('postgresql'), m.get('rabbitmq')))


def load(results):
    """When each section was measured and how loaded the machine was."""
    rows = []
    for name in sorted(results):
        section = results[name]
        if name == 'machine' or not isinstance(section, dict):
            continue
        average = section.get('load_average') or {}
        rows.append((name, str(section.get('measured_at', 'n/a'))[:16],
                     section.get('cpu_model', 'not recorded'),
                     _n(section.get('elapsed_s'), 0),
                     ', '.join('%.1f' % x for x in average.get('start', ()))
                     or 'not recorded',
                     ', '.join('%.1f' % x for x in average.get('end', ()))
                     or 'not recorded'))
    if not rows:
        return ''
    return '\n'.join([
        'The CPU each section ran on (the machine changes between runs: '
        'compare the ratios of one section, measured in one run, not rates '
        'across sections), and the load average (1, 5 and 15 minutes) at '
        'the start and the end of each section; on 2 CPUs, a load above 2 '
        'means the section shared them with other work:', '',
        _table(('section', 'ended at (UTC)', 'CPU', 'seconds',
                'load at start', 'load at end'), rows), ''])


INGEST_ROWS = (('bare', 'bare oslo.messaging batch listener, ack only'),
               ('sqlite', 'bootdoctor-collector, 1 worker, SQLite'),
               ('postgresql', 'bootdoctor-collector, 1 worker, PostgreSQL'),
               ('postgresql x2',
                'bootdoctor-collector, 2 workers, PostgreSQL'),
               ('ceilometer', 'ceilometer-agent-notification, event '
                              'pipeline, test:// publisher'))


def ingest(section, figures):
    if 'error' in section:
        return 'Not measured: %s\n' % section['error']
    rows, labels, rates = [], [], []
    for key, title in INGEST_ROWS:
        run = section.get(key) or {}
        memory = run.get('peak_rss_mib') or []
        drained = (section.get('sent') if key == 'bare'
                   else run.get('consumed'))
        rows.append((title, _n(drained), _n(run.get('rate')),
                     _n(run.get('ratio_to_bare'), 2) if key != 'bare'
                     else '1.00',
                     _n(memory[-1][1], 1) if memory else 'n/a'))
        if run.get('rate'):
            labels.append(key)
            rates.append(run['rate'])
    _plot(os.path.join(figures, 'ingest.png'), lambda ax: (
        ax.barh(labels[::-1], rates[::-1], color='tab:blue'),
        ax.set_xlabel('notifications per second (drain of one backlog)')))
    text = [_command(section),
            'Backlog: %s notifications.\n' % _n(section.get('sent')),
            _table(('consumer', 'drained', 'per second', 'ratio to bare',
                    'peak RSS MiB'), rows), '',
            '.. image:: figures/ingest.png', '']
    cpu_rows = []
    for key, title in INGEST_ROWS:
        cpu = (section.get(key) or {}).get('cpu')
        if cpu:
            cpu_rows.append((title, _n(cpu['consumer_us']),
                             _n(cpu['postgresql_us']),
                             _n(cpu['rabbitmq_us']), _n(cpu['total_us']),
                             _n(cpu['cpus_busy'], 2)))
    if cpu_rows:
        text += ['CPU per notification drained, in microseconds, from the '
                 'first message to the last (tools/bench/cpu_use.py: the '
                 "consumer's processes, every PostgreSQL process, "
                 "RabbitMQ's Erlang VM), and the CPUs busy on average:", '',
                 _table(('consumer', 'consumer us', 'PostgreSQL us',
                         'RabbitMQ us', 'total us', 'CPUs busy'),
                        cpu_rows), '']
    part_rows = []
    for key, title in INGEST_ROWS:
        cpu = (section.get(key) or {}).get('cpu') or {}
        if 'parsing_us' in cpu:
            part_rows.append((title, _n(cpu['parsing_us']),
                              _n(cpu['handling_us']),
                              _n(cpu['periodic_us']), _n(cpu['rest_us']),
                              _n(cpu['collecting_us'])
                              if 'collecting_us' in cpu else 'n/a'))
    if part_rows:
        text += ["The collector's own CPU per notification by part, as its "
                 'workers count it (their thread CPU, read from the line '
                 'each logs when it stops; the rest is the consumer figure '
                 'above less the parts: receiving and acknowledging); the '
                 "garbage collector's share is within the parts and the "
                 'rest:', '',
                 _table(('consumer', 'parsing us', 'handling us',
                         'periodic us', 'rest us', 'of which GC us'),
                        part_rows), '']
    best = one_process(section)
    if best:
        text += [best, '']
    return '\n'.join(text)


def one_process(section):
    """What one worker can reach at best, or None where not measured.

    From the bare listener's CPU per notification and the collector's
    processing alone, in process (``in_process``, cpu_bench.py): a worker
    receives as the bare listener does and processes as well, in one
    interpreter.
    """
    bare = ((section.get('bare') or {}).get('cpu') or {}).get('consumer_us')
    alone = section.get('in_process') or {}
    if alone.get('why'):
        return ("One worker at best: not measured; the collector's "
                'processing alone could not be timed in process (``%s``): '
                '%s.' % (alone['command'], alone['why']))
    if not bare or not alone.get('process_cpu_us'):
        return None
    floor = bare + alone['process_cpu_us']
    return ('One worker at best: the bare listener spends %s us of its CPU '
            'per notification receiving and acknowledging, and the '
            "collector's parsing and handling alone, in process with "
            'nothing to receive, take %s us (``%s``, in the same run). A '
            'worker does both in one interpreter: even if sharing it cost '
            'nothing, it would spend %s us per notification and, keeping '
            'its CPU as busy as the bare listener keeps its own, drain at '
            'most **%s of the bare rate**.' % (
                _n(bare), _n(alone['process_cpu_us']), alone['command'],
                _n(floor), _n(bare / floor, 2)))


def memory(section, figures):
    lines = []
    series = {}
    for key in ('sqlite', 'postgresql', 'postgresql x2', 'ceilometer'):
        samples = (section.get(key) or {}).get('peak_rss_mib') or []
        if samples:
            series[key] = samples
            lines.append((key, ', '.join('%s: %s' % (_n(c), m)
                                         for c, m in samples[::3] +
                                         samples[-1:])))
    if not series:
        return 'Not measured.\n'

    def draw(ax):
        for key, samples in series.items():
            ax.plot([c for c, _ in samples], [m for _, m in samples],
                    marker='o', label=key)
        ax.set_xlabel('notifications drained')
        ax.set_ylabel('peak RSS of the largest process, MiB')
        ax.set_ylim(bottom=0)
        ax.legend()
    _plot(os.path.join(figures, 'memory.png'), draw)
    return '\n'.join([_table(('consumer', 'drained: peak RSS MiB'), lines),
                      '', '.. image:: figures/memory.png', ''])


def memory_run(section, figures):
    """The ``memory`` section: the in-process drive (suite_memory.py)."""
    if 'error' in section:
        return 'Not measured: %s\n' % section['error']
    samples = section.get('samples') or []
    if len(samples) < 2:
        return 'Not measured: no samples.\n'

    def at(count):
        reached = [s for s in samples if s[0] >= count]
        return reached[0] if reached else None

    rows = []
    for mark in sorted({100000, 1000000, samples[-1][0]}):
        sample = at(mark)
        rows.append((_n(mark), _n(sample[1], 1) if sample else
                     'not reached', _n(sample[2], 1) if sample else 'n/a',
                     _n(sample[3], 0) if sample else 'n/a'))
    first = samples[1]

    def draw(ax):
        ax.plot([s[0] for s in samples], [s[1] for s in samples],
                marker='.', label='peak RSS (VmHWM)')
        ax.plot([s[0] for s in samples], [s[2] for s in samples],
                linestyle='--', label='RSS (VmRSS)')
        ax.set_xlabel('notifications processed')
        ax.set_ylabel('MiB')
        ax.set_ylim(bottom=0)
        ax.legend()
    _plot(os.path.join(figures, 'memory.png'), draw)
    stored = section.get('stored') or {}
    return '\n'.join([
        _command(section),
        'Method: %s. %s of %s planned notifications processed in %s s '
        '(%s per second), %s boots stored%s.\n' % (
            section.get('method', 'n/a'), _n(section.get('notifications')),
            _n(section.get('planned')), _n(section.get('seconds'), 0),
            _n(section.get('per_second'), 0), _n(stored.get('boots')),
            ', stopped by its time limit' if
            section.get('stopped_by_time_limit') else ''),
        _table(('notifications', 'peak RSS MiB', 'RSS MiB', 'seconds'),
               rows), '',
        'Peak RSS after the first %s notifications: %s MiB; after the '
        'last: %s MiB.\n' % (
            _n(first[0]), _n(first[1], 1), _n(samples[-1][1], 1)),
        '.. image:: figures/memory.png', ''])


def ceilometer_run(section):
    """The ``ceilometer`` section (suite_peer.py): one backlog, three."""
    if 'error' in section:
        return 'Not measured: %s\n' % section['error']
    run = section.get('ceilometer') or {}
    if not run.get('rate'):
        return 'Not measured in this run: %s\n' % (
            run.get('why') or '; '.join(run.get('log_tail') or ()) or
            'no rate')
    bare = (section.get('bare') or {}).get('rate')
    own = section.get('postgresql') or {}
    rows = [('bare oslo.messaging batch listener, ack only',
             _n(section.get('sent')), _n(bare), '1.00'),
            ('ceilometer-agent-notification %s, event pipeline, test:// '
             'publisher' % run.get('version', ''), _n(run.get('consumed')),
             _n(run['rate']), _n(run.get('ratio_to_bare'), 2)),
            ('bootdoctor-collector, 1 worker, PostgreSQL',
             _n(own.get('consumed')), _n(own.get('rate')),
             _n(own.get('ratio_to_bare'), 2))]
    return '\n'.join([
        _command(section),
        'Backlog: %s notifications; Ceilometer logged %s errors.\n' % (
            _n(section.get('sent')), _n(run.get('errors_logged'))),
        _table(('consumer', 'drained', 'per second', 'ratio to bare'), rows),
        '', 'bootdoctor / ceilometer: %s.\n' % _n(
            section.get('bootdoctor_to_ceilometer'), 2)])


def ceilometer(section):
    run = section.get('ceilometer') or {}
    if not run.get('rate'):
        return 'Not measured in this run: %s\n' % (
            run.get('why') or '; '.join(run.get('log_tail') or ()) or
            section.get('error', 'no rate'))
    rows = []
    for key in ('sqlite', 'postgresql', 'postgresql x2'):
        rate = (section.get(key) or {}).get('rate')
        rows.append(('bootdoctor-collector, %s' % key, _n(rate),
                     _n(rate / run['rate'], 2) if rate else 'n/a'))
    return '\n'.join([
        'ceilometer-agent-notification drained %s of %s notifications at '
        '%s per second (%s of the bare listener).\n' % (
            _n(run.get('consumed')), _n(run.get('expected')),
            _n(run['rate']), _n(run.get('ratio_to_bare'), 2)),
        _table(('consumer', 'per second', 'bootdoctor / ceilometer'), rows),
        ''])


def freshness(section):
    if 'error' in section:
        return 'Not measured: %s\n' % section['error']
    # One run per rate; older results files hold a single run.
    runs = section.get('runs') or [section]
    rows = [(run.get('queues', 'durable'), _n(run['rate']),
             _n(run['published_per_s'])
             if run.get('published_per_s') else 'not recorded',
             _n(run['sent']), '%.3f' % run['p50_s'], '%.3f' % run['p99_s'],
             _steady_cpu(run.get('cpu')))
            for run in runs]
    text = [_command(section)]
    if section.get('batch_timeout') is not None:
        workers = section.get('workers', 1)
        text.append('The collector ran with %d worker%s and its defaults '
                    '(``[collector] batch_timeout`` %s s).\n' % (
                        workers, '' if workers == 1 else 's',
                        section['batch_timeout']))
    text += [_table(('queues', 'rate asked', 'rate published', 'sent',
                     'p50 s', 'p99 s',
                     'CPU µs per notification: collector / PostgreSQL / '
                     'RabbitMQ (CPUs busy)'), rows), '']
    return '\n'.join(text)


def _steady_cpu(cpu):
    if not cpu:
        return 'not recorded'
    return '%.0f / %.0f / %.0f (%.2f)' % (
        cpu['consumer_us'], cpu['postgresql_us'], cpu['rabbitmq_us'],
        cpu['cpus_busy'])


AUTH = {'noauth': 'none (noauth)',
        'keystone': 'Keystone tokens through auth_token and its token cache'}
CLIENT = {'wsgi': 'the application called as a WSGI server calls it',
          'webtest': 'WebTest, with its lint checks'}


def query(section):
    if 'error' in section:
        return 'Not measured: %s\n' % section['error']
    rows = []
    for name, pair in (section.get('results') or {}).items():
        api, sql = pair['api'], pair['sql']
        if sql is None:
            # The stack floor: no query to compare with.
            rows.append((name, '%.2f' % api['p50'], '%.2f' % api['p99'],
                         'n/a', 'n/a', 'n/a', 'n/a'))
            continue
        rows.append((name, '%.2f' % api['p50'], '%.2f' % api['p99'],
                     '%.2f' % sql['p50'], '%.2f' % sql['p99'],
                     '%.2f' % (api['p50'] / sql['p50']),
                     '%.2f' % (api['p99'] / sql['p99'])))
    return '\n'.join([_command(section),
                      'Boots in PostgreSQL: %s. Authentication: %s. '
                      'Client: %s.\n' % (
                          _n(section.get('boots')), AUTH.get(
                              section.get('auth', 'noauth'),
                              section.get('auth')),
                          CLIENT[section.get('client', 'webtest')]),
                      _table(('request', 'API p50 ms', 'API p99 ms',
                              'SQL p50 ms', 'SQL p99 ms', 'p50 ratio',
                              'p99 ratio'), rows), ''])


def growth(section, figures):
    if 'error' in section:
        return 'Not measured: %s\n' % section['error']
    runs = section['runs']
    rows = [(_n(r['history_boots']), _n(r['history_notifications']),
             _n(r['database_mib'], 0), _n(r['notifications']),
             '%.1f' % r['seconds'], _n(r['per_second']),
             '%.0f' % (1e6 / r['per_second'])) for r in runs]

    def draw(ax):
        ax.plot([max(r['history_boots'], 1) for r in runs],
                [1e6 / r['per_second'] for r in runs], marker='o')
        ax.set_xscale('log')
        ax.set_xlabel('boots already stored (0 plotted at 1)')
        ax.set_ylabel('replay cost, us per notification')
        ax.set_ylim(bottom=0)
    _plot(os.path.join(figures, 'growth.png'), draw)
    skipped = ['- %s stored boots: not measured, %s.' % (
        _n(s['history_boots']), s['why']) for s in section.get('skipped', ())]
    return '\n'.join([_command(section),
                      'Store: %s.\n' % section.get('backend', 'sqlite'),
                      _table(('stored boots', 'stored notifications',
                              'database MiB', 'replayed', 'seconds',
                              'per second', 'us per notification'), rows),
                      ''] + (skipped + [''] if skipped else []) +
                     ['.. image:: figures/growth.png', ''])


def replay(section):
    if 'error' in section:
        return 'Not measured: %s\n' % section['error']
    rows = [(r['mode'], _n(r['notifications']), _n(r['boots']),
             '%.1f' % r['seconds'], _n(r['per_second']),
             '%.1f' % r['peak_rss_mib']) for r in section['results']]
    return '\n'.join([_command(section), _table(
        ('mode', 'notifications', 'boots', 'seconds', 'per second',
         'peak RSS MiB'), rows), '',
        'replay/parse ratio: %.3f.' % section['results'][1][
            'ratio_to_parse'], ''])


def fanout(section):
    if 'error' in section:
        return 'Not measured: %s\n' % section['error']
    lines = ['    ' + line for line in section['output']]
    return '\n'.join(['::', ''] + lines + [''])


def fragments(results, figures):
    out = {'machine': machine(results) + '\n' + load(results)}
    if 'ingest' in results:
        out['ingest'] = ingest(results['ingest'], figures)
        out['memory'] = memory(results['ingest'], figures)
        out['ceilometer'] = ceilometer(results['ingest'])
    # Sections of their own win over what the ingest section gives.
    if 'memory' in results:
        out['memory'] = memory_run(results['memory'], figures)
    if 'ceilometer' in results:
        out['ceilometer'] = ceilometer_run(results['ceilometer'])
    if 'freshness' in results:
        out['freshness'] = freshness(results['freshness'])
    if 'query' in results:
        out['query'] = query(results['query'])
    if 'growth' in results:
        out['growth'] = growth(results['growth'], figures)
    if 'fanout' in results:
        out['fanout'] = fanout(results['fanout'])
    if 'replay' in results:
        out['replay'] = replay(results['replay'])
    return out


def write(results, rst_path):
    figures = os.path.join(os.path.dirname(os.path.abspath(rst_path)),
                           'figures')
    os.makedirs(figures, exist_ok=True)
    with open(rst_path) as f:
        page = f.read()
    for name, text in fragments(results, figures).items():
        pattern = re.compile(
            r'(\.\. bench:%s:start\n)(.*?)(\.\. bench:%s:end\n)' % (
                name, name), re.S)
        if not pattern.search(page):
            print('the page has no markers for %s; skipped' % name)
            continue
        page = pattern.sub(lambda m: m.group(1) + '\n' + text + '\n' +
                           m.group(3), page)
    with open(rst_path, 'w') as f:
        f.write(page)


def merge(paths):
    """The sections of several results files, later files winning."""
    results = {}
    for path in paths:
        with open(path) as f:
            results.update(json.load(f))
    return results


if __name__ == '__main__':
    if len(sys.argv) < 3:
        sys.exit('usage: suite_report.py RESULTS.json [MORE.json ...] '
                 'PAGE.rst')
    write(merge(sys.argv[1:-1]), sys.argv[-1])
