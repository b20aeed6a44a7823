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

"""Discovery of option modules for oslo-config-generator.

Modules in :mod:`bootdoctor.conf` that define ``list_opts`` are found with
pkgutil, as watcher and masakari do.
"""

import collections
import importlib
import pkgutil

from oslo_db import options as db_options

LIST_OPTS_FUNC_NAME = 'list_opts'
_SKIP = ('opts',)


def option_modules():
    import bootdoctor.conf as package
    modules = []
    for _, name, ispkg in pkgutil.iter_modules(package.__path__):
        if ispkg or name in _SKIP:
            continue
        module = importlib.import_module('bootdoctor.conf.' + name)
        if hasattr(module, LIST_OPTS_FUNC_NAME):
            modules.append(module)
    return modules


def list_opts():
    """Every bootdoctor option, grouped, for oslo-config-generator."""
    grouped = collections.defaultdict(list)
    for module in option_modules():
        for group, options in module.list_opts():
            grouped[group].extend(options)
    return sorted(grouped.items(), key=lambda item: str(item[0]))


def set_lib_defaults():
    """Defaults bootdoctor sets for the libraries it uses.

    oslo-config-generator calls this before it lists the options, so the
    sample shows them.
    """
    from bootdoctor.conf import paths
    db_options.set_defaults(
        __import__('oslo_config').cfg.CONF,
        connection=paths.DEFAULT_CONNECTION)
    # bootdoctor-api sets it itself on its configuration
    # (bootdoctor.api.middleware.set_auth_token_defaults); auth_token lists
    # fresh copies of its module's options, so the sample sees the default
    # only if those are given it.
    from keystonemiddleware.auth_token import _opts as auth_token_opts
    __import__('oslo_config').cfg.set_defaults(
        auth_token_opts._OPTS, include_service_catalog=False)
