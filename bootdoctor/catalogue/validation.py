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

"""What the catalogue's YAML may say, and the checks that enforce it.

:func:`component_problems` and :func:`step_problems` take the parsed
``components.yaml`` and ``steps.yaml`` and return every problem they find,
as text naming the entry (an empty list: the data is valid). The package
(:mod:`bootdoctor.catalogue`) builds the steps and components only from
valid data and raises :class:`~bootdoctor.catalogue.CatalogueError` with
these problems otherwise; it re-exports the vocabulary below.
"""

import dataclasses
import string

from bootdoctor import observation as obs

PHASES = ('scheduling', 'networking', 'block_device_mapping', 'spawning')
CHANNELS = ('REST', 'rpc.call', 'rpc.cast', 'DB', 'hypervisor')
HOST_ROLES = ('client', 'controller', 'compute', 'network', 'storage')
# Boot traits that make a step not apply (Step.skipped_when).
TRAITS = ('boot_from_volume', 'no_volumes')
PLACEHOLDERS = ('instance_uuid', 'request_id', 'host', 'node', 'project_id',
                'image_id')
STEP_COUNT = 29
# Observation.details keys an evidence matcher may test, besides the
# Observation attributes themselves.
DETAIL_KEYS = ('image_id', 'display_name', 'reservation_id', 'port_id',
               'vif_type', 'port_status', 'binding_host', 'volume_id',
               'volume_status', 'bytes_sent', 'image_size', 'outcome',
               'boot_from_volume')
OBSERVATION_FIELDS = frozenset(
    f.name for f in dataclasses.fields(obs.Observation)
    if f.name not in ('fault', 'details'))
_MATCH_KEYS = OBSERVATION_FIELDS | frozenset(DETAIL_KEYS)
_STEP_KEYS = {'number', 'title', 'phase', 'components', 'channel',
              'description', 'modern', 'evidence', 'skipped_when',
              'failures', 'tools', 'actions'}
_STEP_REQUIRED = {'number', 'title', 'phase', 'components', 'channel',
                  'description'}
_FAILURE_KEYS = {'summary', 'exceptions', 'component', 'actions',
                 'messages', 'modules'}
_COMPONENT_KEYS = {'name', 'title', 'host', 'service', 'logs', 'actions'}
_LOG_KEYS = {'host', 'path', 'grep'}


def _keys(where, item, allowed, required, problems):
    if not isinstance(item, dict):
        problems.append('%s: expected a mapping' % where)
        return False
    missing = sorted(required - item.keys())
    unknown = sorted(item.keys() - allowed)
    if missing:
        problems.append('%s: missing %s' % (where, ', '.join(missing)))
    if unknown:
        problems.append('%s: unknown key(s) %s' % (where, ', '.join(unknown)))
    return not missing


def _placeholder_problems(where, text):
    if not isinstance(text, str):
        return ['%s: expected text, got %r' % (where, text)]
    try:
        fields = [(name, spec, conv) for _, name, spec, conv
                  in string.Formatter().parse(text) if name is not None]
    except ValueError as exc:
        return ['%s: malformed placeholder in %r (%s)' % (where, text, exc)]
    return ['%s: unknown placeholder {%s} in %r' % (where, name, text)
            for name, spec, conv in fields
            if name not in PLACEHOLDERS or spec or conv]


