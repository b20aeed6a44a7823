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

"""Bad input through the real RabbitMQ, between realistic boot streams.

Every body of the replay suite's bad input is published, as raw AMQP
messages, on a running bootdoctor-collector's exchanges in the middle of
a simulated stream (through oslo.messaging Notifiers, as Nova sends it).
Each must be rejected with a counted, logged, stored reason or, where
oslo.messaging itself cannot decode it before bootdoctor sees it, be
dropped by oslo.messaging with its own log line, never redelivered; the
stream must go on, and every boot must end exactly as in a clean run.
"""

import json
import re
import time

import kombu

from bootdoctor.db import api
from bootdoctor import notification
from bootdoctor.notification import endpoints
from bootdoctor import simulator
from bootdoctor.tests.functional.collector import conftest
from bootdoctor.tests.functional.collector import process
from bootdoctor.tests.functional.collector import rabbit
from bootdoctor.tests.functional.reliability import test_bad_input

STREAM = [name for name, s in simulator.SCENARIOS.items() if not s.stalls]


def _publish_raw(names, bodies):
    """Each body as one AMQP message on the Nova exchange, ``.info``."""
    exchange = kombu.Exchange(names.exchanges['nova'], type='topic',
                              durable=False)
    key = '%s.info' % names.topics['notifications']
    with kombu.Connection(rabbit.AMQP, connect_timeout=5) as connection:
        producer = connection.Producer()
        for body in bodies:
            producer.publish(body, exchange=exchange, routing_key=key,
                             content_type='application/json',
                             content_encoding='utf-8', declare=[exchange])


def _stop_counts(output):
    """The counters of the collector's "stopped; ..." log line."""
    line = next(line for line in output.splitlines()
                if ' stopped; received ' in line)
    text = line.split(' stopped; ', 1)[1].split(';')[0]
    return {k: int(v) for k, v in (item.rsplit(' ', 1)
                                   for item in text.split(', '))}


def _dispatched(body):
    """The message oslo.messaging hands a listener for this body, or None.

    It decodes the body as JSON and a 2.0 envelope, and dispatches an
    object with a priority it knows (a body with none is passed over with
    one warning a batch) to the endpoints, whose filter then wants one of
    bootdoctor's event types.
    """
    try:
        message = json.loads(body.decode('utf-8'))
        if isinstance(message, dict) and 'oslo.version' in message:
            if message['oslo.version'] != '2.0':
                return None
            message = json.loads(message['oslo.message'])
    except (ValueError, TypeError, KeyError, AttributeError,
            RecursionError):
        return None
    if not isinstance(message, dict):
        return None
    priority = message.get('priority')
    if not isinstance(priority, str) or (
            priority.lower() not in endpoints.PRIORITIES):
        return None
    return message


def _wait_settled(url, queue, quiet=3.0, timeout=60):
    """Until ``queue`` has nothing ready and the stored notifications and
    rejections have not changed for ``quiet`` seconds.
    """
    connection = api.Connection(url)
    try:
        deadline = time.monotonic() + timeout
        last, since = None, time.monotonic()
        while time.monotonic() < deadline:
            counts = connection.counts()
            now = (counts['notifications'], counts['rejections'],
                   rabbit.queue_state(queue)[0])
            if now != last:
                last, since = now, time.monotonic()
            elif now[2] == 0 and time.monotonic() - since >= quiet:
                return
            time.sleep(0.2)
    finally:
        connection.close()


def test_bad_bodies_through_the_broker(tmp_path, names, sqlite_url):
    boots = simulator.plan(len(STREAM), STREAM, seed=41)
    emissions = [e for _, e in simulator.interleave(boots, seed=5)]
    half = len(emissions) // 2
    bad = [line for _, line, _ in test_bad_input.BAD]
    assert [label for label, _, _ in test_bad_input.BAD
            if label.startswith('user id')] == ['user id of 100 characters']
    collector = process.CollectorProcess(str(tmp_path), names, sqlite_url)
    collector.start()
    try:
        publisher = conftest.publisher(names)
        publisher.publish(emissions[:half])
        _publish_raw(names, bad)
        publisher.publish(emissions[half:])
        sent = publisher.sent
        publisher.close()
        conftest.wait_for_notifications(sqlite_url, sent, timeout=180)
        wrong = conftest.wait_until_expected(sqlite_url, boots)
        # The queue may be empty while the collector still holds
        # prefetched batches (the bad bodies' rejections among them):
        # wait until nothing is ready and the database stops changing.
        _wait_settled(sqlite_url, names.pool)
        left = rabbit.queue_state(names.pool)[0]
    finally:
        code = collector.stop()
    assert code == 0
    connection = api.Connection(sqlite_url)
    try:
        stored = connection.rejections(limit=None)
    finally:
        connection.close()
    output = collector.output()
    counts = _stop_counts(output)
    # oslo.messaging could not decode these (not JSON, not UTF-8, nested
    # past the decoder, an envelope it refuses) and said so, once each.
    dropped = output.count('Failed to process message ... skipping it.')
    # What it hands on: the listener's filter passes over the event types
    # bootdoctor does not listen for, as it does a resize.end.
    known = re.compile(endpoints.event_type_pattern(
        notification.event_types()))
    handed = [m for m in map(_dispatched, bad) if m is not None]
    listened = [m for m in handed if isinstance(m.get('event_type'), str)
                and known.match(m['event_type'])]
    reached = counts['received'] - sent
    rejected_logged = output.count('Rejected notification ')
    print('Through RabbitMQ: %d good notifications and %d bad bodies; '
          'bootdoctor received %d of them and rejected %d (stored %d, '
          'logged %d), accepting %d whose spoiled part oslo.messaging does '
          'not pass on (the ctxt key of a recorded line: it reads the context '
          'from _context_* keys); '
          'oslo.messaging dropped %d it could not decode (logged) and %d '
          'with no priority or of event types not listened for; requeued '
          '%d; left in the queue %d' % (
              sent, len(bad), reached, counts['rejected'], len(stored),
              rejected_logged, reached - counts['rejected'], dropped,
              len(bad) - reached - dropped, counts['requeued'], left))

    # The stream went on and no record was spoiled.
    assert wrong == {}
    # Nothing was redelivered or left behind.
    assert counts['requeued'] == 0 and left == 0
    # bootdoctor received exactly what oslo.messaging hands on, and
    # oslo.messaging logged each body it could not decode.
    assert reached == len(listened)
    assert dropped >= 1
    assert dropped <= len(bad) - len(handed)
    # What reached bootdoctor and was bad was counted, logged and stored.
    assert counts['rejected'] == len(stored) == rejected_logged
    # The rest were good as far as a listener can tell: only their ctxt
    # key, which oslo.messaging does not pass on, was spoiled.
    spoiled_context = [
        label for label, _, _ in test_bad_input.BAD
        if label.split(' ', 1)[-1].split('.')[0] == 'ctxt' or
        label == 'user id of 100 characters']
    assert reached - counts['rejected'] == len(spoiled_context)
    assert not [r for r in stored
                if r['reason'].startswith('internal error')]
