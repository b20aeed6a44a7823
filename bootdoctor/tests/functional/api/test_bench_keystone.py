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

"""api_bench --keystone: real tokens through auth_token, real PostgreSQL."""

import os
import sys

import bootdoctor
from bootdoctor.tests.functional.db import servers

BENCH = os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(bootdoctor.__file__))), 'tools', 'bench')
sys.path.insert(0, BENCH)

import api_bench  # noqa: E402
import bench_keystone  # noqa: E402


def test_the_bench_reads_through_auth_token(keystone_creds):
    with servers.database('postgresql') as url:
        api_bench.fill(url, 500)
        results = api_bench.run(url, 5, 1, keystone_creds)
        assert set(results) == {'list', 'list next page', 'show',
                                'stats (1 day)', 'stack floor'}
        assert results['stack floor'][1] is None
        # As runs before the WSGI client were timed: the same requests.
        assert set(api_bench.run(url, 2, 1, keystone_creds,
                                 client='webtest')) == set(results)
        app = api_bench.api_app(url, keystone_creds)
        project = keystone_creds['projects']['project-a']
        reader, _admin = bench_keystone.headers(keystone_creds)
        boots = app.get('/v1/boots', headers=reader).json['boots']
        # The reader lists the adopted boots, of its project only.
        assert boots and {b['project_id'] for b in boots} == {project}
        app.get('/v1/boots', status=401)
        app.get('/v1/boots', headers={'X-Auth-Token': 'forged'},
                status=401)
