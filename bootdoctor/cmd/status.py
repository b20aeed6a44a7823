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

"""bootdoctor-status upgrade check: is this deployment ready to run?

The checks are in :mod:`bootdoctor.upgradecheck`.
"""

import sys

from oslo_config import cfg
from oslo_upgradecheck import upgradecheck as oslo_upgradecheck

from bootdoctor import service
from bootdoctor import upgradecheck


def main(argv=None, conf=None):
    conf = conf if conf is not None else cfg.ConfigOpts()
    checks = upgradecheck.Checks(conf)
    oslo_upgradecheck.register_cli_options(conf, checks)
    service.prepare_service(sys.argv[1:] if argv is None else argv,
                            conf=conf, log_to_stderr=True,
                            guru_meditation=False)
    # What oslo_upgradecheck.main does after its own parse: the checks
    # read --json from this module global.
    oslo_upgradecheck.CONF = conf
    return oslo_upgradecheck.run(conf)


if __name__ == '__main__':
    sys.exit(main())
