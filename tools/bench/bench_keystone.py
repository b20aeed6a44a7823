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

"""api_bench's requests through keystonemiddleware's auth_token.

With the Keystone of tools/keystone (``keystone-dev.sh start`` writes its
credentials to .keystone/credentials.json), the API is configured as a
deployment configures it: auth_token validates each token against
Keystone as the bootdoctor service user, once, then answers from its
token cache (in the process, as without memcached). The requests carry
real tokens: the seeded a-reader's for the project lists, admin's for
the rest.

The bench's boots belong to projects named project-0 to project-99;
:func:`adopt` gives project-8's boots to Keystone's project-a, so the
reader lists boots of the same number and shape as project-7's.
"""

import json
import os

import sqlalchemy as sa

ADOPTED = 'project-8'


def load(path):
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def write_config(path, creds, url):
    """A bootdoctor.conf for the API on ``url`` behind auth_token."""
    service = creds['users']['bootdoctor']
    lines = [
        '[database]', 'connection = %s' % url, 'max_pool_size = 5',
        '[api]', 'auth_strategy = keystone',
        '[keystone_authtoken]',
        'www_authenticate_uri = %s' % creds['auth_url'],
        'auth_url = %s' % creds['auth_url'],
        'auth_type = password',
        'username = %s' % service['username'],
        'password = %s' % service['password'],
        'project_name = %s' % service['project_name'],
        'user_domain_id = default',
        'project_domain_id = default',
        'region_name = %s' % creds['region'],
    ]
    with open(path, 'w', encoding='utf-8') as f:
        f.write('\n'.join(lines) + '\n')
    return path


def token(creds, who):
    from keystoneauth1.identity import v3
    from keystoneauth1 import session
    user = creds['users'][who]
    return session.Session(auth=v3.Password(
        auth_url=creds['auth_url'], username=user['username'],
        password=user['password'], user_domain_id='default',
        project_id=user['project_id'])).get_token()


def adopt(url, creds):
    """Give project-8's boots to Keystone's project-a; its id.

    The stored record and list item name the project too: the quoted
    name is replaced in them, as in the column.
    """
    project = creds['projects']['project-a']
    values = {'to': project, 'adopted': ADOPTED,
              'quoted_to': json.dumps(project),
              'quoted_adopted': json.dumps(ADOPTED)}
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(
            'UPDATE boots SET project_id = :to, '
            'record = replace(record, :quoted_adopted, :quoted_to), '
            'listing = replace(listing, :quoted_adopted, :quoted_to) '
            'WHERE project_id = :adopted'), values)
        columns = sa.inspect(conn).get_columns('boot_phases')
        if any(c['name'] == 'project_id' for c in columns):
            conn.execute(sa.text(
                'UPDATE boot_phases SET project_id = :to '
                'WHERE project_id = :adopted'), values)
    with engine.connect().execution_options(
            isolation_level='AUTOCOMMIT') as conn:
        conn.execute(sa.text('ANALYZE boots'))
    engine.dispose()
    return project


def headers(creds):
    """(reader headers, admin headers) with fresh tokens."""
    return ({'X-Auth-Token': token(creds, 'a-reader')},
            {'X-Auth-Token': token(creds, 'admin')})


def default_credentials(repo):
    state = os.environ.get('KEYSTONE_STATE', os.path.join(repo, '.keystone'))
    return os.path.join(state, 'credentials.json')
