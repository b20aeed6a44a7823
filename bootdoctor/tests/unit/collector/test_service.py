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

"""The whole collector in-process on the fake transport and SQLite."""

import gc
import threading
import time
from unittest import mock

from oslo_reports import guru_meditation_report as gmr
import pytest

from bootdoctor.collector import collection
from bootdoctor.collector import report
from bootdoctor.collector import service as service_mod
from bootdoctor import conf as bd_conf
from bootdoctor.db import api
from bootdoctor import simulator
from bootdoctor.tests.unit.collector import conftest
from bootdoctor import version


def _outcome(record):
    root = record['root_cause'] or {}
    return {'status': record['status'], 'phase': record['phase'],
            'attempts': len(record['attempts']),
            'fault': (record['fault'] or {}).get('exception'),
            'root_cause': root.get('exception'),
            'component': root.get('component')}


def _drain(collector, count, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        totals = collector.counters.totals()
        if totals['processed'] + totals['duplicates'] + (
                totals['rejected']) >= count:
            return totals
        time.sleep(0.05)
    return collector.counters.totals()


@pytest.fixture
def running(conf):
    api.get_connection(conf).upgrade()
    for phase in ('scheduling', 'networking', 'block_device_mapping',
                  'spawning'):
        conf.set_override('%s_deadline' % phase, 2, group='tracker')
    conf.set_override('stuck_check_interval', 1, group='collector')
    collector = service_mod.Collector(conf)
    collector.start()
    yield collector
    collector.stop()


def test_every_scenario_ends_as_expected(conf, running):
    exchanges, topics = conftest.names(conf)
    boots = simulator.plan(len(simulator.SCENARIOS), 'mix', seed=21)
    publisher = simulator.Publisher('fake://', exchanges=exchanges,
                                    topics=topics)
    try:
        sent = publisher.publish(
            e for _, e in simulator.interleave(boots, seed=2))
    finally:
        publisher.close()
    totals = _drain(running, sent)
    assert totals['processed'] == sent
    assert totals['rejected'] == totals['duplicates'] == 0
    # Past the 2 s deadlines, the stuck search finds the stalls.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        stuck = running.connection.list_records(filters={'status': 'stuck'},
                                                detail=False)
        # A boot is saved stuck first, then its notification is sent:
        # wait for both.
        sent_stuck = running.counters.snapshot()['emitted'].get(
            'bootdoctor.boot.stuck', 0)
        if len(stuck) == sent_stuck == sum(b.scenario.stalls for b in boots):
            break
        time.sleep(0.2)
    for boot in boots:
        record = running.connection.get_record(boot.instance_uuid)
        got = _outcome(record)
        assert {k: got[k] for k in boot.expected} == boot.expected, (
            boot.scenario.name)
    emitted = running.counters.snapshot()['emitted']
    assert emitted == {
        'bootdoctor.boot.failed': sum(b.expected['status'] == 'error'
                                      for b in boots),
        'bootdoctor.boot.stuck': sum(b.scenario.stalls for b in boots)}


def test_the_report_section_describes_the_running_collector(conf, running):
    exchanges, topics = conftest.names(conf)
    boot = simulator.plan(1, 'no_valid_host', seed=4)[0]
    publisher = simulator.Publisher('fake://', exchanges=exchanges,
                                    topics=topics)
    try:
        publisher.publish(boot.emissions)
    finally:
        publisher.close()
    _drain(running, len(boot.emissions))
    text = report.render()
    assert 'Pool: %s' % conf.collector.pool in text
    assert 'Targets: 8' in text
    assert 'compute_task.build_instances.error' in text
    assert 'received 4, processed 4, duplicates 0, rejected 0' in text
    cpu = running.counters.cpu()
    # The periodic task ran once at the start at least.
    assert cpu['parsing'] > 0 and cpu['handling'] > 0 and cpu['periodic'] > 0
    assert 'CPU per notification received: parsing ' in text
    groups = running.processor.combiner.groups
    assert 1 <= groups <= running.counters.snapshot()['batches']
    assert '(handled in %d groups, %d of them waited for more)' % (
        groups, running.processor.combiner.held) in text
    # A group holds at most half the prefetch window, and waits for more
    # at most batch_timeout.
    assert running.processor.combiner._limit == 1000 == (
        service_mod.group_limit(conf))
    assert running.processor.combiner._hold() == (
        conf.collector.batch_timeout)
    # Stored then rebuilt: the rebuild found them decoded.
    kept = running.connection.decoded
    assert kept.size == conf.collector.decoded_observations == 10000
    assert kept.hits >= 4 and len(kept) >= 4
    assert ('decoded observations kept %d of 10000 (found %d, decoded %d)'
            % (len(kept), kept.hits, kept.misses)) in text
    assert 'Deployment warnings:' in text
    assert 'Boots in flight by phase:' in text
    # The whole Guru Meditation report carries the section.

    class Report(gmr.TextGuruMeditation):
        persistent_sections = [(report.TITLE, report.generator)]
    full = Report(version.version_info).run()
    assert '%s' % report.TITLE in full
    assert 'Pool: %s' % conf.collector.pool in full


