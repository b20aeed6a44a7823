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

"""Play boot scenarios against upstream Nova and write what Nova reported.

Run inside the Nova virtualenv with ``e2e`` on ``PYTHONPATH``::

    python -m novastack.run --exchange EXCHANGE --output result.json \\
        [--transport-url rabbit://guest:guest@127.0.0.1:5672/] \\
        [--log-dir DIR] [SCENARIO ...]

Each scenario gets a fresh stack (see :mod:`novastack.stack`). The output
is one JSON object, rewritten after every scenario::

    {"nova_version": ..., "exchange": ...,
     "scenarios": {NAME: {"ok", "error", "servers", "injected", "sent",
                          "send_failures", "settled", "host_emulation",
                          "compute_hosts", "compute_driver"}}}

``servers`` holds :func:`novastack.report.server_truth` for each server the
scenario created, ``sent`` every notification handed to the broker while
the scenario's stack existed (service start-up and shut-down included).
The exit status is 0 only if every scenario ran as intended.
"""

import os

# Nova's functional package monkey patches eventlet on import unless told
# to run with native threads, as Nova's own threading test jobs do.
os.environ.setdefault('OS_NOVA_DISABLE_EVENTLET_PATCHING', '1')

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import traceback  # noqa: E402
import unittest  # noqa: E402

from nova.tests import functional  # noqa: E402,F401  (applies the patching)

from nova import conf as nova_conf  # noqa: E402
from nova import version as nova_version  # noqa: E402

from novastack import report  # noqa: E402
from novastack import scenarios  # noqa: E402
from novastack import stack  # noqa: E402

CONF = nova_conf.CONF
DEFAULT_TRANSPORT_URL = 'rabbit://guest:guest@127.0.0.1:5672/'


def _test_scenario(self):
    outcome = self.OUTCOME
    self.booted = []
    real_boot = self.boot

    def boot(body):
        server = real_boot(body)
        if 'id' in server:
            self.booted.append(server['id'])
        return server

    self.boot = boot
    try:
        server_ids = self.SCENARIO.run(self)
        outcome['server_ids'] = list(server_ids)
        # The scenario waited for the API to show the outcome; Nova may
        # still be sending the last notifications (create.end follows the
        # ACTIVE save, build_instances.error the ERROR one).
        outcome['settled'] = self.OPTIONS.send_log.settle()
    finally:
        ids = outcome.get('server_ids') or self.booted
        outcome['servers'] = [report.server_truth(self.admin_api, sid)
                              for sid in ids]
        outcome['injected'] = self.injections.entries()
        outcome['host_emulation'] = self.hosts.report()
        outcome['compute_hosts'] = sorted(self.computes)
        outcome['compute_driver'] = CONF.compute_driver
        outcome['log'] = self.stdlog.logger.output


def case_for(scenario, options, outcome):
    """A one-test Nova TestCase class running ``scenario``."""
    cls = type(scenario.name, (stack.NovaStack,), {
        'SCENARIO': scenario,
        'OPTIONS': options,
        'OUTCOME': outcome,
        'test_scenario': _test_scenario,
    })
    return cls('test_scenario')


def run_scenario(scenario, options, log_dir=None):
    outcome = {'ok': False, 'error': None, 'servers': [], 'injected': [],
               'settled': None}
    mark = options.send_log.mark()
    failures_before = len(options.send_log.failed)
    result = unittest.TestResult()
    try:
        case_for(scenario, options, outcome).run(result)
    except Exception:
        result.errors.append((scenario.name, traceback.format_exc()))
    problems = [text for _case, text in result.errors + result.failures]
    outcome['ok'] = not problems and result.testsRun == 1
    outcome['error'] = '\n'.join(problems) or None
    outcome['sent'] = options.send_log.since(mark)
    outcome['send_failures'] = options.send_log.failed[failures_before:]
    log = outcome.pop('log', '')
    if log_dir:
        os.makedirs(log_dir, exist_ok=True)
        with open(os.path.join(log_dir, scenario.name + '.log'), 'w') as f:
            f.write(log or '')
            if outcome['error']:
                f.write('\n' + outcome['error'])
    return outcome


def _write(path, data):
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(data, f, indent=1, sort_keys=True, default=str)
    os.replace(tmp, path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--transport-url', default=DEFAULT_TRANSPORT_URL,
                        help='notification transport (default %(default)s)')
    parser.add_argument('--exchange',
                        help='exchange to publish notifications to')
    parser.add_argument('--output', help='JSON file to write')
    parser.add_argument('--log-dir', help='write each scenario\'s Nova log '
                        'to DIR/<scenario>.log')
    parser.add_argument('--list', action='store_true',
                        help='list the scenarios and exit')
    parser.add_argument('scenarios', nargs='*',
                        help='scenarios to run (default: all)')
    args = parser.parse_args(argv)

    if args.list:
        for name, sc in scenarios.SCENARIOS.items():
            print('%-28s %s' % (name, sc.doc.splitlines()[0]))
        return 0
    if not args.exchange or not args.output:
        parser.error('--exchange and --output are required')
    unknown = set(args.scenarios) - set(scenarios.SCENARIOS)
    if unknown:
        parser.error('unknown scenarios: %s' % ', '.join(sorted(unknown)))

    options = stack.StackOptions(args.transport_url, args.exchange)
    data = {
        'nova_version': nova_version.version_string(),
        'exchange': args.exchange,
        'controller_host': stack.CONTROLLER,
        'scenarios': {},
    }
    ok = True
    for name in args.scenarios or list(scenarios.SCENARIOS):
        outcome = run_scenario(scenarios.SCENARIOS[name], options,
                               args.log_dir)
        data['scenarios'][name] = outcome
        ok = ok and outcome['ok']
        _write(args.output, data)
        print('%-28s %s' % (name, 'ok' if outcome['ok'] else 'FAILED'),
              flush=True)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
