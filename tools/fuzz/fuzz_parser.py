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
"""Coverage-guided fuzzing of notification parsing with atheris.

Run by hand (not in CI): libFuzzer mutates bytes, guided by the branches
of bootdoctor.notification it reaches. Each input goes through
read_messages() as a file would, and every record it yields through
parse(); a crash is any exception other than ParseError, or a ParseError
saying a handler failed ("internal error").

    pip install atheris
    python tools/fuzz/fuzz_parser.py corpus tools/fuzz/corpus
    python tools/fuzz/fuzz_parser.py tools/fuzz/corpus -max_total_time=600 \\
        -max_len=65536 -rss_limit_mb=4096

The first command seeds the corpus with one file per notification of the
recorded Nova streams shipped in bootdoctor/data/streams and of the
simulator's Neutron, Cinder and Glance messages made from recordings, each
in its listener view and in its oslo.messaging v2 envelope; libFuzzer's
own options follow the corpus directory.
"""

import datetime
import io
import json
import os
import sys

import atheris

with atheris.instrument_imports():
    from bootdoctor import notification
    from bootdoctor.notification import cinder  # noqa: F401
    from bootdoctor.notification import envelope  # noqa: F401
    from bootdoctor.notification import faults  # noqa: F401
    from bootdoctor.notification import fields  # noqa: F401
    from bootdoctor.notification import glance  # noqa: F401
    from bootdoctor.notification import keystone  # noqa: F401
    from bootdoctor.notification import neutron  # noqa: F401
    from bootdoctor.notification import nova  # noqa: F401
    from bootdoctor.notification import nova_legacy  # noqa: F401
    from bootdoctor.notification import nova_versioned  # noqa: F401
    from bootdoctor.notification import reader  # noqa: F401
    from bootdoctor.notification import timestamps  # noqa: F401

UTC = datetime.timezone.utc
DEFAULT_TIMESTAMP = datetime.datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
RECEIVED_AT = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
STREAMS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..',
                       '..', 'bootdoctor', 'data', 'streams')


def test_one_input(data):
    for _, item in notification.read_messages(io.BytesIO(data)):
        if isinstance(item, notification.ParseError):
            continue
        try:
            notification.parse(item, default_timestamp=DEFAULT_TIMESTAMP,
                               received_at=RECEIVED_AT)
        except notification.ParseError as exc:
            if exc.reason.startswith('internal error'):
                raise


def _seeds():
    """(name, message) for every seed notification."""
    for name in sorted(os.listdir(STREAMS)):
        if not name.endswith('.jsonl'):
            continue
        with open(os.path.join(STREAMS, name), 'rb') as f:
            for number, line in enumerate(f, 1):
                if line.strip():
                    yield '%s-%03d' % (name[:-6], number), json.loads(line)
    from bootdoctor import simulator
    boots = simulator.plan(
        3, ['success', 'volume_backed', 'port_binding_failure'], seed=1,
        start=DEFAULT_TIMESTAMP)
    for number, (_, emission) in enumerate(simulator.interleave(boots)):
        if emission.service != 'nova':
            yield 'sim-%s-%03d' % (emission.service, number), (
                simulator.listener_view(emission, message_id='sim-%d' % number,
                                        timestamp=DEFAULT_TIMESTAMP))


def make_corpus(directory):
    os.makedirs(directory, exist_ok=True)
    count = 0
    for name, message in _seeds():
        wrapped = {'oslo.version': '2.0', 'oslo.message': json.dumps(message)}
        for kind, value in (('view', message), ('v2', wrapped)):
            path = os.path.join(directory, '%s-%s.json' % (name, kind))
            with open(path, 'w') as out:
                json.dump(value, out)
            count += 1
    print('%d seed files in %s' % (count, directory))


def main(argv):
    if len(argv) == 3 and argv[1] == 'corpus':
        make_corpus(argv[2])
        return
    atheris.Setup(argv, test_one_input)
    atheris.Fuzz()


if __name__ == '__main__':
    main(sys.argv)
