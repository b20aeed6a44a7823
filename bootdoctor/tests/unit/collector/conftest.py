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

"""Fixtures: a real SQLite database, a configuration, simulated messages."""

import datetime
import uuid

from oslo_config import fixture as config_fixture
import pytest

from bootdoctor import conf as bd_conf
from bootdoctor.db import api
from bootdoctor.notification import listener
from bootdoctor import simulator

START = datetime.datetime(2030, 5, 17, 12, 0, tzinfo=datetime.timezone.utc)


@pytest.fixture
def connection(tmp_path):
    conn = api.Connection('sqlite:///%s' % (tmp_path / 'bootdoctor.sqlite'))
    conn.upgrade()
    yield conn
    conn.close()


@pytest.fixture
def conf(tmp_path):
    """A parsed ConfigOpts on the fake transport with names of its own."""
    tag = uuid.uuid4().hex[:8]
    conf = bd_conf.new_conf()
    fixture = config_fixture.Config(conf)
    fixture.setUp()
    conf([], project='bootdoctor', default_config_files=[])
    listener.register_opts(conf)
    fixture.config(connection='sqlite:///%s' % (
        tmp_path / 'bootdoctor.sqlite'), group='database')
    fixture.config(transport_url='fake://',
                   topics=['bd-%s-out' % tag],
                   group='oslo_messaging_notifications')
    fixture.config(control_exchange='bd-%s-bootdoctor' % tag)
    fixture.config(exchanges=['bd-%s-%s' % (tag, s) for s in
                              ('nova', 'neutron', 'cinder', 'glance')],
                   topics=['bd-%s-notifications' % tag,
                           'bd-%s-versioned' % tag],
                   pool='bd-%s' % tag, batch_timeout=0.1,
                   requeue_backoff=0.1, requeue_backoff_max=0.2,
                   group='collector')
    yield conf
    fixture.cleanUp()


def names(conf):
    """The exchanges and topics of ``conf``, for a Publisher."""
    tag = conf.collector.pool
    exchanges = {s: '%s-%s' % (tag, s) for s in
                 ('nova', 'neutron', 'cinder', 'glance')}
    topics = {'notifications': '%s-notifications' % tag,
              'versioned_notifications': '%s-versioned' % tag}
    return exchanges, topics


def views(boot, start=START):
    """The listener messages of a simulated boot, one second apart."""
    return [(emission.priority, simulator.listener_view(
        emission, timestamp=start + datetime.timedelta(seconds=number)))
        for number, emission in enumerate(boot.emissions)]


def boot(name, seed=3):
    return simulator.plan(1, name, seed=seed, start=START)[0]
