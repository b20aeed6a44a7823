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

"""The ``bootdoctor-manage`` command groups.

Each module in this package defines ``add_parsers(subparsers)``, adding
its sub-commands; every sub-command sets ``func=callable(conf) -> int``
with ``parser.set_defaults``. :mod:`bootdoctor.cmd.manage` discovers the
modules with pkgutil, so a new command group needs no central edit.
"""

import importlib
import pkgutil


def command_modules():
    modules = []
    for _, name, ispkg in sorted(pkgutil.iter_modules(__path__),
                                 key=lambda item: item[1]):
        if ispkg or name.startswith('_'):
            continue
        module = importlib.import_module(__name__ + '.' + name)
        if hasattr(module, 'add_parsers'):
            modules.append(module)
    return modules


def add_command_parsers(subparsers):
    for module in command_modules():
        module.add_parsers(subparsers)
