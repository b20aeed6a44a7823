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

"""The same notification in every wire shape gives the same observations.

The envelope and the 1.0 shape are built with oslo.messaging's own
functions (``pack_context``, ``_add_unique_id``, ``serialize_msg``), as
``AMQPDriverBase._send`` builds them for RabbitMQ.
"""

import copy
import json
import threading

from oslo_config import cfg
from oslo_context import context as oslo_context
import oslo_messaging
from oslo_messaging._drivers import amqp as rpc_amqp
from oslo_messaging._drivers import common as rpc_common
import pytest

from bootdoctor import notification
from bootdoctor.tests.unit.notification import samples

STREAMS = ('a_boot_success', 'c_no_valid_host', 'e2_spawn_fail_single_host')
ROWS = [(name, i) for name in STREAMS
        for i in range(len(samples.jsonl('recorded', name + '.jsonl')))]


def row(name, index):
    return samples.jsonl('recorded', name + '.jsonl')[index]


def oslo_message(r):
    """The dict Notifier._notify builds, before the driver sends it."""
    return {'message_id': r['message_id'], 'publisher_id': r['publisher_id'],
            'event_type': r['event_type'], 'priority': r['priority'],
            'payload': copy.deepcopy(r['payload']),
            'timestamp': r['timestamp']}


def amqp_v1(r):
    """The un-enveloped 1.0 message: context packed as _context_* keys."""
    msg = oslo_message(r)
    rpc_amqp.pack_context(msg, copy.deepcopy(r['ctxt']))
    rpc_amqp._add_unique_id(msg)
    return msg


def amqp_v2(r):
    """The v2 envelope, exactly as serialize_msg wraps it."""
    return rpc_common.serialize_msg(amqp_v1(r))


def amqp_wire(r):
    """The envelope after a JSON round trip, as a consumer decodes it."""
    return json.loads(json.dumps(amqp_v2(r)))


def listener(r):
    return {'ctxt': r['ctxt'], 'publisher_id': r['publisher_id'],
            'event_type': r['event_type'], 'payload': r['payload'],
            'metadata': {'message_id': r['message_id'],
                         'timestamp': r['timestamp']},
            'priority': r['priority'].lower()}


def listener_without_priority(r):
    view = listener(r)
    del view['priority']
    return view


SHAPES = [amqp_v1, amqp_v2, amqp_wire, listener, listener_without_priority]


def summary(parsed):
    return parsed.message, [o.to_dict() for o in parsed.observations]


@pytest.mark.parametrize('name,index', ROWS)
def test_every_shape_gives_identical_observations(name, index):
    r = row(name, index)
    reference = summary(notification.parse(r))
    assert reference[1]
    for shape in SHAPES:
        assert summary(notification.parse(shape(r))) == reference, \
            shape.__name__
    args = listener(r)
    assert summary(notification.parse_listener(
        args['ctxt'], args['publisher_id'], args['event_type'],
        args['payload'], args['metadata'], args['priority'])) == reference


def test_v2_envelope_holds_a_json_string():
    envelope = amqp_v2(row('c_no_valid_host', 2))
    assert envelope['oslo.version'] == '2.0'
    assert isinstance(envelope['oslo.message'], str)
    assert '_context_request_id' in envelope['oslo.message']
    assert '_unique_id' in envelope['oslo.message']


def test_sample_shape_matches_the_listener_view():
    sample = samples.nova_sample('instance-create-end.json')
    view = {'ctxt': {}, 'publisher_id': sample['publisher_id'],
            'event_type': sample['event_type'], 'payload': sample['payload'],
            'metadata': {'message_id': None, 'timestamp': None},
            'priority': 'info'}
    ts = '2026-11-25 08:00:00.000000'
    assert summary(notification.parse(sample, default_timestamp=ts)) == \
        summary(notification.parse(view, default_timestamp=ts))


def test_missing_message_id_is_a_stable_digest_in_every_shape():
    r = row('a_boot_success', 5)
    ids = set()
    for shape in SHAPES:
        message = shape(dict(r, message_id=None))
        if 'oslo.message' not in message:
            message.get('metadata', message)['message_id'] = None
        ids.add(notification.parse(message).message_id)
    assert len(ids) == 1
    (digest,) = ids
    assert digest.startswith('sha1-') and len(digest) == 45
    other = dict(r, message_id=None, timestamp='2026-11-25 08:42:22.000000')
    assert notification.parse(other).message_id != digest


class ContextSerializer(oslo_messaging.NoOpSerializer):
    """Contexts as dicts on the wire, as Nova's serializer sends them."""

    def serialize_context(self, ctxt):
        return ctxt.to_dict()

    def deserialize_context(self, ctxt):
        return ctxt


def test_real_notification_listener_through_the_fake_driver():
    """A Notifier and a NotificationListener from oslo.messaging."""
    conf = cfg.ConfigOpts()
    transport = oslo_messaging.get_notification_transport(
        conf, url='fake:///')
    received = []
    done = threading.Event()

    class Endpoint(object):
        def error(self, ctxt, publisher_id, event_type, payload, metadata):
            received.append(notification.parse_listener(
                ctxt, publisher_id, event_type, payload, metadata, 'error'))
            done.set()

    server = oslo_messaging.get_notification_listener(
        transport, [oslo_messaging.Target(topic='versioned_notifications')],
        [Endpoint()], executor='threading')
    server.start()
    try:
        r = row('e2_spawn_fail_single_host', 33)
        notifier = oslo_messaging.Notifier(
            transport, publisher_id=r['publisher_id'], driver='messaging',
            topics=['versioned_notifications'],
            serializer=ContextSerializer())
        ctxt = oslo_context.RequestContext(
            request_id=r['ctxt']['request_id'], auth_token='secret-token',
            project_id=r['ctxt']['project_id'],
            user_id=r['ctxt']['user_id'])
        notifier.error(ctxt, r['event_type'], r['payload'])
        assert done.wait(10)
    finally:
        server.stop()
        server.wait()
    (parsed,) = received
    (obs,) = parsed.observations
    assert obs.kind == 'compute_task.build_instances.error'
    assert obs.instance_uuid == '07eae9ba-0682-4b41-a7c4-76ec68eed449'
    assert obs.request_id == r['ctxt']['request_id']
    assert obs.project_id == r['ctxt']['project_id']
    assert 'secret-token' not in repr(parsed.message)
    assert obs.fault.exception == 'MaxRetriesExceeded'
    assert obs.priority == 'ERROR'
    # The notifier made a new message id and timestamp.
    assert obs.message_id != r['message_id']
