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

"""Sphinx configuration for the bootdoctor documentation."""

import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, os.path.join(HERE, '_exts'))
sys.path.insert(0, ROOT)


def _have(module):
    return importlib.util.find_spec(module) is not None


extensions = [
    'oslo_config.sphinxext',
    'oslo_config.sphinxconfiggen',
    'oslo_policy.sphinxext',
    'oslo_policy.sphinxpolicygen',
    'bootdoctor_docs',
]
# The CLI reference documents the openstack boot commands from their code.
if _have('cliff.sphinxext'):
    extensions.append('cliff.sphinxext')
if _have('sphinxcontrib.openapi'):
    extensions.append('sphinxcontrib.openapi')
    tags.add('openapi')  # noqa: F821 (sphinx defines tags in conf.py)

project = 'bootdoctor'
copyright = 'bootdoctor developers'
master_doc = 'index'
exclude_patterns = ['_build', '_exts']
pygments_style = 'native'

# oslo.config: the sample file and the reference come from the same
# generator configuration the genconfig tox environment uses.
config_generator_config_file = os.path.join(
    ROOT, 'etc', 'bootdoctor', 'bootdoctor-config-generator.conf')
sample_config_basename = '_static/bootdoctor'

# oslo.policy: likewise for the policy sample and reference.
policy_generator_config_file = os.path.join(
    ROOT, 'etc', 'bootdoctor', 'bootdoctor-policy-generator.conf')
sample_policy_basename = '_static/bootdoctor'

html_static_path = ['_static']
if _have('openstackdocstheme'):
    extensions.append('openstackdocstheme')
    html_theme = 'openstackdocs'
    openstackdocs_repo_name = 'openstack/bootdoctor'
    openstackdocs_bug_project = 'bootdoctor'
    openstackdocs_bug_tag = 'doc'
    openstackdocs_auto_name = False
else:
    html_theme = 'alabaster'
