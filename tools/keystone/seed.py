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

"""Seed a development Keystone with bootdoctor's projects, users and service.

Idempotent: every object is looked up before it is created, and passwords
already written to the credentials file are kept (and set again, so the file
and Keystone always agree). Only the standard library is used, so this runs
under Keystone's own virtualenv.

Seeded:
  projects  project-a, project-b (and service, admin from bootstrap)
  users     a-member, a-reader (project-a), b-member, b-reader (project-b),
            bootdoctor (service project, role service), admin (bootstrap)
  service   bootdoctor, type boot-diagnostics, public endpoint --api-url
"""

import argparse
import json
import os
import secrets
import sys
import urllib.error
import urllib.parse
import urllib.request

DOMAIN = 'default'
REGION = 'RegionOne'
SERVICE_TYPE = 'boot-diagnostics'
SERVICE_NAME = 'bootdoctor'
# key in the credentials file: (user name, project name, role name)
USERS = {
    'a-member': ('a-member', 'project-a', 'member'),
    'a-reader': ('a-reader', 'project-a', 'reader'),
    'b-member': ('b-member', 'project-b', 'member'),
    'b-reader': ('b-reader', 'project-b', 'reader'),
    'bootdoctor': ('bootdoctor', 'service', 'service'),
}


class Keystone:
    def __init__(self, url):
        self.url = url.rstrip('/')
        self.token = None

    def call(self, method, path, body=None, expect=(200, 201, 204)):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data,
                                         method=method)
        request.add_header('Content-Type', 'application/json')
        if self.token:
            request.add_header('X-Auth-Token', self.token)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
                headers = response.headers
                status = response.status
        except urllib.error.HTTPError as exc:
            raw, headers, status = exc.read(), exc.headers, exc.code
        if status not in expect:
            raise SystemExit('%s %s: HTTP %s %s' % (
                method, path, status, raw.decode(errors='replace')[:500]))
        return (json.loads(raw) if raw else {}), headers

    def login(self, username, password, project):
        body = {'auth': {
            'identity': {'methods': ['password'], 'password': {'user': {
                'name': username, 'domain': {'id': DOMAIN},
                'password': password}}},
            'scope': {'project': {'name': project,
                                  'domain': {'id': DOMAIN}}}}}
        data, headers = self.call('POST', '/auth/tokens', body)
        self.token = headers['X-Subject-Token']
        return data['token']

    def find(self, collection, **filters):
        query = urllib.parse.urlencode(filters)
        data, _ = self.call('GET', '/%s?%s' % (collection, query))
        items = data[collection]
        return items[0] if items else None

    def ensure(self, collection, member, filters, attrs):
        found = self.find(collection, **filters)
        if found:
            return found
        data, _ = self.call('POST', '/' + collection, {member: attrs})
        return data[member]


def seed(keystone, passwords, api_url):
    projects = {}
    for name in ('project-a', 'project-b', 'service'):
        projects[name] = keystone.ensure(
            'projects', 'project', {'name': name, 'domain_id': DOMAIN},
            {'name': name, 'domain_id': DOMAIN,
             'description': 'bootdoctor development project'})['id']
    roles = {}
    for name in ('reader', 'member', 'service', 'admin'):
        role = keystone.find('roles', name=name)
        if role is None:
            raise SystemExit('role %s missing: did bootstrap run?' % name)
        roles[name] = role['id']
    users = {}
    for key, (username, project, role) in USERS.items():
        password = passwords.get(key) or secrets.token_urlsafe(18)
        user = keystone.find('users', name=username, domain_id=DOMAIN)
        if user is None:
            data, _ = keystone.call('POST', '/users', {'user': {
                'name': username, 'domain_id': DOMAIN, 'password': password,
                'default_project_id': projects[project]}})
            user = data['user']
        else:
            keystone.call('PATCH', '/users/' + user['id'],
                          {'user': {'password': password}})
        keystone.call('PUT', '/projects/%s/users/%s/roles/%s' % (
            projects[project], user['id'], roles[role]))
        users[key] = {'username': username, 'password': password,
                      'user_id': user['id'], 'project_name': project,
                      'project_id': projects[project], 'role': role}
    service = keystone.ensure(
        'services', 'service', {'type': SERVICE_TYPE},
        {'type': SERVICE_TYPE, 'name': SERVICE_NAME, 'enabled': True,
         'description': 'Boot diagnostics (bootdoctor)'})
    endpoint = keystone.find('endpoints', service_id=service['id'],
                             interface='public')
    if endpoint is None:
        keystone.call('POST', '/endpoints', {'endpoint': {
            'service_id': service['id'], 'interface': 'public',
            'url': api_url, 'region_id': REGION}})
    elif endpoint['url'] != api_url:
        keystone.call('PATCH', '/endpoints/' + endpoint['id'],
                      {'endpoint': {'url': api_url}})
    return projects, users


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--auth-url', required=True)
    parser.add_argument('--admin-password', required=True)
    parser.add_argument('--api-url', required=True)
    parser.add_argument('--output', required=True)
    args = parser.parse_args(argv)

    passwords = {}
    if os.path.exists(args.output):
        with open(args.output, encoding='utf-8') as f:
            passwords = {key: user['password']
                         for key, user in json.load(f)['users'].items()}
    keystone = Keystone(args.auth_url)
    admin = keystone.login('admin', args.admin_password, 'admin')
    projects, users = seed(keystone, passwords, args.api_url)
    users['admin'] = {'username': 'admin', 'password': args.admin_password,
                      'user_id': admin['user']['id'], 'project_name': 'admin',
                      'project_id': admin['project']['id'], 'role': 'admin'}
    projects['admin'] = admin['project']['id']
    result = {'auth_url': args.auth_url, 'region': REGION,
              'user_domain_id': DOMAIN, 'project_domain_id': DOMAIN,
              'service_type': SERVICE_TYPE, 'api_url': args.api_url,
              'projects': projects, 'users': users}
    fd = os.open(args.output + '.tmp', os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                 0o600)
    with os.fdopen(fd, 'w', encoding='utf-8') as f:
        json.dump(result, f, indent=2, sort_keys=True)
    os.replace(args.output + '.tmp', args.output)
    return 0


if __name__ == '__main__':
    sys.exit(main())
