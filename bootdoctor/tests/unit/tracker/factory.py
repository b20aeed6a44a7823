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

"""Build observations for tracker tests, the way parsing would."""

import datetime
import itertools

from bootdoctor.observation import Fault
from bootdoctor.observation import Observation

T0 = datetime.datetime(2026, 11, 25, 8, 0, 0, tzinfo=datetime.timezone.utc)
UUID = '07eae9ba-0682-4b41-a7c4-76ec68eed449'
REQ = 'req-1c6a2aa5-324a-49c0-b559-9760986d6dca'
PROJECT = '6f70656e737461636b20342065766572'
_ids = itertools.count()

SERVICE_PREFIX = {'nova-compute': 'compute', 'nova-conductor': 'conductor',
                  'nova-scheduler': 'scheduler', 'nova-api': 'api'}
LEGACY_EVENT = {
    'instance.update': 'compute.instance.update',
    'instance.create.start': 'compute.instance.create.start',
    'instance.create.end': 'compute.instance.create.end',
    'instance.create.error': 'compute.instance.create.error',
    'compute_task.build_instances.error': 'compute_task.build_instances',
    'instance.delete.start': 'compute.instance.delete.start',
    'instance.delete.end': 'compute.instance.delete.end',
}


class Stream(object):
    """A boot as Nova would report it, one event (and its twin) at a time.

    Every event is emitted twice by default, legacy first and versioned a
    millisecond later, with different message ids, as Nova does with
    notification_format = both.
    """

    def __init__(self, uuid=UUID, twins=True, start=T0):
        self.uuid = uuid
        self.twins = twins
        self.now = start
        self.observations = []

    def tick(self, seconds=1.0):
        self.now += datetime.timedelta(seconds=seconds)

    def emit(self, kind, service='nova-compute', publisher_host='compute1',
             source='nova', priority='INFO', instance=True, **fields):
        formats = ('legacy', 'versioned') if self.twins else ('versioned',)
        for offset, fmt in enumerate(formats):
            if fmt == 'legacy' and source == 'nova':
                event = LEGACY_EVENT.get(kind, kind)
                publisher = '%s.%s' % (SERVICE_PREFIX.get(service, service),
                                       publisher_host)
            else:
                event = kind
                publisher = '%s:%s' % (service, publisher_host)
            values = dict(request_id=REQ, project_id=PROJECT,
                          user_id='fake')
            values.update(fields)
            self.observations.append(Observation(
                message_id='msg-%06d' % next(_ids), kind=kind,
                event_type=event, source=source, format=fmt,
                priority=priority, publisher_id=publisher,
                publisher_service=service, publisher_host=publisher_host,
                timestamp=self.now + datetime.timedelta(milliseconds=offset),
                instance_uuid=self.uuid if instance else None,
                **values))
        self.tick(0.01)
        return self

    def update(self, old, new, state='building', old_state='building',
               host=None, service='nova-compute', publisher_host='compute1',
               **fields):
        return self.emit('instance.update', service=service,
                         publisher_host=publisher_host, state=state,
                         old_state=old_state, task_state=new,
                         old_task_state=old, host=host,
                         node=host, **fields)

    # Whole fragments of real boots (see the recorded Nova 34 streams).
    def scheduled(self):
        self.emit('scheduler.select_destinations.start',
                  service='nova-scheduler', publisher_host='controller')
        self.emit('scheduler.select_destinations.end',
                  service='nova-scheduler', publisher_host='controller')
        return self.update('scheduling', 'scheduling',
                           service='nova-conductor',
                           publisher_host='controller')

    def claimed(self, host):
        self.update('scheduling', None, publisher_host=host)
        self.emit('instance.create.start', publisher_host=host,
                  state='building')
        return self.update(None, None, host=host, publisher_host=host)

    def build_to(self, host, last='spawning'):
        previous = None
        for task in ('networking', 'block_device_mapping', 'spawning'):
            self.update(previous, task, host=host, publisher_host=host)
            previous = task
            if task == last:
                break
        return self

    def succeed(self, host):
        self.update('spawning', None, state='active', host=host,
                    publisher_host=host)
        return self.emit('instance.create.end', publisher_host=host,
                         state='active', host=host, node=host)

    def fail(self, host, exception, message, task='spawning'):
        fault = Fault(exception=exception, message=message, code=500)
        return self.emit('instance.create.error', publisher_host=host,
                         priority='ERROR', state='building',
                         task_state=task, fault=fault)

    def reschedule(self, host):
        return self.update('spawning', 'scheduling', publisher_host=host)

    def bury(self, exception, message):
        self.update('scheduling', None, state='error',
                    publisher_host='controller')
        fault = Fault(exception=exception, message=message, code=500)
        return self.emit('compute_task.build_instances.error',
                         service='nova-conductor',
                         publisher_host='controller', priority='ERROR',
                         fault=fault)
