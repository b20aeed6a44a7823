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

"""Real boot streams, and ways to spoil them, for the reliability tests.

The streams are the recorded Nova 34 boots bundled with bootdoctor
(bootdoctor/data/streams) and, where Neutron, Cinder and Glance messages
are needed, the simulator's boots built from the same recordings.
"""

import copy
import datetime
import json

from oslo_config import cfg

from bootdoctor.conf import tracker as tracker_conf
from bootdoctor.db import api as db_api
from bootdoctor.manage import replay
from bootdoctor.notification import timestamps
from bootdoctor import simulator

UTC = datetime.timezone.utc
STREAMS = replay.bundled_streams()
# The recorded streams were emitted on 2026-11-25 between 08:42 and 08:43.
READ_AT = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
NOW = datetime.datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def deadlines():
    """The default per-phase deadlines, read from the [tracker] options."""
    conf = cfg.ConfigOpts()
    tracker_conf.register_opts(conf)
    conf([])
    return tracker_conf.deadlines(conf)


def lines(path):
    """The raw lines of a stream file, without their line ends."""
    with open(path, 'rb') as f:
        return [line.rstrip(b'\n') for line in f if line.strip()]


def messages(path):
    return [json.loads(line) for line in lines(path)]


def write(path, raw_lines):
    with open(path, 'wb') as f:
        for line in raw_lines:
            f.write(line + b'\n')
    return str(path)


def interleave(good, bad):
    """Good lines with the bad ones spread between them, in order."""
    result = []
    step = max(1, len(bad) // max(1, len(good)) + 1)
    bad = list(bad)
    for line in good:
        result.append(line)
        result.extend(bad[:step])
        del bad[:step]
    return result + bad


def run(paths, *, connection=None, clock=lambda: READ_AT):
    """Replay files into a database; (Replay, {uuid: record dict})."""
    if connection is None:
        connection = db_api.Connection('sqlite://')
        connection.upgrade()
    feed = replay.Replay(connection, clock=clock)
    for path in paths:
        feed.feed_file(str(path))
    records = feed.records(NOW, deadlines())
    return feed, {r.instance_uuid: r.to_dict() for r in records}


def retimed(message, delta):
    """A copy of a listener-view message, dated ``delta`` later."""
    message = copy.deepcopy(message)
    key = 'metadata' if 'metadata' in message else None
    holder = message[key] if key else message
    stamp = timestamps.parse_timestamp(holder['timestamp'])
    holder['timestamp'] = str((stamp + delta).replace(tzinfo=None))
    return message


SIMULATED_START = datetime.datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def simulated(seed=7, start=SIMULATED_START):
    """One boot of every simulator scenario, interleaved as on a busy bus.

    Returns (boots, listener-view messages); message n is dated n x 200 ms
    after ``start``, in the order the services sent them.
    """
    boots = simulator.plan(len(simulator.SCENARIOS), 'mix', seed=seed,
                           start=start)
    result = []
    for number, (_boot, emission) in enumerate(
            simulator.interleave(boots, seed=seed), 1):
        result.append(simulator.listener_view(
            emission, message_id='sim-%05d' % number,
            timestamp=start + datetime.timedelta(seconds=0.2 * number)))
    return boots, result
