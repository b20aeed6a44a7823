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

"""Real notifications as templates, re-identified for each simulated boot.

The files under ``data/`` were written by upstream projects (see
``data/PROVENANCE.rst``). A template is re-identified by rewriting its JSON
text: the identifiers of the recorded boot become those of the simulated
one, the recorded hosts the simulated hosts, and every time near the
recording is shifted to the simulated boot's start. Nothing else changes.
"""

import copy
import dataclasses
import datetime
import functools
import json
import os
import random
import re
import uuid

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'data')
RECORDED_DIR = os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), 'data', 'streams')

# The image every recorded boot used; simulated boots share it, as boots
# in a cloud share images.
IMAGE_ID = '155d900f-4e14-4e4c-a73d-069cbf4541e6'
# Nova's functional-test project and user in the recorded streams.
RECORDED_PROJECT = '6f70656e737461636b20342065766572'
RECORDED_USER = 'fake'

_UUID = re.compile(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-'
                   r'[0-9a-f]{12}')
_TIME = re.compile(r'(\d{4}-\d{2}-\d{2})([T ])(\d{2}:\d{2}:\d{2})(\.\d{1,6})?')
# Times further than this from a template's reference time are kept (an
# image created in 2011 stays created in 2011).
_SHIFT_WINDOW = datetime.timedelta(days=2)


@dataclasses.dataclass(frozen=True)
class Emission:
    """One notification as a service hands it to its oslo.messaging Notifier.

    ``topic`` is the Notifier topic (``notifications`` or
    ``versioned_notifications``), not the routing key: the messagingv2
    driver appends the priority. ``service`` names the exchange it goes to.
    """
    service: str
    topic: str
    priority: str
    publisher_id: str
    event_type: str
    payload: dict
    ctxt: dict

    @property
    def format(self):
        return ('versioned' if self.topic == 'versioned_notifications'
                else 'legacy')


@dataclasses.dataclass
class Identity:
    """Who and where a simulated boot is; fresh for every boot."""
    instance_uuid: str
    request_id: str
    project_id: str
    user_id: str
    name: str
    reservation_id: str
    instance_name: str
    controller: str
    start: datetime.datetime
    storage_host: str = 'storage1'
    rng: random.Random = dataclasses.field(default_factory=random.Random)
    # uuids other than the instance's, made on first use, so the same
    # recorded id gets the same new id across the templates of one boot.
    fresh: dict = dataclasses.field(default_factory=dict)

    def new_uuid(self, old=None):
        if old is None:
            return random_uuid(self.rng)
        if old not in self.fresh:
            self.fresh[old] = random_uuid(self.rng)
        return self.fresh[old]


def random_uuid(rng):
    """A version 4 uuid from ``rng``: reproducible for a seeded run."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _load_json(*path):
    with open(os.path.join(DATA_DIR, *path), encoding='utf-8') as f:
        return json.load(f)


@functools.lru_cache(maxsize=None)
def recorded(name):
    """The messages of one recorded stream, in emission order.

    The recorded Nova streams are the ones bootdoctor ships for replay
    (``bootdoctor/data/streams``), not a copy of them.
    """
    with open(os.path.join(RECORDED_DIR, name + '.jsonl'),
              encoding='utf-8') as f:
        lines = [json.loads(line) for line in f if line.strip()]
    return tuple(sorted(lines, key=lambda m: m['seq']))


@functools.lru_cache(maxsize=None)
def searchlight(kind, key):
    """A Neutron or Cinder message from searchlight's devstack captures."""
    return _load_json('other', 'searchlight', kind + '.json')[key]


@functools.lru_cache(maxsize=None)
def ceilometer(name):
    return _load_json('other', 'ceilometer', name + '.json')


@functools.lru_cache(maxsize=None)
def nova_sample(name):
    """A Nova versioned sample as upstream wrote it (``$ref`` unresolved)."""
    return _load_json('nova-samples', name + '.json')


@functools.lru_cache(maxsize=None)
def nova_common_payload(name):
    """One of Nova's common payload samples, as upstream wrote it."""
    return _load_json('nova-samples', 'common_payloads', name + '.json')


def recorded_start(name):
    """The time of the first message of a recorded stream."""
    return parse_time(recorded(name)[0]['timestamp'])


def parse_time(text):
    stamp = datetime.datetime.fromisoformat(text.replace(' ', 'T'))
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=datetime.timezone.utc)
    return stamp


