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

"""Nova faults, from the versioned ExceptionPayload and from legacy shapes.

A versioned fault names its exception class. A legacy one does not
always:

* modern Nova sends ``str(exception_to_dict(e))``, a Python ``repr`` of
  ``{'kwargs': {...}, 'message': ..., 'class': ...}``, in
  ``compute.instance.create.error``'s ``exception`` and in
  ``compute_task.build_instances``'s ``reason``;
* Icehouse sent ``{'kwargs': {...}}`` alone, with the text in the
  payload's ``message``.

The class is recovered from the message only where Nova's own message
format (``msg_fmt`` in nova/exception.py) and the keyword arguments make
it certain; otherwise it stays None.
"""

import ast
import re

from bootdoctor.notification.errors import ParseError
from bootdoctor.notification import fields
from bootdoctor.observation import Fault

# (class, msg_fmt) from nova/exception.py, for exceptions seen in boots.
_MSG_FMTS = (
    ('RescheduledException',
     'Build of instance %(instance_uuid)s was re-scheduled: %(reason)s'),
    ('BuildAbortException',
     'Build of instance %(instance_uuid)s aborted: %(reason)s'),
    ('MaxRetriesExceeded', 'Exceeded maximum number of retries. %(reason)s'),
    ('NoValidHost', 'No valid host was found. %(reason)s'),
    ('ComputeResourcesUnavailable',
     'Insufficient compute resources: %(reason)s.'),
    ('PortBindingFailed',
     'Binding failed for port %(port_id)s, please check neutron logs for '
     'more information.'),
    ('InstanceUpdateConflict',
     'Conflict updating instance %(instance_uuid)s. Expected: '
     '%(expected)s. Actual: %(actual)s'),
)
_PLACEHOLDER = re.compile(r'%\((\w+)\)s')
# nova.scheduler.utils.populate_retry: Icehouse to Mitaka raised
# NoValidHost with this reason; later releases raise MaxRetriesExceeded and
# append the last exception.
_RETRY_REASON = re.compile(
    r'^Exceeded max scheduling attempts \d+ for instance \S+?'
    r'(?P<last>\. Last exception: .*)?$', re.DOTALL)
_CLASS_NAME = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')
# The keys of nova.compute.utils.exception_to_dict.
_EXCEPTION_KEYS = frozenset(('kwargs', 'message', 'class'))
_MAX_REPR = 64 * 1024


def _compile(fmt):
    names = tuple(_PLACEHOLDER.findall(fmt))
    pieces = _PLACEHOLDER.split(fmt)
    pattern = ''.join(re.escape(p) if i % 2 == 0 else '(?P<%s>.*)' % p
                      for i, p in enumerate(pieces))
    prefix = pieces[0]
    return names, prefix, re.compile('^' + pattern + '$', re.DOTALL)


_FORMATS = tuple((cls,) + _compile(fmt) for cls, fmt in _MSG_FMTS)


def recover_class(message, kwargs):
    """The Nova exception class a legacy fault certainly is, else None.

    ``message`` is the exception text (None when absent; Nova may have cut
    it at 255 characters), ``kwargs`` the exception's keyword arguments
    (None when absent). With keyword arguments, the message must start
    with the format's fixed text and the argument names must be exactly
    the format's; without them the whole message must match the format.
    """
    names = None
    if kwargs is not None:
        names = frozenset(k for k in kwargs if k != 'code')
    if message is not None:
        for cls, fmt_names, prefix, regex in _FORMATS:
            if not message.startswith(prefix):
                continue
            if names is None:
                match = regex.match(message)
                if not match:
                    continue
                values = match.groupdict()
            elif names != frozenset(fmt_names):
                continue
            else:
                values = kwargs
            return _refine(cls, values)
    elif names == frozenset(['reason']):
        reason = kwargs.get('reason')
        match = isinstance(reason, str) and _RETRY_REASON.match(reason)
        if match:
            if match.group('last'):
                return 'MaxRetriesExceeded'
            return 'NoValidHost'
    return None


def _refine(cls, values):
    if cls != 'InstanceUpdateConflict':
        return cls
    # nova/db/main/api.py raises UnexpectedDeletingTaskStateError exactly
    # when the actual task_state is 'deleting'; the other cases sharing
    # this message format are not told apart.
    actual = values.get('actual')
    if isinstance(actual, dict):
        actual = actual.get('task_state')
    if isinstance(actual, str) and (
            actual == 'deleting' or "'task_state': 'deleting'" in actual):
        return 'UnexpectedDeletingTaskStateError'
    return None


def versioned_fault(obj):
    """Fault from an ExceptionPayload's ``nova_object.data``, or None."""
    if obj is None:
        return None
    exception = obj.str('exception', empty_is_none=True)
    return Fault(exception=exception,
                 message=obj.str('exception_message'),
                 traceback=obj.str('traceback'),
                 module=obj.str('module_name'),
                 function=obj.str('function_name'))


def _exception_dict(value, path):
    """(class, message, kwargs) from a legacy exception value.

    ``value`` is a dict, the repr text of one, or other text (kept as the
    message).
    """
    if value is None:
        return None, None, None
    if isinstance(value, str):
        parsed = _literal(value)
        if not (isinstance(parsed, dict) and
                _EXCEPTION_KEYS.intersection(parsed)):
            return None, value or None, None
        value = parsed
    obj = fields.Obj(value, path)
    kwargs = obj.obj('kwargs')
    cls = obj.str('class', empty_is_none=True)
    if cls is not None and not _CLASS_NAME.match(cls):
        raise ParseError('%s: not an exception class name (%s)'
                         % (obj.where('class'), fields.describe(cls)))
    message = obj.str('message', empty_is_none=True)
    return cls, message, None if kwargs is None else kwargs.data


def _literal(text):
    if len(text) > _MAX_REPR or not text.lstrip().startswith('{'):
        return None
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError,
            RecursionError):
        return None


def legacy_fault(payload, exception_key, message=None, code=None):
    """Fault from a legacy payload.

    ``exception_key`` names the payload field holding the exception
    (``exception`` on create.error, ``reason`` on build_instances);
    ``message`` and ``code`` are the payload's own, when it has them.
    """
    cls, exc_message, kwargs = _exception_dict(
        payload.raw(exception_key), payload.where(exception_key))
    if kwargs is not None:
        kwcode = kwargs.get('code')
        if kwcode is not None and (not isinstance(kwcode, int) or
                                   isinstance(kwcode, bool)):
            raise ParseError('%s.kwargs.code: expected an integer, got %s'
                             % (payload.where(exception_key),
                                fields.type_name(kwcode)))
        code = code if code is not None else kwcode
    text = message or exc_message
    if text is None and kwargs is not None:
        reason = kwargs.get('reason')
        text = reason if isinstance(reason, str) and reason else None
    if cls is None:
        cls = recover_class(message or exc_message, kwargs)
    if cls is None and text is None and code is None:
        return None
    return Fault(exception=cls, message=text, code=code)
