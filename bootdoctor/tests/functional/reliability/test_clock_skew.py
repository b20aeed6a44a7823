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

"""Clock skew between services must not change what bootdoctor concludes.

Each service stamps its notifications with its own clock. One boot of
every simulator scenario (Nova, Neutron, Cinder and Glance messages made
from real recordings) and the recorded Nova streams are replayed with one
service's messages dated minutes earlier or later; every boot must keep
its status, phase, fault, root cause and attempts.

The same holds through the real RabbitMQ: a stream is published to a
running bootdoctor-collector by oslo.messaging Notifiers whose clocks are
minutes off, service by service, and nothing may be lost or rejected.
"""

import collections
import datetime
import json
import statistics
from unittest import mock

from oslo_utils import timeutils
import pytest
import sqlalchemy as sa

from bootdoctor.db import api
from bootdoctor.db import models
from bootdoctor import simulator
from bootdoctor.tests.functional.collector import conftest
from bootdoctor.tests.functional.collector import process
from bootdoctor.tests.functional.collector import test_delivery as delivery
from bootdoctor.tests.functional.reliability import streams

SHIFTS = (-10, -3, 3, 10)
# publisher_id prefixes: legacy <service>.<host>, versioned <binary>:<host>.
SERVICES = {
    'neutron': ('network.', 'neutron'),
    'cinder': ('volume.', 'cinder'),
    'glance': ('image.', 'glance'),
    'scheduler': ('scheduler.', 'nova-scheduler:'),
    'controller': ('scheduler.', 'nova-scheduler:', 'conductor.',
                   'nova-conductor:', 'compute_task.', 'api.', 'nova-api:'),
    'compute': ('compute.', 'nova-compute:'),
}


def verdict(record):
    """What the clock must not change."""
    return {
        'status': record['status'],
        'phase': record['phase'],
        'fault': record['fault'],
        'root_cause': record['root_cause'],
        'attempts': [(a['host'], a['outcome']) for a in record['attempts']],
    }


def shifted(messages, minutes, service):
    delta = datetime.timedelta(minutes=minutes)
    return [streams.retimed(m, delta)
            if m['publisher_id'].startswith(SERVICES[service]) else m
            for m in messages]


def replay(tmp_path, name, messages):
    path = streams.write(tmp_path / ('%s.jsonl' % name),
                         [json.dumps(m).encode() for m in messages])
    feed, records = streams.run([path])
    assert not feed.rejected
    return {uuid: verdict(r) for uuid, r in records.items()}


@pytest.fixture(scope='module')
def simulated():
    boots, messages = streams.simulated()
    return boots, messages


@pytest.fixture(scope='module')
def simulated_baseline(simulated, tmp_path_factory):
    boots, messages = simulated
    path = streams.write(tmp_path_factory.mktemp('sim') / 'sim.jsonl',
                         [json.dumps(m).encode() for m in messages])
    feed, records = streams.run([path])
    assert not feed.rejected
    return records


def test_the_simulated_boots_reach_their_scenarios_verdicts(
        simulated, simulated_baseline):
    boots, messages = simulated
    publishers = {m['publisher_id'] for m in messages}
    for prefixes in SERVICES.values():
        assert any(p.startswith(prefixes) for p in publishers), prefixes
    for boot in boots:
        record = simulated_baseline[boot.instance_uuid]
        expected = boot.expected
        assert record['status'] == expected['status'], boot.scenario.name
        if 'phase' in expected:
            assert record['phase'] == expected['phase'], boot.scenario.name
        if 'fault' in expected:
            assert record['fault']['exception'] == expected['fault']
        if 'root_cause' in expected:
            assert record['root_cause']['exception'] == \
                expected['root_cause']
        if not record['attempts']:
            # No compute picked the build up: no image was fetched for it,
            # whatever other boots of the same image did.
            assert not [s for s in record['steps']
                        if s['phase'] == 'spawning' and
                        s['state'] == 'observed'], boot.scenario.name


@pytest.mark.parametrize('service', sorted(SERVICES))
def test_skewed_service_clocks_change_no_verdict(
        tmp_path, simulated, simulated_baseline, service):
    _, messages = simulated
    expected = {uuid: verdict(r) for uuid, r in simulated_baseline.items()}
    for minutes in SHIFTS:
        got = replay(tmp_path, '%s%+d' % (service, minutes),
                     shifted(messages, minutes, service))
        changed = {uuid: (expected[uuid], got[uuid]) for uuid in expected
                   if got[uuid] != expected[uuid]}
        assert not changed, (service, minutes, changed)


@pytest.mark.parametrize('service', ['scheduler', 'controller', 'compute'])
def test_skewed_clocks_in_the_recorded_streams(tmp_path, service):
    for path in streams.STREAMS:
        messages = streams.messages(path)
        expected = replay(tmp_path, 'clean', messages)
        for minutes in SHIFTS:
            got = replay(tmp_path, 'skewed', shifted(messages, minutes,
                                                     service))
            assert got == expected, (path, service, minutes)


