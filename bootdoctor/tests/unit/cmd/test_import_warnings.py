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

"""The console scripts hide dnspython's DSA warning, and only it."""

import subprocess
import sys
import warnings

import bootdoctor.cmd  # noqa: F401 (installs the filter)

# The filter importing bootdoctor.cmd installed, as it was installed.
INSTALLED = [f for f in warnings.filters
             if getattr(f[1], 'pattern', None) == 'DSA is deprecated']


def _shown(message, module):
    with warnings.catch_warnings(record=True) as caught:
        # Only the installed filter, over Python's default action.
        warnings.resetwarnings()
        warnings.simplefilter('default')
        warnings.filters.insert(0, INSTALLED[0])
        warnings._filters_mutated()
        warnings.warn_explicit(message, UserWarning, 'dsa.py', 14,
                               module=module)
    return [str(w.message) for w in caught]


def test_importing_the_scripts_installs_one_filter():
    assert len(INSTALLED) == 1
    assert INSTALLED[0][0] == 'ignore'


def test_only_that_warning_of_that_module_is_hidden():
    dsa = 'dns.dnssecalgs.dsa'
    assert _shown('DSA is deprecated and support will be removed', dsa) == []
    assert _shown('something else', dsa) == ['something else']
    assert _shown('DSA is deprecated', 'bootdoctor.db') == [
        'DSA is deprecated']


def test_a_command_starts_without_it():
    result = subprocess.run(
        [sys.executable, '-c', 'import bootdoctor.cmd.collector'],
        capture_output=True, text=True, check=True)
    assert 'DSA is deprecated' not in result.stderr
