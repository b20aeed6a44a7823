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

"""The [api] group: how bootdoctor-api listens, authenticates and pages."""

from oslo_config import cfg

GROUP = 'api'


def api_group():
    # A new OptGroup for every ConfigOpts: oslo.config keeps overrides in
    # the group object, which register_group only copies shallowly, so a
    # shared module-level group would carry one ConfigOpts' set_override
    # into every other one in the process.
    return cfg.OptGroup(
        GROUP,
        title='REST API options',
        help='Options of bootdoctor-api, the REST API served by the WSGI '
             'application bootdoctor.wsgi.api:application (under uwsgi, '
             'gunicorn or mod_wsgi) or by the bootdoctor-api development '
             'server.')


api_opts = [
    cfg.HostAddressOpt(
        'host', default='127.0.0.1',
        help='Address the bootdoctor-api development server listens on. '
             'Ignored when the application runs under a WSGI server, '
             'which has its own setting (http-socket in '
             'etc/bootdoctor/bootdoctor-uwsgi.ini). Related options: '
             'port.'),
    cfg.PortOpt(
        'port', default=8795,
        help='TCP port the bootdoctor-api development server listens on. '
             'Ignored under a WSGI server. Related options: host.'),
    cfg.StrOpt(
        'auth_strategy', default='keystone',
        choices=[('keystone', 'Authenticate every request with a Keystone '
                              'token through keystonemiddleware\'s '
                              'auth_token; configure it in '
                              '[keystone_authtoken].'),
                 ('noauth', 'No authentication: the identity is taken '
                            'from the X-Project-Id, X-User-Id and X-Roles '
                            'request headers, and a request without '
                            'X-Roles is an admin. Only for tests and '
                            'demonstrations; a warning is logged at every '
                            'start.')],
        help='How bootdoctor-api authenticates requests. The version '
             'document (/), /healthcheck and the OpenAPI document are '
             'always served without authentication.'),
    cfg.IntOpt(
        'rejected_token_cache_time', default=60, min=0,
        help='Seconds bootdoctor-api remembers a token Keystone rejected '
             '(auth_token answered 401), answering 401 itself when the '
             'same token comes again instead of asking Keystone. '
             'keystonemiddleware caches only valid tokens, so without '
             'this every request with an expired or forged token is a '
             'request to Keystone. A token is remembered by its SHA-256, '
             'with its service token; at most 10,000 per process. 0 '
             'disables it. Only with auth_strategy = keystone. Related '
             'options: [keystone_authtoken] token_cache_time.'),
    cfg.FloatOpt(
        'database_ping_idle_time', default=1.0, min=0,
        help='Seconds a pooled database connection of bootdoctor-api may '
             'sit unused and still be used without testing it first. '
             'oslo.db tests every connection taken from the pool with a '
             '"SELECT 1", a round trip to the database per request; a '
             'connection that served a request less than this long ago '
             'is used as it is, an older one is tested, and the pool is '
             'emptied if the test finds the database gone. A database '
             'lost within this time of a connection\'s last use fails '
             'the statement instead, and one read is retried on a new '
             'connection. Only for PostgreSQL: MySQL connections are '
             'tested every time. 0 tests every connection, as oslo.db '
             'does. '
             'Related options: [database] connection_recycle_time.'),
    cfg.FloatOpt(
        'policy_file_check_interval', default=1.0, min=0,
        help='Seconds between two looks of bootdoctor-api at its policy '
             'files ([oslo_policy] policy_file and policy_dirs). '
             'oslo.policy looks for them, and at their modification '
             'times, before every policy check, two or more a request; '
             'with this, a changed or new policy file applies within '
             'this many seconds, without a restart. Between two looks '
             'the API remembers its policy decisions (the rule, target '
             'and credentials they were for), so a decision is at most '
             'this many seconds old. 0 looks before every check, as '
             'oslo.policy does, and remembers nothing.'),
    cfg.IntOpt(
        'default_limit', default=100, min=1,
        help='Number of boots returned by GET /v1/boots when the request '
             'gives no limit. Must not exceed max_limit. Related options: '
             'max_limit.'),
    cfg.IntOpt(
        'max_limit', default=1000, min=1,
        help='Largest limit a client may ask for in GET /v1/boots; a '
             'larger limit is rejected with 400. "openstack boot list" '
             'asks for pages of 1000 boots, this option\'s default; below '
             'that, it falls back to pages of default_limit boots, in '
             'more requests. Related options: default_limit.'),
    cfg.BoolOpt(
        'metrics_enabled', default=False,
        help='Serve GET /metrics in the Prometheus text format: boots by '
             'status (bootdoctor_boots), failures by component '
             '(bootdoctor_boot_failures), a histogram of each phase\'s '
             'duration (bootdoctor_boot_phase_duration_seconds, buckets '
             'from 0.5 to 1800 seconds and +Inf) and collector liveness, '
             'over the boots of every project created in the last '
             'stats_default_window seconds. Access is controlled by the '
             'bootdoctor:metrics:get policy rule; when false, /metrics '
             'answers 404. Used by bootdoctor-api. Related options: '
             'stats_default_window.'),
    cfg.IntOpt(
        'stats_default_window', default=86400, min=60,
        help='Seconds of history GET /v1/stats and GET /metrics cover '
             'when the request gives no since.'),
]


def register_opts(conf):
    group = api_group()
    conf.register_group(group)
    conf.register_opts(api_opts, group=group)


def list_opts():
    return [(api_group(), api_opts)]