class Rewriter:
    """Rewrites a template's JSON text for one boot.

    :param identity: the boot.
    :param uuids: recorded uuid -> new uuid (the instance, the request).
    :param tokens: recorded word -> new word, matched as a whole word
        (hosts, names, user ids).
    :param reference: the template's recording time; times within two
        days of it move by ``identity.start - reference``.
    """

    def __init__(self, identity, uuids, tokens, reference):
        self.identity = identity
        self.uuids = dict(uuids)
        self.delta = identity.start - reference
        self.reference = reference
        self.tokens = dict(tokens)
        self._token_re = None
        if self.tokens:
            words = sorted(self.tokens, key=len, reverse=True)
            self._token_re = re.compile(r'(?<![\w-])(%s)(?![\w])' % '|'.join(
                re.escape(t) for t in words))

    def __call__(self, value):
        text = json.dumps(value)
        text = _UUID.sub(self._uuid, text)
        if self._token_re is not None:
            text = self._token_re.sub(lambda m: self.tokens[m.group(1)], text)
        text = _TIME.sub(self._time, text)
        return json.loads(text)

    def _uuid(self, match):
        old = match.group(0)
        if old in self.uuids:
            return self.uuids[old]
        if old == IMAGE_ID:
            return old
        return self.identity.new_uuid(old)

    def _time(self, match):
        date, sep, clock, fraction = match.groups()
        try:
            stamp = datetime.datetime.fromisoformat(
                '%sT%s%s' % (date, clock, fraction or ''))
        except ValueError:
            return match.group(0)
        stamp = stamp.replace(tzinfo=datetime.timezone.utc)
        if abs(stamp - self.reference) > _SHIFT_WINDOW:
            return match.group(0)
        moved = stamp + self.delta
        text = moved.strftime('%Y-%m-%d') + sep + moved.strftime('%H:%M:%S')
        if fraction:
            text += '.%06d' % moved.microsecond
        return text


def redact(ctxt):
    """The context as oslo.messaging's Notifier sends it (no token)."""
    ctxt = dict(ctxt)
    if ctxt.get('auth_token') is not None:
        ctxt['auth_token'] = None
    return ctxt


def nova_rewriter(name, identity, compute):
    """A Rewriter for recorded stream ``name`` on compute host ``compute``."""
    first = recorded(name)[0]
    instance = _instance_of(recorded(name))
    recorded_request = first['ctxt']['request_id'][len('req-'):]
    request = identity.request_id[len('req-'):]
    display = _display_name_of(recorded(name))
    tokens = {
        'compute1': compute,
        'controller': identity.controller,
        RECORDED_USER: identity.user_id,
        RECORDED_PROJECT: identity.project_id,
        display: identity.name,
        'instance-00000001': identity.instance_name,
    }
    reservation = _reservation_of(recorded(name))
    if reservation:
        tokens[reservation] = identity.reservation_id
    return Rewriter(identity, {instance: identity.instance_uuid,
                               recorded_request: request},
                    tokens, parse_time(first['timestamp']))


def nova_emissions(name, start, end, identity, compute):
    """Recorded messages ``start:end`` of stream ``name``, re-identified."""
    rewrite = nova_rewriter(name, identity, compute)
    emissions = []
    for message in recorded(name)[start:end]:
        message = rewrite(copy.deepcopy(message))
        emissions.append(Emission(
            service='nova',
            topic=message['topic'].rsplit('.', 1)[0],
            priority=message['priority'],
            publisher_id=message['publisher_id'],
            event_type=message['event_type'],
            payload=message['payload'],
            ctxt=redact(message['ctxt'])))
    return emissions


def _instance_of(messages):
    for message in messages:
        payload = message['payload']
        data = payload.get('nova_object.data', payload)
        for key in ('uuid', 'instance_uuid', 'instance_id'):
            if isinstance(data.get(key), str) and _UUID.fullmatch(data[key]):
                return data[key]
    raise ValueError('no instance uuid in the recorded stream')


def _display_name_of(messages):
    for message in messages:
        name = message['payload'].get('display_name')
        if name:
            return name
        data = message['payload'].get('nova_object.data', {})
        if data.get('display_name'):
            return data['display_name']
    return 'rec'


def _reservation_of(messages):
    for message in messages:
        value = message['payload'].get('reservation_id')
        if value:
            return value
    return None
