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

"""The benchmark suite's report, memory batching and peer checks."""

import importlib.util
import json
import os
import sys

import pytest

import bootdoctor
from bootdoctor.conf import collector as collector_conf

BENCH = os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(bootdoctor.__file__))), 'tools', 'bench')
sys.path.insert(0, BENCH)

import suite  # noqa: E402
import suite_growth  # noqa: E402
import suite_memory  # noqa: E402
import suite_peer  # noqa: E402
import suite_report  # noqa: E402

# The page's plots need matplotlib, which only the benchmarks install.
plots = pytest.mark.skipif(importlib.util.find_spec('matplotlib') is None,
                           reason='matplotlib is not installed')

PAGE = '''Title
=====

.. bench:machine:start
old machine
.. bench:machine:end

.. bench:replay:start
published replay table
.. bench:replay:end

.. bench:memory:start
old memory
.. bench:memory:end

.. bench:ceilometer:start
old ceilometer
.. bench:ceilometer:end

.. bench:growth:start
old growth
.. bench:growth:end
'''

MEMORY = {
    'command': 'python tools/bench/suite.py --sections memory',
    'method': 'in-process BatchProcessor', 'notifications': 150000,
    'planned': 1000000, 'stopped_by_time_limit': True, 'seconds': 900.0,
    'per_second': 166.7, 'stored': {'boots': 3750},
    'samples': [[0, 90.0, 90.0, 0.0], [50000, 120.0, 119.0, 300.0],
                [100000, 121.0, 118.0, 600.0],
                [150000, 121.5, 120.0, 900.0]],
    'measured_at': '2026-12-03T12:00:00+00:00', 'elapsed_s': 901.0,
    'load_average': {'start': [1.0, 1.5, 2.0], 'end': [3.0, 2.5, 2.25]},
}

PEER = {
    'command': 'python tools/bench/suite.py --sections ceilometer',
    'sent': 1000, 'bare': {'rate': 2000.0},
    'ceilometer': {'rate': 500.0, 'consumed': 1000, 'version': '27.0.0',
                   'ratio_to_bare': 0.25, 'errors_logged': 0},
    'postgresql': {'rate': 250.0, 'consumed': 1000, 'ratio_to_bare': 0.125},
    'bootdoctor_to_ceilometer': 0.5,
}

GROWTH = {
    'command': 'python tools/bench/suite.py --sections growth',
    'backend': 'postgresql',
    'runs': [{'history_boots': h, 'history_notifications': h * 20,
              'database_mib': 8.0 + h / 100.0, 'notifications': 2000,
              'seconds': 4.0, 'per_second': 500.0} for h in (0, 10000)],
    'skipped': [{'history_boots': 1000000, 'estimated_gib': 80.0,
                 'why': 'estimated 80.0 GiB, over the 40 GiB disk limit'}],
}


def _write_page(tmp_path, results):
    page = tmp_path / 'performance.rst'
    page.write_text(PAGE)
    suite_report.write(results, str(page))
    return page.read_text()


@plots
def test_report_keeps_sections_not_in_the_results(tmp_path):
    text = _write_page(tmp_path, {'memory': MEMORY})
    assert 'published replay table' in text
    assert 'old growth' in text and 'old ceilometer' in text
    assert 'old memory' not in text


@plots
def test_memory_section_reports_each_mark_and_its_method(tmp_path):
    text = _write_page(tmp_path, {'memory': MEMORY})
    assert 'Method: in-process BatchProcessor' in text
    assert 'stopped by its time limit' in text
    rows = [line.split() for line in text.splitlines()]
    assert ['100,000', '121.0', '118.0', '600'] in rows
    assert ['1,000,000', 'not', 'reached', 'n/a', 'n/a'] in rows
    assert ['150,000', '121.5', '120.0', '900'] in rows
    assert (tmp_path / 'figures' / 'memory.png').stat().st_size > 0


def test_memory_section_says_what_failed():
    assert suite_report.memory_run({'error': 'RuntimeError: boom'}, None) == (
        'Not measured: RuntimeError: boom\n')


@plots
def test_ceilometer_section_gives_the_ratio(tmp_path):
    text = _write_page(tmp_path, {'ceilometer': PEER})
    assert 'bootdoctor / ceilometer: 0.50.' in text
    assert 'ceilometer-agent-notification 27.0.0' in text
    assert 'Ceilometer logged 0 errors' in text


@plots
def test_ceilometer_section_says_why_not_measured(tmp_path):
    text = _write_page(tmp_path, {'ceilometer': {
        'ceilometer': {'rate': None, 'why': 'no Ceilometer virtualenv'}}})
    assert 'Not measured in this run: no Ceilometer virtualenv' in text


