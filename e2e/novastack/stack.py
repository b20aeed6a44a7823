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

"""Nova's functional stack, one fresh stack per scenario.

:class:`NovaStack` is Nova's own ``_IntegratedTestBase`` (real nova-api
behind wsgi-intercept, conductor, scheduler, computes with a fake virt
driver, real Placement, Nova's Neutron, Glance and Cinder fixtures, SQLite
databases) with three changes:

- RPC casts stay casts (``CAST_AS_CALL = False``), so services race as they
  do in a deployment;
- Nova's real notifiers publish to RabbitMQ through ``messagingv2``;
- each service has its own ``CONF.host`` (see :mod:`novastack.hostemu`):
  the controller services and the API run as ``controller``, the computes
  as ``compute1``, ``compute2``...
"""

import time

from nova import conf as nova_conf
from nova.tests import fixtures as nova_fixtures
from nova.tests.functional.api import client as api_client
from nova.tests.functional import integrated_helpers

from novastack import faults
from novastack import hostemu
from novastack import notifier

CONF = nova_conf.CONF

CONTROLLER = 'controller'
NETWORK_ID = nova_fixtures.NeutronFixture.network_1['id']


class StackOptions:
    """What one run of the driver is pointed at, shared by its scenarios."""

    def __init__(self, transport_url, exchange):
        self.transport_url = transport_url
        self.exchange = exchange
        self.send_log = notifier.SendLog()


class NovaStack(integrated_helpers._IntegratedTestBase):
    """One Nova deployment in this process, set up for one scenario.

    Subclasses (made by :func:`novastack.scenarios.case_for`) set
    ``SCENARIO`` and ``OPTIONS``.
    """

    CAST_AS_CALL = False
    microversion = 'latest'

    SCENARIO = None
    OPTIONS = None

    def _setup_services(self):
        scenario = self.SCENARIO
        self.flags(compute_driver=scenario.compute_driver)
        for group, opts in scenario.flags.items():
            self.flags(group=None if group == 'DEFAULT' else group, **opts)

        notifier.use_real_notifiers(
            self, CONF, self.OPTIONS.transport_url, self.OPTIONS.exchange,
            self.OPTIONS.send_log)
        self.injections = faults.InjectionLog()
        self.hosts = hostemu.HostEmulation(CONF)
        self.hosts.install(self)
        # The API runs in this thread; so do service start-ups, each as
        # its own host.
        self.hosts.set_thread_host(CONTROLLER)
        scenario.before(self)
        super()._setup_services()
        self.hosts.set_thread_host(CONTROLLER)
        self.admin_api.microversion = 'latest'

    def _setup_conductor_service(self):
        with self.hosts.acting_as(CONTROLLER):
            return self.start_service('conductor', host=CONTROLLER)

    def _setup_scheduler_service(self):
        with self.hosts.acting_as(CONTROLLER):
            return self.start_service('scheduler', host=CONTROLLER)

    def _setup_compute_service(self):
        first = None
        for number in range(1, self.SCENARIO.computes + 1):
            host = 'compute%d' % number
            with self.hosts.acting_as(host):
                service = self._start_compute(host)
            first = first or service
        return first

    # -- helpers for scenarios --------------------------------------------

    def server_request(self, name, flavor_id=None, image_uuid=None,
                       **extra):
        """A ``POST /servers`` body on Nova's Neutron fixture network."""
        body = self._build_server(
            name=name, image_uuid=image_uuid, flavor_id=flavor_id,
            networks=[{'uuid': NETWORK_ID}])
        body.update(extra)
        return body

    def boot(self, body):
        """Send ``POST /servers`` as the project user; return the server."""
        return self.api.post_server({'server': body})

    def wait_for(self, predicate, what, timeout=60.0, interval=0.1):
        """Poll ``predicate`` until it returns a true value; return it."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                self.fail('Timed out after %ss waiting for %s'
                          % (timeout, what))
            time.sleep(interval)

    def server_or_none(self, server_id):
        try:
            return self.admin_api.get_server(server_id)
        except api_client.OpenStackApiNotFoundException:
            return None

    def wait_for_status(self, server_id, *statuses, timeout=60.0):
        """Wait for one of ``statuses`` with no task in progress."""
        def settled():
            server = self.server_or_none(server_id)
            if (server and server['status'] in statuses
                    and server.get('OS-EXT-STS:task_state') is None
                    and (server['status'] != 'ERROR' or 'fault' in server)):
                return server
            return None
        return self.wait_for(
            settled, 'server %s to become %s' % (server_id, statuses),
            timeout=timeout)

    def wait_until_gone(self, server_id, timeout=60.0):
        return self.wait_for(
            lambda: self.server_or_none(server_id) is None,
            'server %s to be deleted' % server_id, timeout=timeout)
