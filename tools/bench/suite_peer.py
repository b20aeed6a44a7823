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
"""The Ceilometer peer of the benchmark suite (run by tools/bench/suite.py).

One backlog of ``--count`` simulator notifications is published once into
three copies on the same RabbitMQ, all bound to the same exchanges and
topics, and drained in turn by:

- ``bare``: the oslo.messaging batch listener that only acknowledges;
- ``ceilometer``: ``ceilometer-agent-notification`` from the virtualenv
  ``--ceilometer-venv`` (``pip install ceilometer`` into a virtualenv of
  its own; see doc/source/admin/performance.rst), with only the event
  pipeline, the event definitions it ships and the ``test://`` publisher;
- ``postgresql``: bootdoctor-collector, 1 worker, PostgreSQL;

so that bootdoctor/ceilometer and each rate over the bare one come from one
run. Without a usable virtualenv the section says why and measures
nothing. The consumers and their configuration are suite_ingest.py's.
"""

import os
import subprocess
import uuid

import suite_ingest

AGENT = 'ceilometer-agent-notification'


def ceilometer_version(venv):
    """The Ceilometer version in ``venv``, or raise with the reason."""
    if not venv:
        raise LookupError('no Ceilometer virtualenv given (--ceilometer-venv '
                          'or CEILOMETER_VENV)')
    agent = os.path.join(venv, 'bin', AGENT)
    if not os.path.exists(agent):
        raise LookupError('%s not found (is ceilometer installed in %s?)'
                          % (agent, venv))
    run = subprocess.run(
        [os.path.join(venv, 'bin', 'python'), '-c',
         'import importlib.metadata as m; print(m.version("ceilometer"))'],
        capture_output=True, text=True)
    if run.returncode:
        raise LookupError('ceilometer does not import in %s: %s' % (
            venv, (run.stderr.strip().splitlines() or ['?'])[-1]))
    return run.stdout.strip()


def ceilometer(args, databases, directory):
    try:
        version = ceilometer_version(args.ceilometer_venv)
    except LookupError as exc:
        return {'ceilometer': {'rate': None, 'why': str(exc)}}
    cb, mq = suite_ingest.collector_bench(), suite_ingest.bench_broker()
    names = mq.Names('bdpeer%s' % uuid.uuid4().hex[:8])
    pools = {'bare': names.pool('bare'), 'postgresql': names.pool('pg')}
    results = {'names': names.tag, 'ceilometer_version': version}
    try:
        mq.declare(args.rabbit, names, list(pools.values()), args.batch_size)
        suite_ingest.declare_ceilometer(args.rabbit, names, args.batch_size,
                                        mq)
        print('publishing a backlog of %d notifications' % args.count,
              flush=True)
        sent, seconds = mq.publish(args.rabbit, names, args.count,
                                   args.publishers)
        results.update(sent=sent, publish_rate=sent / seconds)
        results['bare'] = {'rate': cb.run_bare(
            args.rabbit, names, pools['bare'], sent, args.batch_size)}
        print('  bare: %.0f/s' % results['bare']['rate'], flush=True)
        results['ceilometer'] = suite_ingest.run_ceilometer(
            mq, directory, args.rabbit, names, args.batch_size,
            args.ceilometer_venv, args.drain_limit)
        results['ceilometer']['version'] = version
        print('  ceilometer: %s/s' % results['ceilometer']['rate'],
              flush=True)
        database = databases.new('postgresql', 'peer')
        results['postgresql'] = suite_ingest.run_collector(
            cb, directory, args.rabbit, names, pools['postgresql'], database,
            1, sent, args.batch_size, args.drain_limit)
        print('  postgresql: %s/s' % results['postgresql']['rate'],
              flush=True)
    finally:
        mq.cleanup(args.rabbit, names, list(pools.values()) +
                   suite_ingest.ceilometer_queues(names, mq))
    bare = results['bare']['rate']
    for label in ('ceilometer', 'postgresql'):
        rate = results[label].get('rate')
        results[label]['ratio_to_bare'] = rate / bare if rate else None
    peer = results['ceilometer'].get('rate')
    own = results['postgresql'].get('rate')
    results['bootdoctor_to_ceilometer'] = own / peer if own and peer else None
    return results
