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

"""Handlers loaded from the bootdoctor.notification.handlers namespace."""

import functools

from oslo_log import log as logging
from stevedore import extension

NAMESPACE = 'bootdoctor.notification.handlers'
LOG = logging.getLogger(__name__)


class Registry:
    """Event type to handler, built from a set of handler objects."""

    def __init__(self, handlers):
        self.handlers = tuple(handlers)
        self._by_type = {}
        for handler in self.handlers:
            for event_type in handler.event_types:
                other = self._by_type.get(event_type)
                if other is not None and other is not handler:
                    raise ValueError(
                        'event type %s is claimed by the %s and %s handlers'
                        % (event_type, other.source, handler.source))
                self._by_type[event_type] = handler

    def lookup(self, event_type):
        """The handler for ``event_type``, or None when none knows it."""
        return self._by_type.get(event_type)

    def event_types(self):
        return frozenset(self._by_type)

    @classmethod
    def from_entry_points(cls):
        manager = extension.ExtensionManager(
            NAMESPACE, invoke_on_load=True,
            on_load_failure_callback=_load_failed)
        LOG.debug('Notification handlers loaded: %s', manager.names())
        return cls(ext.obj for ext in manager)


def _load_failed(manager, entrypoint, exc):
    # A missing handler would silently reject a whole service's
    # notifications as unknown: fail loudly instead.
    raise RuntimeError('cannot load notification handler %s: %s'
                       % (entrypoint, exc)) from exc


@functools.lru_cache(maxsize=1)
def default_registry():
    """The registry of every installed handler (loaded once)."""
    return Registry.from_entry_points()


def event_types():
    """Every event type some installed handler understands.

    A collector can use it to build its NotificationFilter.
    """
    return default_registry().event_types()
