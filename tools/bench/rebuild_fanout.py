#!/usr/bin/env python3
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
"""How many boots each collector batch rebuilds, and why.

Feeds simulator notifications (the ``mix`` scenarios, as the benchmark
backlog holds them) through the collector's storage path in batches of
``--batch-size`` (store, :func:`bootdoctor.pipeline.affected`,
:func:`bootdoctor.pipeline.rebuild`) into a SQLite file, and prints per
batch how many boots it rebuilt because their own messages were in it and
how many more because a related message (Glance image.send, Keystone
authentication) may belong to them, with the running rate.

    python tools/bench/rebuild_fanout.py [--count 5000] [--batch-size 100]
"""

import argparse
import os
import sys
import tempfile
import time


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--count', type=int, default=5000)
    parser.add_argument('--batch-size', type=int, default=100)
    parser.add_argument('--every', type=int, default=1000,
                        help='print a line every this many notifications')
    args = parser.parse_args(argv)
    from bootdoctor.db import api as db_api
    from bootdoctor import notification
    from bootdoctor import pipeline
    from bootdoctor import simulator

    emissions, number = [], 0
    while len(emissions) < args.count:
        boots = simulator.plan(20, 'mix', seed=100003 + number)
        number += 1
        emissions.extend(e for _, e in simulator.interleave(boots,
                                                            seed=number))
    messages = [simulator.listener_view(e)
                for e in emissions[:args.count]]
    with tempfile.TemporaryDirectory() as directory:
        connection = db_api.Connection(
            'sqlite:///' + os.path.join(directory, 'fanout.sqlite'))
        connection.upgrade()
        own_total = related_total = 0
        started = time.perf_counter()
        print('%8s %6s %12s %10s' % ('stored', 'own', 'by related',
                                     'per second'))
        for start in range(0, len(messages), args.batch_size):
            parsed = [notification.parse(m)
                      for m in messages[start:start + args.batch_size]]
            connection.add_observations(parsed)
            observations = [o for p in parsed for o in p.observations]
            own = {o.instance_uuid for o in observations if o.instance_uuid}
            every = pipeline.affected(connection, observations)
            pipeline.rebuild(connection, every)
            own_total += len(own)
            related_total += len(every - own)
            done = start + len(parsed)
            if start % args.every == 0 or done == len(messages):
                print('%8d %6d %12d %10.0f' % (
                    done, len(own), len(every - own),
                    done / (time.perf_counter() - started)), flush=True)
        connection.close()
    print('rebuilds: %d for their own messages, %d more for related ones'
          % (own_total, related_total))
    return 0


if __name__ == '__main__':
    sys.exit(main())
