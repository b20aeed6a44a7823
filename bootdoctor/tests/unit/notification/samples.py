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

"""Load the bundled upstream samples the way their own projects do.

* Nova's samples hold ``"$ref"`` entries that nova/tests/json_ref.py
  resolves; :func:`resolve_refs` is that algorithm.
* stacktach-notigen templates hold placeholders that its generator
  substitutes; :func:`notigen` does the same, deterministically.
* ceilometer's fixtures hold the constant ``NOW``, which its tests set to
  ``utcnow().isoformat()``; :func:`ceilometer` sets it to a fixed time.
"""

import datetime
import json
import os
import re
import uuid

DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), 'data', 'samples')
NOW = datetime.datetime(2026, 11, 25, 8, 0, 0, 123456)
_PLACEHOLDER = re.compile(r'\[\[\[\[(\w+)\]\]\]\]')


def path(*parts):
    return os.path.join(DATA, *parts)


def load(*parts):
    with open(path(*parts), 'rb') as f:
        return json.load(f)


def jsonl(*parts):
    with open(path(*parts), 'rb') as f:
        return [json.loads(line) for line in f if line.strip()]


# nova/tests/json_ref.py, same algorithm.

def _resolve_ref(ref, base_path):
    file_path, _, json_path = ref.partition('#')
    if json_path:
        raise NotImplementedError('JSON refs with a path after # are not '
                                  'supported, as in Nova')
    ref_path = os.path.join(base_path, file_path)
    with open(ref_path, 'rb') as f:
        value = json.load(f)
    return resolve_refs(value, os.path.dirname(ref_path))


def resolve_refs(obj, base_path):
    if isinstance(obj, list):
        for i, item in enumerate(obj):
            obj[i] = resolve_refs(item, base_path)
    elif isinstance(obj, dict):
        if '$ref' in obj:
            ref = obj.pop('$ref')
            resolved = _resolve_ref(ref, base_path)
            _update_dict_recursively(resolved, obj)
            return resolved
        for key, value in obj.items():
            obj[key] = resolve_refs(value, base_path)
    return obj


def _update_dict_recursively(target, update):
    for key, value in update.items():
        if (key in target and isinstance(target[key], dict) and
                isinstance(value, dict)):
            _update_dict_recursively(target[key], value)
        else:
            target[key] = value


def nova_sample(name):
    """A Nova versioned sample with its references resolved."""
    return resolve_refs(load('nova-samples', name), path('nova-samples'))


NOVA_SAMPLES = sorted(
    name for name in os.listdir(path('nova-samples'))
    if name.endswith('.json'))


# stacktach-notigen templates.

def _placeholder_values(meta, now):
    values = {}
    for key, (days, seconds, micros) in meta['time_map'].items():
        values[key[4:-4]] = str(now + datetime.timedelta(
            days=days, seconds=seconds, microseconds=micros))
    for n in range(meta['uuid']):
        values['UUID_%d' % n] = str(uuid.uuid5(uuid.NAMESPACE_URL,
                                               'notigen-uuid-%d' % n))
    for n in range(meta['xuuid']):
        values['XUUID_%d' % n] = uuid.uuid5(
            uuid.NAMESPACE_URL, 'notigen-xuuid-%d' % n).hex
    for n in range(meta['v4']):
        values['V4_%d' % n] = '192.0.2.%d' % (n + 1)
    for n in range(meta['v6']):
        values['V6_%d' % n] = '2001:db8::%x' % (n + 1)
    values.update({
        'tenant_id': '100001', 'user_id': '100002',
        'display_name': 'Instance_1', 'host': 'host-1',
        'hostname': 'server-1', 'node': 'node-1',
        'reservation_id': 'res-1', 'image_name': 'image-1',
        'device_name': 'device-1',
        # notigen itself uses "publisher-<n>": the template does not
        # keep which service published each message.
        'publisher_id': 'publisher-1',
    })
    return values


def notigen(number, *, uuids=True, datetimes=True, now=NOW):
    """The messages (elements 1..) of a template, placeholders filled.

    ``uuids=False`` leaves the UUID placeholders in place and
    ``datetimes=False`` the DT ones; other placeholders are always filled.
    Returns (messages, values) where ``values`` maps placeholder names to
    what was put in.
    """
    name = 'compute.instance.create.start_%d.json' % number
    with open(path('legacy', 'stacktach-notigen', name)) as f:
        text = f.read()
    meta = json.loads(text)[0]
    values = _placeholder_values(meta, now)

    def substitute(match):
        key = match.group(1)
        if not datetimes and key.startswith('DT_'):
            return match.group(0)
        if not uuids and (key.startswith('UUID_') or
                          key.startswith('XUUID_')):
            return match.group(0)
        return values.get(key, match.group(0))

    return json.loads(_PLACEHOLDER.sub(substitute, text))[1:], values


def ceilometer(*parts, now=NOW):
    """A ceilometer fixture with NOW set as ceilometer's tests set it."""
    message = load(*parts)
    for key, value in list(message.items()):
        if value == 'NOW':
            message[key] = now.isoformat()
    return message


def paths(value, prefix=()):
    """The path (a tuple of keys and indexes) of every place in a JSON
    value, the value itself first (the empty path).
    """
    yield prefix
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from paths(sub, prefix + (key,))
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            yield from paths(sub, prefix + (index,))
