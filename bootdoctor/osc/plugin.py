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


"""OpenStackClient plugin entry point for ``openstack boot ...``.

Registered under ``openstack.cli.extension`` as ``boot``; the commands are
in the ``openstack.boot.v1`` entry point group.
"""

import logging

from osc_lib import utils

LOG = logging.getLogger(__name__)

DEFAULT_API_VERSION = '1'
API_NAME = 'boot'
API_VERSION_OPTION = 'os_boot_api_version'
API_VERSIONS = {
    '1': 'bootdoctor.client.v1.client.Client',
}


def make_client(instance):
    """Build the boot-diagnostics client from OSC's ClientManager.

    It shares the ClientManager's keystoneauth1 session, interface and
    region. The endpoint comes from the catalogue (service type
    ``boot-diagnostics``) unless ``--os-boot-endpoint`` or the
    ``boot_diagnostics_endpoint_override`` cloud setting gives one.
    """
    version = instance._api_version[API_NAME]
    client_class = utils.get_client_class(API_NAME, version, API_VERSIONS)
    instance.setup_auth()
    config = instance.get_configuration()
    endpoint = (config.get('boot_endpoint') or
                config.get('boot_diagnostics_endpoint_override'))
    LOG.debug('Instantiating boot-diagnostics client %s (endpoint %s)',
              client_class, endpoint or 'from the catalogue')
    return client_class(
        session=instance.session,
        interface=instance.interface,
        region_name=instance.region_name,
        endpoint_override=endpoint,
        compute_endpoint_override=config.get('compute_endpoint_override'))


def build_option_parser(parser):
    """Add the global options of the boot-diagnostics plugin."""
    parser.add_argument(
        '--os-boot-api-version',
        metavar='<boot-api-version>',
        default=utils.env('OS_BOOT_API_VERSION'),
        help='Boot-diagnostics API version, default=%s '
             '(Env: OS_BOOT_API_VERSION)' % DEFAULT_API_VERSION)
    parser.add_argument(
        '--os-boot-endpoint',
        metavar='<boot-endpoint>',
        default=utils.env('OS_BOOT_ENDPOINT'),
        help='URL of the boot-diagnostics API (bootdoctor-api), used '
             'instead of the service catalogue entry of type '
             'boot-diagnostics (Env: OS_BOOT_ENDPOINT)')
    return parser
