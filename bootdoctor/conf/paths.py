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

"""Where bootdoctor keeps its state by default."""

import os

from oslo_config import cfg

_SYSTEM_STATE = '/var/lib/bootdoctor'


def _default_state_path():
    if os.access(os.path.dirname(_SYSTEM_STATE), os.W_OK):
        return _SYSTEM_STATE
    return os.path.join(os.path.expanduser('~'), '.local', 'share',
                        'bootdoctor')


path_opts = [
    cfg.StrOpt('state_path',
               default=_default_state_path(),
               sample_default=_SYSTEM_STATE,
               help='Directory where bootdoctor keeps its state: the '
                    'embedded SQLite database and the Guru Meditation '
                    'trigger file. Used by every bootdoctor service. '
                    'Defaults to %s when its parent is writable, else to '
                    '~/.local/share/bootdoctor.' % _SYSTEM_STATE),
]


# The embedded default database: SQLite under state_path, as oslo.config
# substitutes it when the option is read (so setting state_path moves it).
DEFAULT_CONNECTION = 'sqlite:///$state_path/bootdoctor.sqlite'


def register_opts(conf):
    conf.register_opts(path_opts)


def list_opts():
    return [('DEFAULT', path_opts)]