@plots
def test_growth_lists_skipped_sizes_with_the_reason(tmp_path):
    text = _write_page(tmp_path, {'growth': GROWTH})
    assert 'Store: postgresql.' in text
    assert ('- 1,000,000 stored boots: not measured, estimated 80.0 GiB, '
            'over the 40 GiB disk limit.') in text
    assert (tmp_path / 'figures' / 'growth.png').stat().st_size > 0


@plots
def test_machine_lists_the_cpu_and_load_of_each_section(tmp_path):
    text = _write_page(tmp_path, {'memory': dict(MEMORY, cpu_model='EPYC'),
                                  'growth': GROWTH})
    rows = [line.split() for line in text.splitlines()]
    assert ['memory', '2026-12-03T12:00', 'EPYC', '901', '1.0,', '1.5,',
            '2.0', '3.0,', '2.5,', '2.2'] in rows
    assert ['growth', 'n/a', 'not', 'recorded', 'n/a', 'not', 'recorded',
            'not', 'recorded'] in rows


def test_a_merge_names_the_cpu_of_earlier_sections():
    results = {'machine': {'cpu_model': 'AMD EPYC'},
               'memory': dict(MEMORY),
               'query': dict(QUERY, cpu_model='Intel Xeon'),
               'growth': {'error': 'not measured'}}
    suite.name_cpus(results)
    assert results['memory']['cpu_model'] == 'AMD EPYC'
    assert results['query']['cpu_model'] == 'Intel Xeon'
    assert results['growth']['cpu_model'] == 'AMD EPYC'
    assert 'cpu_model' not in MEMORY


def test_freshness_shows_the_rate_published_beside_the_rate_asked():
    section = {'command': 'suite.py --sections freshness', 'rate': 1000,
               'published_per_s': 445.4, 'sent': 20000, 'p50_s': 29.5,
               'p99_s': 37.2}
    text = suite_report.freshness(section)
    assert 'rate asked' in text and 'rate published' in text
    assert '1,000' in text and ' 445 ' in text
    del section['published_per_s']
    assert 'not recorded' in suite_report.freshness(section)


def test_freshness_has_a_row_per_rate_and_the_batch_timeout():
    section = {'command': 'suite.py --sections freshness --rate 100,1000',
               'batch_timeout': 0.2, 'runs': [
                   {'rate': 100, 'published_per_s': 100.0, 'sent': 2000,
                    'p50_s': 0.371, 'p99_s': 0.774},
                   {'rate': 1000, 'published_per_s': 612.0, 'sent': 20000,
                    'p50_s': 12.5, 'p99_s': 20.25}]}
    text = suite_report.freshness(section)
    rows = [line.split() for line in text.splitlines()]
    # Results written before the queues were recorded ran on durable
    # ones, with no CPU figures.
    assert ['durable', '100', '100', '2,000', '0.371', '0.774', 'not',
            'recorded'] in rows
    assert ['durable', '1,000', '612', '20,000', '12.500', '20.250', 'not',
            'recorded'] in rows
    assert 'batch_timeout`` 0.2 s' in text
    # Results written before the workers were recorded ran one.
    assert 'with 1 worker and' in text


def test_freshness_says_how_many_workers_ran():
    section = {'command': 'suite.py --sections freshness',
               'batch_timeout': 0.2, 'workers': 2, 'runs': [
                   {'rate': 1000, 'published_per_s': 900.0, 'sent': 20000,
                    'p50_s': 0.5, 'p99_s': 0.9}]}
    assert 'with 2 workers and' in suite_report.freshness(section)
    assert suite.parse_args(['--freshness-workers', '2']).freshness_workers \
        == 2
    assert suite.parse_args([]).freshness_workers == 1


def test_the_suite_takes_several_rates():
    assert suite.parse_args(['--rate', '100,200']).rate == [100, 200]
    assert suite.parse_args([]).rate == [1000]
    with pytest.raises(SystemExit):
        suite.parse_args(['--rate', '0'])


def test_merge_later_files_win(tmp_path):
    first, second = tmp_path / 'a.json', tmp_path / 'b.json'
    first.write_text(json.dumps({'memory': {'x': 1}, 'replay': {'y': 2}}))
    second.write_text(json.dumps({'memory': {'x': 3}}))
    assert suite_report.merge([str(first), str(second)]) == {
        'memory': {'x': 3}, 'replay': {'y': 2}}


