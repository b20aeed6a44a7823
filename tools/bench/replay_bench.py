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
"""Replay throughput: synthetic notifications from the recorded streams.

Builds N notifications (default 100,000) by cloning the recorded Nova
boot streams shipped in bootdoctor/data/streams with new instance uuids,
request ids, message ids and times, then measures, each in its own
process so peak memory is its own:

- ``parse``: reading and parsing only (the baseline);
- ``replay``: parsing, storing into SQLite, and building and storing
  every boot record, as ``bootdoctor-manage replay --db`` does.

Prints notifications per second, the ratio to the baseline and peak RSS.

    python tools/bench/replay_bench.py [--count 100000] [--json out.json]
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid

STREAMS = os.path.join(os.path.dirname(__file__), '..', '..', 'bootdoctor',
                       'data', 'streams')


def synthesise(path, count):
    """Write ``count`` notifications cloned from the recorded streams."""
    import datetime
    templates = []
    for name in sorted(os.listdir(STREAMS)):
        if not name.endswith('.jsonl'):
            continue
        with open(os.path.join(STREAMS, name)) as f:
            lines = [json.loads(line) for line in f if line.strip()]
        ids = {m['payload'].get('instance_id') for m in lines} | {
            (m['payload'].get('nova_object.data') or {}).get(k)
            for m in lines for k in ('uuid', 'instance_uuid')}
        ids.discard(None)
        requests = {m['ctxt'].get('request_id') for m in lines}
        templates.append((lines, ids, requests))
    written, clone = 0, 0
    base = datetime.datetime(2026, 1, 1)
    with open(path, 'w') as out:
        while written < count:
            lines, ids, requests = templates[clone % len(templates)]
            mapping = {old: str(uuid.uuid5(uuid.NAMESPACE_OID,
                                           '%s-%d' % (old, clone)))
                       for old in ids}
            mapping.update({old: 'req-' + str(uuid.uuid5(
                uuid.NAMESPACE_OID, '%s-%d' % (old, clone)))
                for old in requests})
            shift = base + datetime.timedelta(seconds=clone * 2)
            first = None
            for message in lines:
                text = json.dumps(message)
                for old, new in mapping.items():
                    text = text.replace(old, new)
                clone_msg = json.loads(text)
                stamp = datetime.datetime.fromisoformat(
                    message['timestamp'])
                first = first or stamp
                clone_msg['timestamp'] = str(shift + (stamp - first))
                clone_msg['message_id'] = str(uuid.uuid4())
                out.write(json.dumps(clone_msg) + '\n')
                written += 1
                if written >= count:
                    break
            clone += 1
    return written, clone


def run_mode(mode, path, workdir):
    from bootdoctor.db import api as db_api
    from bootdoctor.manage import replay
    from bootdoctor import notification
    start = time.perf_counter()
    count = 0
    boots = 0
    if mode == 'parse':
        for _, item in notification.read_messages(path):
            count += 1
            if not isinstance(item, notification.ParseError):
                notification.parse(item)
    else:
        url = 'sqlite:///' + os.path.join(workdir, 'bench.sqlite')
        connection = db_api.Connection(url)
        connection.upgrade()
        run = replay.Replay(connection)
        run.feed_file(path)
        count = run.received
        boots = len(run.records(None, None))
    elapsed = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {'mode': mode, 'notifications': count, 'boots': boots,
            'seconds': round(elapsed, 3),
            'per_second': round(count / elapsed, 1),
            'peak_rss_mib': round(peak_kib / 1024.0, 1)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--count', type=int, default=100000)
    parser.add_argument('--json', help='also write the results here')
    parser.add_argument('--mode', help=argparse.SUPPRESS)
    parser.add_argument('--input', help=argparse.SUPPRESS)
    parser.add_argument('--workdir', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mode:
        print(json.dumps(run_mode(args.mode, args.input, args.workdir)))
        return 0
    with tempfile.TemporaryDirectory() as workdir:
        path = os.path.join(workdir, 'stream.jsonl')
        written, clones = synthesise(path, args.count)
        print('%d notifications from %d cloned boots' % (written, clones))
        results = []
        for mode in ('parse', 'replay'):
            out = subprocess.run(
                [sys.executable, __file__, '--mode', mode, '--input', path,
                 '--workdir', workdir], check=True, capture_output=True,
                text=True).stdout
            results.append(json.loads(out.strip().splitlines()[-1]))
    baseline = results[0]['per_second']
    header = ('mode', 'notifications', 'boots', 'seconds', 'per second',
              'peak MiB')
    print('%-8s %12s %8s %10s %10s %8s' % header)
    for r in results:
        r['ratio_to_parse'] = round(r['per_second'] / baseline, 3)
        print('%-8s %12d %8d %10.2f %10.0f %8.1f' % (
            r['mode'], r['notifications'], r['boots'], r['seconds'],
            r['per_second'], r['peak_rss_mib']))
    print('replay/parse ratio: %.3f' % results[1]['ratio_to_parse'])
    if args.json:
        with open(args.json, 'w') as f:
            json.dump({'count': written, 'results': results}, f, indent=2)
    return 0


if __name__ == '__main__':
    sys.exit(main())
