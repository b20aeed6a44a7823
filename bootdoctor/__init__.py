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

import warnings

try:
    from oslo_service import backend as _service_backend
except ImportError:  # the openstack CLI plugin needs only osc-lib
    _service_backend = None

# futurist imports eventlet whenever it is installed (oslo.service depends
# on it), which only warns that eventlet is deprecated: nothing is patched
# and bootdoctor runs no green thread.
warnings.filterwarnings('ignore', message='\nEventlet is deprecated',
                        module='futurist')

# bootdoctor never uses eventlet. Importing oslo.messaging imports
# oslo.service, whose default backend is eventlet; make the threading
# backend the default before anything asks for one. A process that chose
# a backend itself keeps it.
if _service_backend is not None:
    _service_backend.register_backend_default_hook(
        lambda: _service_backend.BackendType.THREADING)
