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

"""Read what Nova's API reported into what a boot record should say.

The driver writes, per server, ``GET /servers/{id}`` (admin, latest
microversion) and the instance actions with their events. These helpers
turn that into the expected values of the boot record's fields, from Nova's
answer alone.
"""

STATUS = {'ACTIVE': 'active', 'ERROR': 'error'}
BUILD_EVENTS = ('compute__do_build_and_run_instance',)


def expected_status(server):
    """bootdoctor's status for what the API says (gone means deleted)."""
    if not server['found']:
        return 'deleted'
    return STATUS.get(server['status'], server['status'])


def create_action(server):
    for action in server.get('instance_actions') or ():
        if action['action'] == 'create':
            return action
    return None


def attempt_hosts(server):
    """Hosts of the build attempts, in order: one compute event each."""
    action = create_action(server)
    if action is None:
        return []
    return [event['host'] for event in action['events']
            if event['event'] in BUILD_EVENTS]


def expected_outcomes(server):
    """Outcome of each attempt.

    Only the last can have succeeded (ACTIVE) or been cut short (deleted);
    a server in ERROR failed every one.
    """
    hosts = attempt_hosts(server)
    if not hosts:
        return []
    last = {'active': 'success', 'error': 'failed',
            'deleted': 'aborted'}[expected_status(server)]
    return ['failed'] * (len(hosts) - 1) + [last]


def fault_exception(fault):
    """The exception class name of an API fault, from its traceback.

    The last line of ``details`` is ``module.ClassName: message`` for a
    fault recorded with a traceback.
    """
    details = (fault or {}).get('details') or ''
    lines = [line for line in details.splitlines() if line.strip()]
    if not lines or lines[0] != 'Traceback (most recent call last):':
        return None
    head = lines[-1].split(':', 1)[0].strip()
    return head.rsplit('.', 1)[-1] or None