def test_batches_are_of_one_priority_and_bounded():
    stream = ([{'n': i, 'priority': 'INFO'} for i in range(5)] +
              [{'n': 5, 'priority': 'error'}] +
              [{'n': i, 'priority': 'INFO'} for i in range(6, 8)])
    batches = list(suite_memory.batches(iter(stream), 3))
    assert [(p, [m['n'] for m in b]) for p, b in batches] == [
        ('INFO', [0, 1, 2]), ('INFO', [3, 4, 6]), ('ERROR', [5]),
        ('INFO', [7])]
    assert all('priority' not in m for _, b in batches for m in b)


def test_messages_are_the_wire_view_and_counted():
    messages = list(suite_memory.messages(45))
    assert len(messages) == 45
    assert len({m['metadata']['message_id'] for m in messages}) == 45
    # As delivered by the broker: JSON types only.
    assert json.loads(json.dumps(messages)) == messages


def test_memory_rejects_non_positive_sizes():
    with pytest.raises(SystemExit):
        suite_memory.main(['--url', 'sqlite://', '--count', '0'])


def test_ceilometer_version_needs_a_virtualenv(tmp_path):
    with pytest.raises(LookupError, match='no Ceilometer virtualenv'):
        suite_peer.ceilometer_version(None)
    with pytest.raises(LookupError, match='not found'):
        suite_peer.ceilometer_version(str(tmp_path))


def test_ceilometer_section_measures_nothing_without_it():
    class Args:
        ceilometer_venv = None
    assert suite_peer.ceilometer(Args(), None, None) == {
        'ceilometer': {'rate': None, 'why': 'no Ceilometer virtualenv given '
                       '(--ceilometer-venv or CEILOMETER_VENV)'}}


def test_pg_copy_keeps_uuids_shaped():
    expression = suite_growth._pg_copy_expression('instance_uuid',
                                                  ('instance_uuid',))
    assert "lpad(to_hex(g.copy), 12, '0')" in expression
    assert suite_growth._pg_copy_expression('kind', ('message_id',)) == (
        '"kind"')


QUERY = {
    'command': 'python tools/bench/suite.py --sections query',
    'boots': 1000, 'auth': 'keystone', 'client': 'wsgi',
    'results': {'list': {'api': {'p50': 1.5, 'p99': 3.0},
                         'sql': {'p50': 0.5, 'p99': 1.0}},
                'stack floor': {'api': {'p50': 0.75, 'p99': 1.25},
                                'sql': None}},
}


def test_query_section_names_the_client():
    text = suite_report.query(QUERY)
    assert 'Client: the application called as a WSGI server calls it.' \
        in text
    assert '3.00' in text
    floor = [line for line in text.splitlines()
             if line.startswith('stack floor')]
    assert floor and floor[0].split()[2:] == ['0.75', '1.25', 'n/a', 'n/a',
                                              'n/a', 'n/a']
    # Results from before the option was timed through WebTest.
    earlier = dict(QUERY)
    del earlier['client']
    assert 'Client: WebTest, with its lint checks.' in suite_report.query(
        earlier)


def test_the_wsgi_client_passes_the_request_and_checks_the_status():
    import api_bench
    seen = []

    def application(environ, start_response):
        seen.append(environ)
        status = '200 OK' if environ['PATH_INFO'] == '/ok' else '404 No'
        start_response(status, [('Content-Type', 'text/plain')])
        return [b'a', b'b']
    client = api_bench.WSGIClient(application)
    assert client.get('/ok?x=1', params={'y': '2 3'},
                      headers={'X-Auth-Token': 't'}) == b'ab'
    environ = seen[0]
    assert (environ['REQUEST_METHOD'], environ['PATH_INFO'],
            environ['QUERY_STRING']) == ('GET', '/ok', 'x=1&y=2+3')
    assert environ['HTTP_X_AUTH_TOKEN'] == 't'
    assert environ['wsgi.input'].read() == b''
    with pytest.raises(RuntimeError, match='404'):
        client.get('/missing')
    assert 'HTTP_X_AUTH_TOKEN' not in seen[1]


