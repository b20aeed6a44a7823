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

"""The service and host behind a ``publisher_id``.

Legacy notifications use ``<service>.<host>`` (``compute.cmp1``,
``compute_task.ctl1``, ``network.net1``); versioned Nova ones use
``<binary>:<host>`` (``nova-compute:cmp1``), which is kept as it is. The
host is everything after the first separator, since host names contain
dots (and Cinder's carry ``@backend#pool``).
"""

LEGACY_SERVICES = {
    'compute': 'nova-compute',
    'scheduler': 'nova-scheduler',
    'conductor': 'nova-conductor',
    'compute_task': 'nova-conductor',
    'api': 'nova-api',
    'network': 'neutron',
    'volume': 'cinder',
    'image': 'glance',
    'identity': 'keystone',
}


def split_publisher(publisher_id):
    """(publisher_service, publisher_host); either may be None.

    An unknown legacy prefix gives service None (it is not guessed); a
    publisher without a separator gives (None, None).
    """
    head, sep, host = publisher_id.partition(':')
    if sep and '.' not in head and head:
        return head, host or None
    head, sep, host = publisher_id.partition('.')
    if not sep:
        return None, None
    return LEGACY_SERVICES.get(head), host or None