def component_problems(data):
    """Every problem of parsed components.yaml data ([]: none)."""
    problems, names = [], set()
    for index, item in enumerate(data or ()):
        where = 'component #%d' % (index + 1)
        if not _keys(where, item, _COMPONENT_KEYS,
                     {'name', 'title', 'host'}, problems):
            continue
        name = item['name']
        where = 'component %s' % name
        if name in names:
            problems.append('%s: defined twice' % where)
        names.add(name)
        if item['host'] not in HOST_ROLES:
            problems.append('%s: host %r not in %s'
                            % (where, item['host'], HOST_ROLES))
        for n, log in enumerate(item.get('logs') or ()):
            lwhere = '%s log #%d' % (where, n + 1)
            if not _keys(lwhere, log, _LOG_KEYS, _LOG_KEYS, problems):
                continue
            if log['host'] not in HOST_ROLES:
                problems.append('%s: host %r not in %s'
                                % (lwhere, log['host'], HOST_ROLES))
            problems += _placeholder_problems(lwhere, log['path'])
            problems += _placeholder_problems(lwhere, log['grep'])
        for action in item.get('actions') or ():
            problems += _placeholder_problems(where + ' action', action)
    return problems


def _matcher_problems(where, matcher):
    if not isinstance(matcher, dict) or 'kind' not in matcher:
        return ['%s: a matcher is a mapping with a kind' % where]
    problems = []
    if matcher['kind'] not in obs.KINDS:
        problems.append('%s: unknown kind %r' % (where, matcher['kind']))
    for key, value in matcher.items():
        if key != 'kind' and key not in _MATCH_KEYS:
            problems.append('%s: %r is neither an observation attribute '
                            'nor a known details key' % (where, key))
        values = value if isinstance(value, list) else [value]
        if not all(v is None or isinstance(v, (str, int, bool))
                   for v in values):
            problems.append('%s: bad value %r for %s' % (where, value, key))
    return problems


def _failure_problems(where, number, data, components, seen, problems):
    if not _keys(where, data, _FAILURE_KEYS, {'summary'}, problems):
        return
    component = data.get('component')
    if component is not None and component not in components:
        problems.append('%s: unknown component %r' % (where, component))
    for name in data.get('exceptions') or ():
        if not (isinstance(name, str) and name.isidentifier()):
            problems.append('%s: %r is not an exception class name'
                            % (where, name))
        elif name in seen:
            problems.append('%s: %s already listed under step %d'
                            % (where, name, seen[name]))
        else:
            seen[name] = number
    for text in (data['summary'],) + tuple(data.get('actions') or ()):
        problems += _placeholder_problems(where, text)


def step_problems(data, components):
    """Every problem of parsed steps.yaml data ([]: none).

    ``components`` holds the names of the valid components.
    """
    problems, seen = [], {}
    for index, item in enumerate(data or ()):
        where = 'step #%d' % (index + 1)
        if not _keys(where, item, _STEP_KEYS, _STEP_REQUIRED, problems):
            continue
        where = 'step %s' % item['number']
        if item['number'] != index + 1:
            problems.append('%s: found where step %d belongs'
                            % (where, index + 1))
        if item['phase'] not in PHASES:
            problems.append('%s: phase %r not in %s'
                            % (where, item['phase'], PHASES))
        if item['channel'] not in CHANNELS:
            problems.append('%s: channel %r not in %s'
                            % (where, item['channel'], CHANNELS))
        if not item['components']:
            problems.append('%s: names no component' % where)
        for name in item['components'] or ():
            if name not in components:
                problems.append('%s: unknown component %r' % (where, name))
        for n, matcher in enumerate(item.get('evidence') or ()):
            problems += _matcher_problems('%s evidence #%d' % (where, n + 1),
                                          matcher)
        for trait in item.get('skipped_when') or ():
            if trait not in TRAITS:
                problems.append('%s: unknown trait %r' % (where, trait))
        for n, failure in enumerate(item.get('failures') or ()):
            _failure_problems('%s failure #%d' % (where, n + 1),
                              item['number'], failure, components, seen,
                              problems)
        texts = [item['title'], item['description'], item.get('modern') or '']
        texts += list(item.get('tools') or ())
        texts += list(item.get('actions') or ())
        for text in texts:
            problems += _placeholder_problems(where, text)
    if not problems and len(data or ()) != STEP_COUNT:
        problems.append('expected %d steps, found %d'
                        % (STEP_COUNT, len(data or ())))
    return problems
