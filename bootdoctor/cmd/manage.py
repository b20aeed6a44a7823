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

"""bootdoctor-manage: database, replay, simulation and inspection commands."""

import sys

from oslo_config import cfg

from bootdoctor import manage
from bootdoctor import service


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    conf = cfg.ConfigOpts()
    conf.register_cli_opt(cfg.SubCommandOpt(
        'command', title='Commands', help='Available commands',
        handler=manage.add_command_parsers))
    service.prepare_service(argv, conf=conf, log_to_stderr=True,
                            guru_meditation=False)
    try:
        return conf.command.func(conf) or 0
    except BrokenPipeError:
        # The reader went away (``| head``): not an error of ours.
        sys.stderr.close()
        return 0


if __name__ == '__main__':
    sys.exit(main())
