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

"""The console scripts.

oslo.messaging imports eventlet, which imports dnspython; with
cryptography 51 and later dnspython's DSA module warns at import that
DSA is deprecated, eight lines before every command's own output that
an operator can do nothing about. That one warning, from that module,
is not shown; every other warning is.
"""

import warnings

warnings.filterwarnings('ignore', message='DSA is deprecated',
                        module=r'dns\.dnssecalgs\.dsa')
