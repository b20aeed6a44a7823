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

"""The [nova] group: asking the compute API about stuck boots."""

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg

GROUP = 'nova'
SERVICE_TYPE = 'compute'

nova_group = cfg.OptGroup(
    GROUP,
    title='Compute API options',
    help='How bootdoctor-collector reaches the Nova API to reconcile stuck '
         'boots (GET /servers/{id}): a server deleted while it was being '
         'scheduled leaves no notification at all, and a lost notification '
         'looks like a stall. Uses keystoneauth1 service credentials '
         '(auth_type, auth_url, username, password, project_name, '
         'user_domain_name, project_domain_name, ...), session options '
         '(cafile, insecure, timeout, ...) and endpoint options '
         '(region_name, valid_interfaces, endpoint_override). The user '
         'needs to see servers of every project (the admin role, or a '
         'reader with os_compute_api:servers:show for all projects).')

nova_opts = [
    cfg.BoolOpt(
        'reconcile', default=False, mutable=True,
        help='Ask Nova about every boot found stuck and record its answer '
             'as a finding (the server is gone, or Nova says it is ACTIVE '
             'or in ERROR although no notification said so). Requires the '
             'credentials of this group. Related options: '
             '[collector] stuck_check_interval.'),
]


def register_opts(conf):
    conf.register_group(nova_group)
    conf.register_opts(nova_opts, group=nova_group)
    ks_loading.register_session_conf_options(conf, GROUP)
    ks_loading.register_auth_conf_options(conf, GROUP)
    ks_loading.register_adapter_conf_options(conf, GROUP,
                                             include_deprecated=False)
    conf.set_default('service_type', SERVICE_TYPE, group=GROUP)


def list_opts():
    options = list(nova_opts)
    options += ks_loading.get_session_conf_options()
    options += ks_loading.get_auth_common_conf_options()
    options += ks_loading.get_auth_plugin_conf_options('password')
    options += ks_loading.get_adapter_conf_options(include_deprecated=False)
    # Each option once (the password plugin repeats some common ones).
    unique = {}
    for option in options:
        unique.setdefault(option.dest, option)
    return [(nova_group, list(unique.values()))]
