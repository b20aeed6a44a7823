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

"""Ask Nova about stuck boots (``GET /servers/{id}``).

Silence has two causes the notifications cannot tell apart: a real stall,
and an end Nova did not announce (a server deleted while scheduling sends
nothing) or whose notification was lost. Nova's answer is recorded as a
finding keyed by the server, so the API can show it next to the boot.
"""

import socket
import uuid as uuid_mod

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading as ks_loading
from oslo_log import log
from oslo_utils import timeutils

from bootdoctor.conf import nova as nova_conf
from bootdoctor.db import exceptions as db_exc
from bootdoctor.notification import parser
from bootdoctor import observation
from bootdoctor import pipeline

LOG = log.getLogger(__name__)
FINDING = 'nova.server.%s'
ANSWER = 'api.server.show'
PUBLISHER = 'bootdoctor-collector'
# Message ids of Nova's answers: one per boot and time asked.
_ANSWER_IDS = uuid_mod.UUID('0b8f3c52-5d2e-4f61-9a07-3e1c2d4b5a69')


def answer_observation(record, server, at, host):
    """Nova's answer about a boot, as the tracker reads it.

    A Parsed result (the raw answer and one ``api.server.show``
    observation of the boot, details ``found``, ``status``, ``vm_state``,
    ``task_state``, ``host``), stored beside the boot's notifications: a
    server Nova no longer knows makes the boot ``deleted`` (a server
    deleted while scheduling sends no notification at all).
    """
    uuid = record['instance_uuid']
    details = {'found': server is not None}
    if server is not None:
        details.update(status=server.get('status'),
                       vm_state=server.get('OS-EXT-STS:vm_state'),
                       task_state=server.get('OS-EXT-STS:task_state'),
                       host=server.get('OS-EXT-SRV-ATTR:host'))
    details = {k: v for k, v in details.items() if v is not None}
    message_id = str(uuid_mod.uuid5(_ANSWER_IDS,
                                    '%s %s' % (uuid, at.isoformat())))
    publisher_id = '%s:%s' % (PUBLISHER, host)
    obs = observation.Observation(
        message_id=message_id, kind=ANSWER, event_type=ANSWER,
        source='nova', format='api', priority='INFO',
        publisher_id=publisher_id, publisher_service=PUBLISHER,
        publisher_host=host, timestamp=at, instance_uuid=uuid,
        project_id=record.get('project_id'), details=details)
    message = {'message_id': message_id, 'event_type': ANSWER,
               'publisher_id': publisher_id, 'priority': 'INFO',
               'timestamp': at.isoformat(),
               'payload': dict(details, instance_uuid=uuid), 'ctxt': {}}
    return parser.Parsed(message, (obs,))


def finding_for(record, server):
    """(severity, message) for Nova's answer about a stuck boot."""
    uuid = record['instance_uuid']
    phase = record.get('phase')
    if server is None:
        return ('info', 'Boot %s looked stuck in %s, but Nova has no such '
                'server: it was deleted (a server deleted while it is '
                'scheduled leaves no notification). Not a stall.'
                % (uuid, phase))
    status = server.get('status')
    task_state = server.get('OS-EXT-STS:task_state')
    host = server.get('OS-EXT-SRV-ATTR:host')
    if status == 'BUILD':
        return ('warning', 'Boot %s is stuck in %s and Nova agrees: status '
                'BUILD, task_state %s, host %s. A real stall: follow the '
                'diagnosis.' % (uuid, phase, task_state, host))
    fault = (server.get('fault') or {}).get('message')
    return ('warning', 'Boot %s looked stuck in %s, but Nova says %s%s%s. '
            'Its notifications were lost: check Nova\'s '
            '[oslo_messaging_notifications] driver and transport_url and '
            'the bootdoctor queue.'
            % (uuid, phase, status, ' on %s' % host if host else '',
               ' (fault: %s)' % fault if fault else ''))


class NovaReconciler:
    """Looks servers up with the [nova] keystoneauth options."""

    def __init__(self, conf, connection, clock=None, host=None):
        self.conf = conf
        self.connection = connection
        self.clock = clock or (lambda: timeutils.utcnow(with_timezone=True))
        self.host = host or socket.gethostname()
        self._adapter = None
        self.answers = {}   # instance_uuid -> (severity, message)

    def _get_adapter(self):
        if self._adapter is None:
            group = nova_conf.GROUP
            auth = ks_loading.load_auth_from_conf_options(self.conf, group)
            session = ks_loading.load_session_from_conf_options(
                self.conf, group, auth=auth)
            self._adapter = ks_loading.load_adapter_from_conf_options(
                self.conf, group, session=session, auth=auth)
        return self._adapter

    def server(self, uuid):
        """Nova's server dict, or None when Nova does not know it."""
        response = self._get_adapter().get('/servers/%s' % uuid,
                                           raise_exc=False)
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise ks_exc.from_response(response, 'GET', '/servers/%s' % uuid)
        return response.json()['server']

    def reconcile(self, records):
        """Ask about each record; store and log the answers."""
        if not self.conf.nova.reconcile:
            return {}
        answered = {}
        for record in records:
            uuid = record['instance_uuid']
            try:
                server = self.server(uuid)
            except (ks_exc.ClientException, ValueError, KeyError) as exc:
                LOG.warning('Could not ask Nova about boot %(uuid)s: '
                            '%(error)s', {'uuid': uuid, 'error': exc})
                continue
            severity, message = finding_for(record, server)
            LOG.warning('Nova about stuck boot %(uuid)s: %(message)s',
                        {'uuid': uuid, 'message': message})
            try:
                self.connection.record_finding(FINDING % uuid, severity,
                                               message)
            except db_exc.StorageError as exc:
                LOG.warning('Nova\'s answer about %(uuid)s not stored: '
                            '%(error)s', {'uuid': uuid, 'error': exc})
            answered[uuid] = (severity, message)
            if server is None:
                self._record_gone(record)
        self.answers.update(answered)
        return answered

    def _record_gone(self, record):
        """Store Nova's "no such server" and rebuild the boot: deleted."""
        parsed = answer_observation(record, None, self.clock(), self.host)
        try:
            self.connection.add_observations([parsed])
            pipeline.rebuild(self.connection, [record['instance_uuid']])
        except db_exc.StorageError as exc:
            LOG.warning('Nova\'s answer about %(uuid)s not stored: '
                        '%(error)s', {'uuid': record['instance_uuid'],
                                      'error': exc})
