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

"""Sphinx configuration for the bootdoctor release notes (reno)."""

import importlib.util

extensions = ['reno.sphinxext']

project = 'bootdoctor Release Notes'
copyright = 'bootdoctor developers'
master_doc = 'index'
exclude_patterns = ['_build']
pygments_style = 'native'
html_static_path = ['_static']

if importlib.util.find_spec('openstackdocstheme') is not None:
    extensions.append('openstackdocstheme')
    html_theme = 'openstackdocs'
    openstackdocs_repo_name = 'openstack/bootdoctor'
    openstackdocs_bug_project = 'bootdoctor'
    openstackdocs_bug_tag = 'releasenotes'
    openstackdocs_auto_name = False
else:
    html_theme = 'alabaster'
