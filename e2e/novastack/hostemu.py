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

"""Give every in-process Nova service its own ``CONF.host``.

Nova's functional stack runs all services in one process, so they share one
``CONF.host``: the last ``start_service(host=...)`` wins. In a real
deployment each service has its own, and Nova puts it into notification
publisher ids (``compute.<host>``, ``nova-compute:<host>``) and into
payloads wherever the code reads ``CONF.host`` instead of ``self.host``.

This module attributes each read of ``CONF.host`` to the service whose code
is running:

- an RPC message is dispatched with the host of the RPC server that received
  it (``Target.server``, which Nova sets to the service host);
- work spawned with ``nova.thread_pool_factory.spawn_on`` inherits the host
  of the code that spawned it;
- the caller names the host for the main thread (the API runs there, behind
  wsgi-intercept) and while a service starts.

A read made where no host is attributed falls back to the real option value
and is counted, with its call site, so that a run can show it attributed
every read.
"""

import collections
import contextlib
import contextvars
import functools
import threading
import traceback

_HOST = contextvars.ContextVar('novastack_service_host', default=None)


class HostEmulation:
    """Per-service ``CONF.host`` for one process; install once per stack."""

    def __init__(self, conf):
        self._conf = conf
        self._lock = threading.Lock()
        self._dispatch_hosts = {}
        self.unattributed = collections.Counter()
        self._installed = False

    # -- attribution ------------------------------------------------------

    @contextlib.contextmanager
    def acting_as(self, host):
        """Attribute ``CONF.host`` reads in this block to ``host``."""
        token = _HOST.set(host)
        try:
            yield
        finally:
            _HOST.reset(token)

    def set_thread_host(self, host):
        """Attribute reads made by the current thread from now on."""
        _HOST.set(host)

    @staticmethod
    def current():
        return _HOST.get()

    def _note_unattributed(self):
        frames = traceback.extract_stack(limit=6)[:-3]
        site = ' <- '.join(
            '%s:%s' % (f.filename.rsplit('/', 2)[-1], f.lineno)
            for f in reversed(frames))
        with self._lock:
            self.unattributed[site] += 1

    def report(self):
        return {
            'enabled': self._installed,
            'unattributed_conf_host_reads': sum(self.unattributed.values()),
            'unattributed_sites': dict(self.unattributed.most_common(10)),
        }

    # -- installation -----------------------------------------------------

    def install(self, test):
        """Patch CONF, RPC servers and thread spawning for ``test``'s life.

        ``test`` is a Nova ``TestCase``; every patch is undone by its
        cleanups.
        """
        import fixtures
        from oslo_messaging.rpc import dispatcher as rpc_dispatcher

        from nova import rpc
        from nova import thread_pool_factory

        emulation = self
        conf = self._conf
        base_cls = type(conf)

        class _HostAwareConf(base_cls):
            def __getattr__(self, name):
                if name == 'host':
                    host = _HOST.get()
                    if host is not None:
                        return host
                    emulation._note_unattributed()
                return base_cls.__getattr__(self, name)

        conf.__class__ = _HostAwareConf
        test.addCleanup(setattr, conf, '__class__', base_cls)

        real_get_server = rpc.get_server

        def get_server(target, endpoints, serializer=None):
            server = real_get_server(target, endpoints, serializer)
            with emulation._lock:
                emulation._dispatch_hosts[id(server.dispatcher)] = (
                    target.server)
            return server

        test.useFixture(fixtures.MonkeyPatch(
            'nova.rpc.get_server', get_server))

        real_dispatch = rpc_dispatcher.RPCDispatcher.dispatch

        @functools.wraps(real_dispatch)
        def dispatch(dispatcher, incoming):
            host = emulation._dispatch_hosts.get(id(dispatcher))
            if host is None:
                return real_dispatch(dispatcher, incoming)
            token = _HOST.set(host)
            try:
                return real_dispatch(dispatcher, incoming)
            finally:
                _HOST.reset(token)

        test.useFixture(fixtures.MonkeyPatch(
            'oslo_messaging.rpc.dispatcher.RPCDispatcher.dispatch',
            dispatch))

        real_spawn_on = thread_pool_factory.spawn_on

        def spawn_on(executor_type, func, *args, **kwargs):
            host = _HOST.get()

            @functools.wraps(func)
            def run_as_spawner(*a, **kw):
                token = _HOST.set(host)
                try:
                    return func(*a, **kw)
                finally:
                    _HOST.reset(token)

            return real_spawn_on(executor_type, run_as_spawner,
                                 *args, **kwargs)

        test.useFixture(fixtures.MonkeyPatch(
            'nova.thread_pool_factory.spawn_on', spawn_on))
        self._installed = True