def test_freshness_shows_the_queues_and_the_cpu_of_each_run():
    cpu = {'consumer_us': 612.4, 'postgresql_us': 151.0,
           'rabbitmq_us': 402.6, 'total_us': 1166.0, 'cpus_busy': 1.21}
    section = {'command': 'suite.py --sections freshness',
               'batch_timeout': 0.2, 'runs': [
                   {'rate': 1000, 'published_per_s': 999.0, 'sent': 20000,
                    'p50_s': 0.5, 'p99_s': 0.9, 'queues': 'transient',
                    'cpu': cpu},
                   {'rate': 1000, 'published_per_s': 998.0, 'sent': 20000,
                    'p50_s': 1.5, 'p99_s': 2.25, 'queues': 'durable',
                    'cpu': None}]}
    rows = [line.split() for line in
            suite_report.freshness(section).splitlines()]
    assert ['transient', '1,000', '999', '20,000', '0.500', '0.900', '612',
            '/', '151', '/', '403', '(1.21)'] in rows
    assert ['durable', '1,000', '998', '20,000', '1.500', '2.250', 'not',
            'recorded'] in rows
    assert suite.parse_args([]).freshness_queues == ['transient', 'durable']
    # Every consumer drains in the collector's batches unless told.
    batch_size = [o for o in collector_conf.collector_opts
                  if o.name == 'batch_size'][0]
    assert suite.parse_args([]).batch_size == batch_size.default
    assert suite.parse_args(
        ['--freshness-queues', 'durable']).freshness_queues == ['durable']
    with pytest.raises(SystemExit):
        suite.parse_args(['--freshness-queues', 'lasting'])


@plots
def test_ingest_section_shows_the_workers_parts_where_measured(tmp_path):
    cpu = {'consumer_us': 1169.0, 'postgresql_us': 241.0,
           'rabbitmq_us': 102.0, 'total_us': 1512.0, 'cpus_busy': 1.22}
    section = {
        'command': 'python tools/bench/suite.py --sections ingest',
        'sent': 40000,
        'bare': {'rate': 2005.0, 'cpu': dict(cpu, consumer_us=472.0)},
        'sqlite': {'rate': 700.0, 'consumed': 40000, 'ratio_to_bare': 0.35,
                   'cpu': dict(cpu)},
        'postgresql': {'rate': 806.0, 'consumed': 40000,
                       'ratio_to_bare': 0.4, 'cpu': dict(
                           cpu, parsing_us=215.0, handling_us=361.0,
                           periodic_us=3.0, rest_us=590.0,
                           collecting_us=85.0)},
    }
    text = suite_report.ingest(section, str(tmp_path))
    rows = [line.split() for line in text.splitlines()]
    assert "The collector's own CPU per notification by part" in text
    assert ['bootdoctor-collector,', '1', 'worker,', 'PostgreSQL', '215',
            '361', '3', '590', '85'] in rows
    # Runs without the split (the bare listener, older results) have no
    # row there.
    parts = text.split('by part', 1)[1]
    assert 'PostgreSQL' in parts and 'SQLite' not in parts
    assert 'bare' not in parts
    del section['postgresql']['cpu']['parsing_us']
    assert 'by part' not in suite_report.ingest(section, str(tmp_path))


@plots
def test_ingest_section_bounds_one_worker_by_its_parts(tmp_path):
    section = {
        'command': 'python tools/bench/suite.py --sections ingest',
        'sent': 40000,
        'bare': {'rate': 3930.0, 'cpu': {
            'consumer_us': 240.0, 'postgresql_us': 0.0, 'rabbitmq_us': 59.0,
            'total_us': 299.0, 'cpus_busy': 1.17}},
        'postgresql': {'rate': 1498.0, 'consumed': 40000,
                       'ratio_to_bare': 0.38},
        'in_process': {'process_cpu_us': 280.0,
                       'command': 'python tools/bench/cpu_bench.py -x'},
    }
    text = ' '.join(suite_report.ingest(section, str(tmp_path)).split())
    # 240 / (240 + 280)
    assert ('take 280 us (``python tools/bench/cpu_bench.py -x``, in the '
            'same run)') in text
    assert 'it would spend 520 us per notification' in text
    assert 'drain at most **0.46 of the bare rate**' in text
    # Without either figure there is no bound.
    partial = json.loads(json.dumps(section))
    del partial['in_process']['process_cpu_us']
    assert 'at best' not in suite_report.ingest(partial, str(tmp_path))
    partial = json.loads(json.dumps(section))
    del partial['bare']['cpu']
    assert suite_report.one_process(partial) is None
    # A timing that failed says why.
    partial = json.loads(json.dumps(section))
    partial['in_process'] = {'command': 'python tools/bench/cpu_bench.py -x',
                             'why': 'OperationalError: refused'}
    assert ('not measured; the collector\'s processing alone could not be '
            'timed in process (``python tools/bench/cpu_bench.py -x``): '
            'OperationalError: refused.') in ' '.join(
                suite_report.ingest(partial, str(tmp_path)).split())
