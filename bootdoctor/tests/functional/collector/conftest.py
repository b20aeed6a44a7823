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

"""Fixtures for the collector against the real RabbitMQ.

``names``: the test's own exchanges, topics and pool (cleaned up after).
``sqlite_url`` / ``postgresql_url``: an upgraded database of its own.
"""

import time

import pytest

from bootdoctor.db import api
from bootdoctor import simulator
from bootdoctor.tests.functional.collector import rabbit
from bootdoctor.tests.functional.db import servers


@pytest.fixture
def names():
    rabbit.require()
    test_names = rabbit.Names.new()
    extra_pools = []
    test_names.extra_pools = extra_pools
    yield test_names
    rabbit.cleanup(test_names, extra_pools)


def _upgraded(url):
    connection = api.Connection(url)
    connection.upgrade()
    return connection


@pytest.fixture
def sqlite_url(tmp_path):
    url = 'sqlite:///%s' % (tmp_path / 'bootdoctor.sqlite')
    _upgraded(url).close()
    return url


@pytest.fixture
def postgresql_url(tmp_path_factory):
    with servers.database('postgresql', tmp_path_factory) as url:
        _upgraded(url).close()
        yield url


def publisher(names, **kwargs):
    return simulator.Publisher(rabbit.URL, exchanges=names.exchanges,
                               topics=names.topics, **kwargs)


def wait_for_notifications(url, count, timeout=120, what=None):
    """Wait until ``count`` notifications are stored; return the count."""
    connection = api.Connection(url)
    try:
        deadline = time.monotonic() + timeout
        stored = -1
        while time.monotonic() < deadline:
            try:
                stored = connection.counts()['notifications']
            except Exception:  # noqa: the database may be down on purpose
                stored = -1
            if stored >= count:
                return stored
            time.sleep(0.25)
        raise AssertionError('%d of %d notifications stored%s' % (
            stored, count, ' (%s)' % what if what else ''))
    finally:
        connection.close()


def outcome(record):
    root = record['root_cause'] or {}
    return {'status': record['status'], 'phase': record['phase'],
            'attempts': len(record['attempts']),
            'fault': (record['fault'] or {}).get('exception'),
            'root_cause': root.get('exception'),
            'component': root.get('component')}


def mismatches(url, boots):
    """{scenario: (expected, got)} for boots not ending as expected."""
    connection = api.Connection(url)
    wrong = {}
    try:
        for boot in boots:
            record = connection.get_record(boot.instance_uuid)
            if record is None:
                wrong[boot.scenario.name] = (boot.expected, None)
                continue
            got = outcome(record)
            got = {k: got[k] for k in boot.expected}
            if got != boot.expected:
                wrong[boot.scenario.name] = (boot.expected, got)
    finally:
        connection.close()
    return wrong


def wait_until_expected(url, boots, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        wrong = mismatches(url, boots)
        if not wrong or time.monotonic() > deadline:
            return wrong
        time.sleep(0.5)
