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


"""``openstack boot watch``: follow a boot live, step by step."""

import time

from osc_lib.command import command

from bootdoctor.client import exceptions
from bootdoctor.osc.v1 import common
from bootdoctor import report

EXIT_ACTIVE = 0
EXIT_ERROR = 1
EXIT_STUCK = 2
EXIT_DELETED = 3
EXIT_TIMEOUT = 4
FINAL = {'active': EXIT_ACTIVE, 'error': EXIT_ERROR, 'stuck': EXIT_STUCK,
         'deleted': EXIT_DELETED}


class WatchBoot(command.Command):
    """Follow a server's boot, printing each step as it is reached.

    Exits 0 when the server becomes ACTIVE, 1 when the boot fails
    (error), 2 when bootdoctor declares it stuck, 3 when the server is
    deleted and 4 when the timeout expires first.
    """

    # Replaced in tests.
    clock = staticmethod(time.monotonic)
    sleep = staticmethod(time.sleep)

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        common.add_server_argument(parser, 'watch')
        parser.add_argument(
            '--interval', metavar='<seconds>', type=common.positive_float,
            default=2.0,
            help='Seconds between two polls of the API (default: 2)')
        parser.add_argument(
            '--timeout', metavar='<seconds>', type=common.positive_float,
            default=600.0,
            help='Give up, exit 4, after this many seconds (default: 600)')
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.boot
        uuid = common.resolve(client, parsed_args)
        out = self.app.stdout
        deadline = self.clock() + parsed_args.timeout
        shown = {}
        waiting_said = False
        while True:
            try:
                record = client.get_boot(
                    uuid, label=parsed_args.server,
                    all_projects=parsed_args.all_projects)
            except exceptions.NotFound:
                # The first notification may not have arrived yet.
                record = None
                if not waiting_said:
                    out.write('Waiting for the boot of %s to be recorded\n'
                              % parsed_args.server)
                    waiting_said = True
            if record is not None:
                for line in _new_steps(record, shown):
                    out.write(line + '\n')
                status = record.get('status')
                if status in FINAL:
                    out.write(_final(record, parsed_args.server) + '\n')
                    out.flush()
                    return FINAL[status]
            out.flush()
            # The last poll is at the deadline itself: a boot that ends
            # in the final interval is still reported as it ended.
            remaining = deadline - self.clock()
            if remaining <= 0:
                out.write('Timed out after %s s: %s is %s\n' % (
                    '%g' % parsed_args.timeout, parsed_args.server,
                    _where(record) if record else 'not recorded yet'))
                return EXIT_TIMEOUT
            self.sleep(min(parsed_args.interval, remaining))


def _new_steps(record, shown):
    """Lines for the steps reached (or failed) since the last poll."""
    lines = []
    count = report.step_count(record)
    for step in record.get('steps') or ():
        state = step.get('state')
        number = step.get('number')
        if state in (None, 'pending') or shown.get(number) == state:
            continue
        if number in shown and state != 'failed':
            shown[number] = state
            continue
        shown[number] = state
        at = (step.get('at') or '')[11:19] or '--:--:--'
        lines.append('%s  %2s/%s %-8s %s' % (at, number, count, state,
                                             step.get('title') or ''))
    return lines


def _where(record):
    text = '%s' % record.get('status')
    if record.get('phase'):
        text += ' in %s' % record['phase']
    if record.get('step'):
        text += ' at step %s/%s' % (record['step'],
                                    report.step_count(record))
    return text


def _final(record, server):
    status = record.get('status')
    took = report.duration(record.get('duration_s'))
    if status == 'active':
        return 'Server %s is ACTIVE%s' % (
            server, ' after %s' % took if took else '')
    text = 'Boot of %s is %s' % (server, _where(record))
    cause = record.get('root_cause') or record.get('fault')
    if cause:
        text += ': %s' % report.fault_text(cause)
    summary = (record.get('diagnosis') or {}).get('summary')
    if summary and not cause:
        text += ': %s' % summary
    return text + '\nRun "openstack boot diagnose %s" for the logs and ' \
        'next commands' % server