def test_a_group_holds_half_the_prefetch_window_and_at_least_a_batch(conf):
    conf.set_override('batch_size', 100, group='collector')
    conf.set_override('prefetch_batches', 6, group='collector')
    assert service_mod.group_limit(conf) == 300
    conf.set_override('prefetch_batches', 1, group='collector')
    assert service_mod.group_limit(conf) == 100


def test_a_collector_may_keep_no_decoded_observations(conf):
    conf.set_override('decoded_observations', 0, group='collector')
    api.get_connection(conf).upgrade()
    collector = service_mod.Collector(conf)
    collector.start()
    try:
        assert collector.connection.decoded is None
        assert ('decoded observations kept: none ([collector] '
                'decoded_observations = 0)') in report.render()
    finally:
        collector.stop()


def test_the_report_masks_the_transport_password(conf):
    conf.set_override('transport_url', 'rabbit://bd:s3cret@mq1:5672/',
                      group='oslo_messaging_notifications')
    report.attach(None)
    report.describe_master(conf, 3)
    try:
        text = report.render()
    finally:
        report.describe_master(None, None)
    assert 's3cret' not in text
    assert 'rabbit://bd:***@mq1:5672/' in text
    assert 'master of 3 worker(s)' in text


def test_stop_waits_for_the_batches_in_flight(conf):
    api.get_connection(conf).upgrade()
    collector = service_mod.Collector(conf)
    collector.start()
    exchanges, topics = conftest.names(conf)
    boots = simulator.plan(6, 'success', seed=8)
    publisher = simulator.Publisher('fake://', exchanges=exchanges,
                                    topics=topics)
    try:
        sent = publisher.publish(e for b in boots for e in b.emissions)
        _drain(collector, sent // 2)
    finally:
        publisher.close()
        collector.stop()
    totals = collector.counters.totals()
    # Whatever was received was committed; nothing half done.
    # A batch handed over once stopping began goes back to the broker
    # (requeued), never half stored.
    assert totals['received'] == (totals['processed'] +
                                  totals.get('requeued', 0))
    assert collector.connection.counts()['notifications'] == totals[
        'processed']


def test_reload_takes_the_mutable_options(conf, running):
    conf.set_override('deployment_check_boots', 7, group='collector')
    running.reload()
    assert running.checks.boots == 7


def _file_conf(path, text):
    """A ConfigOpts parsed from one file holding ``text``."""
    path.write_text(text)
    conf = bd_conf.new_conf()
    conf(['--config-file', str(path)], project='bootdoctor',
         default_config_files=[])
    return conf


def test_a_read_racing_a_reload_does_not_keep_the_old_value(tmp_path):
    path = tmp_path / 'bootdoctor.conf'
    conf = _file_conf(path, '[collector]\nstuck_check_interval = 1\n')
    assert conf.collector.stuck_check_interval == 1
    path.write_text('[collector]\nstuck_check_interval = 17\n')
    parse = conf._parse_config_files

    def parse_while_a_thread_reads():
        # The stuck search reads the option while the files are parsed:
        # after oslo.config emptied its cache, before the new values.
        namespace = parse()
        reads.append(conf.collector.stuck_check_interval)
        return namespace

    reads = []
    with mock.patch.object(conf, '_parse_config_files',
                           parse_while_a_thread_reads):
        fresh = service_mod.mutate(conf)
    assert reads[0] == 1
    assert conf.collector.stuck_check_interval == 17
    # The changes, as the first pass found them.
    assert fresh == {('collector', 'stuck_check_interval'): ('1', '17')}


class _Started:
    """A collector that starts at once (the worker's start-up, only)."""

    def __init__(self, conf, worker=0):
        pass

    def start(self):
        pass

    def reload(self):
        pass


def test_a_reload_during_the_start_keeps_its_threshold(tmp_path):
    path = tmp_path / 'bootdoctor.conf'
    conf = _file_conf(path, '[collector]\ngc_threshold = 10000\n')
    worker = service_mod.CollectorService(0, conf)
    worker._done.set()
    settle = collection.settle
    reloads = []

    def settle_while_reloaded(threshold):
        # SIGHUP arrives as the worker settles with the value it read.
        path.write_text('[collector]\ngc_threshold = 5000\n')
        reload = threading.Thread(target=worker.reload)
        reload.start()
        reloads.append(reload)
        reload.join(0.5)
        settle(threshold)

    before = gc.get_threshold()
    timed = collection.TIMING in gc.callbacks
    try:
        with mock.patch.object(service_mod, 'Collector', _Started), \
                mock.patch.object(collection, 'settle',
                                  settle_while_reloaded):
            worker.run()
        reloads[0].join(10)
        assert gc.get_threshold()[0] == 5000
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
        if not timed and collection.TIMING in gc.callbacks:
            gc.callbacks.remove(collection.TIMING)
