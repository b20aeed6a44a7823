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

"""The request context: who is asking, from the auth_token headers.

keystonemiddleware's auth_token removes any identity headers a client sent
and sets X-User-Id, X-Project-Id, X-Roles and the rest from the validated
token; oslo.context reads them, with the request id that the RequestId
middleware put in the environment. Creating the context stores it in the
thread, so every log line of the request carries its request id.
"""

from oslo_context import context


class RequestContext(context.RequestContext):
    """A request context that knows whether it has a project scope."""

    @property
    def project_scoped(self):
        return bool(self.project_id) and not self.system_scope

    def policy_key(self):
        """The credentials policy reads, hashable; made once per request.

        A request asks the enforcer two or three times (may the caller
        list, in which projects, with tracebacks); each decision is
        remembered under the rule, the target and this key
        (:meth:`bootdoctor.api.policy.Enforcer.decide`). The context
        does not change during its request.
        """
        key = self.__dict__.get('_policy_key')
        if key is None:
            key = self.__dict__['_policy_key'] = frozen(
                self.to_policy_values())
        return key


def frozen(mapping):
    """A hashable form of a target or of credentials (TypeError if none)."""
    return tuple(sorted(
        (key, tuple(value) if isinstance(value, list) else value)
        for key, value in mapping.items()))


def from_environ(environ):
    return RequestContext.from_environ(environ)
