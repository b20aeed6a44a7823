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


"""The errors the storage layer raises.

Callers see these, never a driver or SQLAlchemy exception:

- :class:`DBUnavailable` is transient (the server is down, a deadlock or
  lock timeout outlived its retries): a listener requeues the message.
- :class:`InvalidFilter` and :class:`InvalidInput` are the caller's fault:
  an API turns them into a 400 naming ``parameter``, a listener records a
  rejection.
- :class:`NotFound` is a missing or hidden boot.
- :class:`NotInitialised` means the schema is missing:
  ``bootdoctor-manage db sync`` has not been run.
"""


class StorageError(Exception):
    """Base class for bootdoctor storage errors."""
    transient = False


class NotFound(StorageError):
    """The boot does not exist (or belongs to another project)."""

    def __init__(self, what, ident):
        self.what = what
        self.ident = ident
        super().__init__('%s %s not found' % (what, ident))


class InvalidFilter(StorageError, ValueError):
    """A filter, sort key, limit or marker is not acceptable."""

    def __init__(self, parameter, reason):
        self.parameter = parameter
        self.reason = reason
        super().__init__('invalid %s: %s' % (parameter, reason))


class InvalidInput(StorageError, ValueError):
    """An observation, record or rejection cannot be stored as given."""


class DBUnavailable(StorageError):
    """A transient database fault; retrying later may succeed."""
    transient = True

    def __init__(self, cause):
        self.cause = cause
        super().__init__('database unavailable: %s' % (cause,))


class NotInitialised(StorageError):
    """The database has no bootdoctor schema yet."""

    def __init__(self, url=None):
        self.url = url
        super().__init__('the database has no bootdoctor schema; run '
                         '"bootdoctor-manage db sync" first')