# Through the broker: each service's clock, in minutes off the true time
# (the order of SKEWED_SERVICES decides: a scheduler is a controller).
SKEWED_SERVICES = ('scheduler', 'controller', 'compute', 'neutron',
                   'cinder', 'glance')
CLOCKS = {
    'none': {},
    'controllers ahead': {'scheduler': 10, 'controller': 3,
                          'compute': -3, 'neutron': -10, 'cinder': 10,
                          'glance': -10},
    'controllers behind': {'scheduler': -10, 'controller': -3,
                           'compute': 3, 'neutron': 10, 'cinder': -10,
                           'glance': 10},
}
# Stalls turn stuck by the wall clock, which skew moves on purpose.
STREAM = [name for name, s in simulator.SCENARIOS.items() if not s.stalls]


def _service(publisher_id):
    for service in SKEWED_SERVICES:
        if publisher_id.startswith(SERVICES[service]):
            return service
    raise AssertionError('no service for %s' % publisher_id)


class ServiceClocks:
    """``timeutils.utcnow`` as the sending service's own clock reads it.

    oslo.messaging's Notifier dates each message with ``utcnow()``; while
    an emission is sent, the clock reads the true time plus its service's
    offset.
    """

    def __init__(self, minutes):
        self.minutes = minutes
        self.offset = datetime.timedelta(0)

    def utcnow(self, with_timezone=False):
        now = datetime.datetime.now(datetime.timezone.utc) + self.offset
        return now if with_timezone else now.replace(tzinfo=None)

    def send(self, publisher, emissions):
        with mock.patch.object(timeutils, 'utcnow', self.utcnow):
            for emission in emissions:
                self.offset = datetime.timedelta(minutes=self.minutes.get(
                    _service(emission.publisher_id), 0))
                publisher.send(emission)
        return publisher.sent


def _offsets(url):
    """{service: median minutes between a message's date and reception}."""
    engine = sa.create_engine(url)
    table = models.notifications
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.select(
                table.c.publisher_id, table.c.timestamp,
                table.c.received_at)).all()
    finally:
        engine.dispose()
    gaps = collections.defaultdict(list)
    for publisher_id, stamp, received in rows:
        gaps[_service(publisher_id)].append(
            (stamp - received).total_seconds() / 60)
    return {service: round(statistics.median(values), 1)
            for service, values in gaps.items()}


def _baseline(tmp_path, boots):
    """The verdicts of the same boots replayed with every clock right."""
    emissions = [e for _, e in simulator.interleave(boots, seed=12)]
    messages = [simulator.listener_view(e, timestamp=(
        streams.SIMULATED_START + datetime.timedelta(seconds=0.05 * number)))
        for number, e in enumerate(emissions)]
    return replay(tmp_path, 'baseline', messages)


@pytest.mark.parametrize('clocks', sorted(CLOCKS))
def test_skewed_clocks_through_the_broker(tmp_path, names, sqlite_url,
                                          clocks):
    minutes = CLOCKS[clocks]
    boots = simulator.plan(2 * len(STREAM), STREAM, seed=51)
    expected = _baseline(tmp_path, boots)
    collector = process.CollectorProcess(str(tmp_path), names, sqlite_url)
    collector.start()
    publisher = conftest.publisher(names)
    try:
        sent = ServiceClocks(minutes).send(publisher, (
            e for _, e in simulator.interleave(boots, seed=12)))
        conftest.wait_for_notifications(sqlite_url, sent, what=clocks)
        wrong = conftest.wait_until_expected(sqlite_url, boots)
    finally:
        publisher.close()
        code = collector.stop()
    figures = delivery._account('clocks %s' % clocks, sent, sqlite_url,
                                [collector])
    connection = api.Connection(sqlite_url)
    try:
        rejections = connection.rejections(limit=None)
        got = {b.instance_uuid: verdict(connection.get_record(
            b.instance_uuid)) for b in boots}
    finally:
        connection.close()
    offsets = _offsets(sqlite_url)
    output = collector.output()
    rejected = delivery._logged([collector], 'rejected')
    stuck = output.count(' is stuck: ')
    print('clocks %s: offsets seen (min) %s; rejected %d (stored %d); '
          'reported stuck along the way %d; verdicts changed %d of %d' % (
              clocks, ', '.join('%s %+.1f' % kv
                                for kv in sorted(offsets.items())),
              rejected, len(rejections), stuck,
              sum(got[u] != expected[u] for u in expected), len(expected)))
    assert code == 0
    assert figures['lost'] == 0
    assert rejected == 0 and rejections == []
    assert wrong == {}
    changed = {u: (expected[u], got[u]) for u in expected
               if got[u] != expected[u]}
    assert changed == {}
    # The clocks were off as planned: the skew reached the database.
    for service, offset in offsets.items():
        assert abs(offset - minutes.get(service, 0)) < 0.5, offsets
