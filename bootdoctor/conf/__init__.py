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

"""Configuration options, one module per option group.

Each module in this package defines ``register_opts(conf)`` and
``list_opts()``; :mod:`bootdoctor.conf.opts` discovers them, so a new
group needs no central edit.
"""

from oslo_config import cfg

from bootdoctor.conf import opts


def register_opts(conf):
    """Register every bootdoctor option group on ``conf``."""
    for module in opts.option_modules():
        module.register_opts(conf)


def new_conf():
    """A fresh ConfigOpts with every bootdoctor option registered."""
    conf = cfg.ConfigOpts()
    register_opts(conf)
    return conf
