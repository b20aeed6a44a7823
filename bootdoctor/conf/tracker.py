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

"""The [tracker] group: how boots are judged stuck."""

from oslo_config import cfg

GROUP = 'tracker'


def tracker_group():
    # A new OptGroup for every ConfigOpts: oslo.config keeps overrides in
    # the group object, so a module-level group would carry one
    # ConfigOpts' set_override into every other one in the process.
    return cfg.OptGroup(
        GROUP,
        title='Boot tracker options',
        help='How bootdoctor decides that a boot is stuck. Read by '
             'bootdoctor-collector (periodic stuck detection), '
             'bootdoctor-api and bootdoctor-manage replay.')


tracker_opts = [
    cfg.IntOpt('scheduling_deadline', default=300, min=1,
               help='Seconds a boot may stay in the scheduling phase '
                    '(API accepted, no compute has started it) before it '
                    'is stuck. Related options: networking_deadline, '
                    'block_device_mapping_deadline, spawning_deadline.'),
    cfg.IntOpt('networking_deadline', default=300, min=1,
               help='Seconds a boot may stay in the networking phase '
                    '(Neutron port allocation and binding) before it is '
                    'stuck.'),
    cfg.IntOpt('block_device_mapping_deadline', default=600, min=1,
               help='Seconds a boot may stay in the block_device_mapping '
                    'phase (Cinder volume creation and attachment) before '
                    'it is stuck. Volume creation from a large image can '
                    'be slow; raise this where that is normal.'),
    cfg.IntOpt('spawning_deadline', default=600, min=1,
               help='Seconds a boot may stay in the spawning phase (image '
                    'download and hypervisor spawn) before it is stuck.'),
]


def deadlines(conf):
    """The per-phase deadlines, in seconds, as the tracker takes them."""
    group = conf.tracker
    return {
        'scheduling': group.scheduling_deadline,
        'networking': group.networking_deadline,
        'block_device_mapping': group.block_device_mapping_deadline,
        'spawning': group.spawning_deadline,
    }


def register_opts(conf):
    group = tracker_group()
    conf.register_group(group)
    conf.register_opts(tracker_opts, group=group)


def list_opts():
    return [(tracker_group(), tracker_opts)]
