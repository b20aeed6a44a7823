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


"""Builders of observations, parsed messages and records for db tests."""

import collections
import datetime
import uuid as uuid_mod

from bootdoctor import observation

UTC = datetime.timezone.utc
T0 = datetime.datetime(2025, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)

# The shape of parsing's Parsed: the canonical raw message and the
# observations made of it.
Parsed = collections.namedtuple('Parsed', 'message observations')


def uuid(n):
    """A stable instance uuid for test number n."""
    return str(uuid_mod.UUID(int=n))


def obs(message_id, instance_uuid, *, kind='instance.update', seconds=0,
        **fields):
    """An Observation, ``seconds`` after T0."""
    source = fields.pop('source', kind.split('.')[0] if kind.startswith(
        ('port', 'volume', 'image', 'identity')) else 'nova')
    source = {'port': 'neutron', 'volume': 'cinder', 'image': 'glance',
              'identity': 'keystone'}.get(source, source)
    values = dict(
        message_id=message_id, kind=kind, event_type=kind, source=source,
        format='versioned', priority='INFO',
        publisher_id='nova-compute:compute1',
        publisher_service='nova-compute', publisher_host='compute1',
        timestamp=T0 + datetime.timedelta(seconds=seconds),
        instance_uuid=instance_uuid, project_id='project-a',
        user_id='user-a', request_id='req-%s' % message_id)
    values.update(fields)
    return observation.Observation(**values)


def raw(obs_list):
    """The canonical raw message behind observations of one message."""
    first = obs_list[0]
    return {'message_id': first.message_id, 'event_type': first.event_type,
            'publisher_id': first.publisher_id,
            'priority': first.priority,
            'timestamp': first.timestamp.isoformat(),
            'payload': {'instances': [o.instance_uuid for o in obs_list]},
            'ctxt': {'request_id': first.request_id}}


def parsed(*obs_list):
    """A Parsed for one message with these observations."""
    return Parsed(raw(obs_list), tuple(obs_list))


def record(n, *, status='active', project_id='project-a', seconds=0,
           host='compute1', phases=None, root_cause=None, duration_s=10.0,
           **fields):
    """A boot record dict as BootRecord.to_dict() gives it."""
    created = T0 + datetime.timedelta(seconds=seconds)
    finished = (None if status == 'building'
                else created + datetime.timedelta(seconds=duration_s or 0))
    rec = {
        'instance_uuid': uuid(n), 'request_id': 'req-%d' % n,
        'project_id': project_id, 'user_id': 'user-a', 'status': status,
        'phase': None if status in ('active', 'deleted') else 'spawning',
        'step': 29 if status == 'active' else 20, 'host': host,
        'node': host, 'attempts': [], 'fault': None,
        'root_cause': root_cause, 'steps': [],
        'phases': phases if phases is not None else {
            'scheduling': {'started_at': created.isoformat(),
                           'ended_at': created.isoformat(),
                           'duration_s': 1.0}},
        'created_at': created.isoformat(),
        'updated_at': (finished or created).isoformat(),
        'finished_at': finished.isoformat() if finished else None,
        'duration_s': None if status == 'building' else duration_s,
        'diagnosis': {'summary': 'test', 'logs': [], 'actions': []},
    }
    rec.update(fields)
    return rec
