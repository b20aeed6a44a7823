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

"""The [database] group, owned by oslo.db, with bootdoctor's default."""

from oslo_db import options as db_options

from bootdoctor.conf import paths


def register_opts(conf):
    # oslo.db registers [database]; bootdoctor only changes the default
    # connection to the embedded SQLite database under state_path.
    paths.register_opts(conf)
    db_options.set_defaults(conf, connection=paths.DEFAULT_CONNECTION)


def list_opts():
    # oslo.db lists copies of its options: give the sample the default
    # bootdoctor uses.
    groups = db_options.list_opts()
    for _, options in groups:
        for opt in options:
            if opt.dest == 'connection':
                opt.default = paths.DEFAULT_CONNECTION
    return groups
