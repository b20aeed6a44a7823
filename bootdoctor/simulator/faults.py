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

"""Nova faults the scenarios put into a recorded ``instance.create.error``.

Class names, codes and message formats are Nova's (``nova/exception.py``);
the module and function are where Nova raises them.
"""

import dataclasses

from bootdoctor.simulator import templates


@dataclasses.dataclass(frozen=True)
class NovaFault:
    exception: str
    msg_fmt: str
    code: int
    module: str
    function: str

    def message(self, **values):
        return self.msg_fmt % values

    def traceback(self, message):
        return ('Traceback (most recent call last):\n'
                '  File "/opt/stack/nova/nova/compute/manager.py", line 2714,'
                ' in _build_and_run_instance\n'
                '  File "/opt/stack/%s.py", in %s\n'
                '%s.%s: %s\n' % (self.module.replace('.', '/'), self.function,
                                 'nova.exception', self.exception, message))


# From nova-samples/instance-create-error.json (the sample names the test
# module that raised it; Nova raises it while building resources).
FLAVOR_DISK_TOO_SMALL = NovaFault(
    'FlavorDiskTooSmall',
    "The created instance's disk would be too small.", 500,
    'nova.compute.manager', '_build_resources')
PORT_BINDING_FAILED = NovaFault(
    'PortBindingFailed',
    'Binding failed for port %(port_id)s, please check neutron logs for '
    'more information.', 400,
    'nova.network.neutron', '_ensure_no_port_binding_failure')
BDM_ABORT = NovaFault(
    'BuildAbortException',
    'Build of instance %(instance_uuid)s aborted: Failure prepping block '
    'device.', 500,
    'nova.compute.manager', '_build_resources')
DELETING = NovaFault(
    'UnexpectedDeletingTaskStateError',
    "Conflict updating instance %(instance_uuid)s. Expected: "
    "{'task_state': ['spawning']}. Actual: {'task_state': 'deleting'}", 500,
    'nova.db.main.api', '_instance_update')


def replace(emissions, fault, **values):
    """Put ``fault`` into the create.error messages of ``emissions``.

    The legacy payload carries ``exception`` (the repr Nova's
    ``NovaException`` gives), ``message`` and ``code``; the versioned one an
    ``ExceptionPayload``. Returns new emissions.
    """
    message = fault.message(**values)
    result = []
    for emission in emissions:
        if emission.event_type.endswith('instance.create.error'):
            payload = _with_fault(emission, fault, message)
            emission = dataclasses.replace(emission, payload=payload)
        result.append(emission)
    return result


def _with_fault(emission, fault, message):
    payload = dict(emission.payload)
    if emission.format == 'legacy':
        payload['exception'] = str({'kwargs': {'code': fault.code},
                                    'message': message,
                                    'class': fault.exception})
        payload['message'] = message
        payload['code'] = fault.code
        return payload
    data = dict(payload['nova_object.data'])
    exc = dict(data['fault'])
    exc['nova_object.data'] = {
        'exception': fault.exception,
        'exception_message': message,
        'function_name': fault.function,
        'module_name': fault.module,
        'traceback': fault.traceback(message),
    }
    data['fault'] = exc
    payload['nova_object.data'] = data
    return payload


def sample_fault():
    """The fault of Nova's own instance.create.error sample."""
    sample = templates.nova_sample('instance-create-error')
    return sample['payload']['nova_object.data']['fault']['nova_object.data']
