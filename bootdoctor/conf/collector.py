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

"""The [collector] group: what bootdoctor-collector listens to and how."""

from oslo_config import cfg

collector_group = cfg.OptGroup(
    'collector',
    title='Notification collector options',
    help='Options of bootdoctor-collector, the service that consumes the '
         'OpenStack notification stream through oslo.messaging and keeps '
         'the boot records current. The transport comes from '
         '[oslo_messaging_notifications] transport_url (else [DEFAULT] '
         'transport_url); queue durability from [oslo_messaging_rabbit] '
         'amqp_durable_queues or rabbit_quorum_queue.')

collector_opts = [
    cfg.IntOpt(
        'workers', default=1, min=1,
        help='Number of collector worker processes. Each runs one batch '
             'listener in the same pool, so RabbitMQ shares the messages '
             'between them. Read at start only.'),
    cfg.ListOpt(
        'exchanges',
        default=['nova', 'neutron', 'cinder', 'glance', 'keystone',
                 'openstack'],
        help='Exchanges to listen on, each combined with every topic in '
             '"topics". The defaults are the services\' own '
             'control_exchange values, plus "openstack", oslo.messaging\'s '
             'default, where a service without its own (Cinder in some '
             'releases) publishes. Read at start only. Related options: '
             'topics, pool.'),
    cfg.ListOpt(
        'topics', default=['notifications', 'versioned_notifications'],
        help='Notification topics to listen on: the services\' '
             '[oslo_messaging_notifications] topics and Nova\'s '
             '[notifications] versioned_notifications_topics. The '
             'messagingv2 driver publishes to "<topic>.<priority>"; the '
             'listener binds every priority. Read at start only.'),
    cfg.StrOpt(
        'pool', default='bootdoctor',
        help='Listener pool name. With a pool, RabbitMQ gives bootdoctor '
             'its own queue (named after the pool) bound to every '
             'exchange and topic, so bootdoctor receives a copy of each '
             'notification and never takes one from Ceilometer or another '
             'consumer. Caveat: the services still declare the default, '
             'non-pooled queues (for example "notifications.info") when '
             'they publish; if nothing consumes those, they grow without '
             'bound, so give them a length limit or TTL policy in RabbitMQ. '
             'Collectors sharing a pool share its messages. An empty value '
             'consumes from the default queues themselves, competing with '
             'any other consumer: do not do that next to Ceilometer. Read '
             'at start only.'),
    cfg.IntOpt(
        'batch_size', default=500, min=1,
        help='Notifications handled in one batch: one database transaction '
             'for their observations and one rebuild of each boot they '
             'touch, so a larger batch rebuilds a busy boot less often '
             '(the drain rate of a backlog grows with it). The batch is '
             'acknowledged only after it is committed. Read at start only. '
             'Related options: batch_timeout, prefetch_batches.'),
    cfg.FloatOpt(
        'batch_timeout', default=0.2, min=0.05,
        help='Seconds to wait for a batch to fill before handling what has '
             'arrived. The upper bound this adds to the delay between a '
             'notification and its boot record. A short wait costs little '
             'throughput: batches that arrive while one is handled are '
             'handled together as one group. Under a load the worker did '
             'not keep up with (a batch waiting when a group ended was '
             'full, or its first notification had waited more than 2 s '
             'in the broker), a group also waits up to this long for '
             'more batches, so that each boot in flight is rebuilt once '
             'for more notifications. Read at start only.'),
    cfg.IntOpt(
        'prefetch_batches', default=4, min=1,
        help='How many batches a worker may hold unacknowledged: sets '
             '[oslo_messaging_rabbit] rabbit_qos_prefetch_count to '
             'batch_size times this, unless that option is set. Bounds the '
             'memory a worker uses while the database is slow or down. A '
             'group of batches handled together holds at most half of '
             'this (and at least one batch), so that the next group is '
             'received while one is handled. Read at start only.'),
    cfg.IntOpt(
        'decoded_observations', default=10000, min=0,
        help='How many decoded observations a worker keeps for rebuilding '
             'boot records (about 2.4 KB each). A boot in flight is rebuilt '
             'from all its stored observations each time a batch names it; '
             'those kept here are not decoded from JSON again. Which '
             'observations a rebuild uses is always read from the '
             'database. Boots in flight times the notifications of a boot '
             '(20 to 60) is the most worth keeping. 0 keeps none. Read at '
             'start only.'),
    cfg.IntOpt(
        'gc_threshold', default=10000, min=0, mutable=True,
        help='First threshold of Python\'s cyclic garbage collector in a '
             'worker: how many more objects are allocated than freed '
             'before it examines the young ones. The interpreter\'s 700 '
             'made a busy worker spend about a fifth of its processing '
             'there. At start a worker also freezes the objects it holds '
             '(gc.freeze()), so that the collector no longer examines '
             'them. Unused memory is still freed at once by reference '
             'counting; only groups of objects referring to each other '
             'wait for the collector. 0 keeps the interpreter\'s '
             'threshold.'),
    cfg.FloatOpt(
        'requeue_backoff', default=1.0, min=0.1, mutable=True,
        help='Seconds to wait, after a transient database error, before '
             'the batch is handed back to the broker (REQUEUE); doubled at '
             'every consecutive error up to requeue_backoff_max, and reset '
             'by a success. Until then no other batch tries the database, '
             'so a database outage neither loses notifications nor makes '
             'the broker spin. Related options: requeue_backoff_max.'),
    cfg.FloatOpt(
        'requeue_backoff_max', default=30.0, min=0.1, mutable=True,
        help='Longest wait between database attempts while it is '
             'unavailable. Related options: requeue_backoff.'),
    cfg.IntOpt(
        'stuck_check_interval', default=30, min=1, mutable=True,
        help='Seconds between two searches for stuck boots (boots still '
             'building with no progress past their phase deadline, see the '
             '[tracker] group). Every collector worker runs the search; '
             'the notification for a boot is sent once. Related options: '
             'emit_notifications.'),
    cfg.IntOpt(
        'stuck_check_limit', default=1000, min=1, mutable=True,
        help='Most boots examined by one stuck search, oldest update '
             'first; the rest wait for the next search.'),
    cfg.BoolOpt(
        'emit_notifications', default=True, mutable=True,
        help='Publish bootdoctor.boot.stuck (priority WARN) and '
             'bootdoctor.boot.failed (priority ERROR) once per boot and '
             'state, so Aodh or any consumer can alarm on them. They go to '
             'the [DEFAULT] control_exchange (bootdoctor by default) on the '
             '[oslo_messaging_notifications] topics with the '
             '[oslo_messaging_notifications] driver (messagingv2 when not '
             'set). Several collectors send each notification once.'),
    cfg.IntOpt(
        'deployment_check_boots', default=3, min=1, mutable=True,
        help='Finished boots to see before judging the deployment: '
             'warning that Nova sends no task_state instance.update '
             '([notifications] notify_on_state_change is not '
             'vm_and_task_state) or only one notification format. Findings '
             'are logged once and stored for the API.'),
]


def register_opts(conf):
    conf.register_group(collector_group)
    conf.register_opts(collector_opts, group=collector_group)


def list_opts():
    return [(collector_group, collector_opts)]
