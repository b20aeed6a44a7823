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

"""prepare_service: the one place a bootdoctor process sets itself up."""

from oslo_config import cfg
from oslo_log import log

from bootdoctor import conf as bd_conf
from bootdoctor import version

LOG = log.getLogger(__name__)
# Sections added to the Guru Meditation report: (title, generator).
_REPORT_SECTIONS = []
CONFIG_SECTION = 'bootdoctor configuration'


class _ConfigSection:
    """The options of this process, as its Guru Meditation report shows.

    oslo.reports' own Configuration section shows the global cfg.CONF,
    which bootdoctor does not parse (each service fills a ConfigOpts of
    its own), so it holds only the libraries' defaults. This section
    shows the service's parsed options, each declared ``secret=True``
    (database and transport URLs, passwords) as ``***``.
    """

    def __init__(self):
        self.conf = None
        self.registered = False

    def __call__(self):
        from oslo_reports.generators import conf as conf_generator
        return conf_generator.ConfigReportGenerator(self.conf)()


_CONFIG_SECTION = _ConfigSection()


def register_report_section(title, generator):
    """Add a section to the Guru Meditation report of this process."""
    _REPORT_SECTIONS.append((title, generator))


def prepare_service(argv=None, conf=None, log_to_stderr=False,
                    guru_meditation=True, default_config_files=None):
    """Parse config once, then set up logging and Guru Meditation.

    :param argv: command line arguments, without the program name.
    :param conf: the ConfigOpts to fill; a new one by default. Tests build
        their own.
    :returns: the parsed ConfigOpts.
    """
    conf = conf if conf is not None else cfg.ConfigOpts()
    log.register_options(conf)
    bd_conf.register_opts(conf)
    log.set_defaults(default_log_levels=log.get_default_log_levels() + [
        'alembic=WARN', 'stevedore=WARN'])
    conf(argv or [], project='bootdoctor',
         version=version.version_info.version_string(),
         default_config_files=default_config_files)
    if log_to_stderr and not conf.log_file:
        conf.set_override('use_stderr', True)
    log.setup(conf, 'bootdoctor')
    if guru_meditation:
        _setup_guru_meditation(conf)
    return conf


def register_config_section(conf):
    """Show ``conf`` in this process's Guru Meditation reports.

    Registered once per process; a later call shows its ``conf`` instead.
    """
    from oslo_reports import guru_meditation_report as gmr
    _CONFIG_SECTION.conf = conf
    if not _CONFIG_SECTION.registered:
        gmr.TextGuruMeditation.register_section(CONFIG_SECTION,
                                                _CONFIG_SECTION)
        _CONFIG_SECTION.registered = True


def _setup_guru_meditation(conf):
    from oslo_reports import guru_meditation_report as gmr
    from oslo_reports import opts as gmr_opts
    gmr_opts.set_defaults(conf)
    register_config_section(conf)
    for title, generator in _REPORT_SECTIONS:
        gmr.TextGuruMeditation.register_section(title, generator)
    gmr.TextGuruMeditation.setup_autorun(version.version_info, conf=conf)
