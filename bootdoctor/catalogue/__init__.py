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

"""The 29-step boot catalogue: data in one place.

The steps, components, log files, failures and tools live in
``steps.yaml`` and ``components.yaml`` beside this module. The tracker,
diagnosis, API, CLI and documentation read them from here; nothing else
hard-codes a step number, a log path or a component name.

The data is checked when it is first loaded: a step or component that
breaks the schema below raises :class:`CatalogueError` naming every
problem, so a bad edit fails at once rather than in a diagnosis.

Evidence matchers (``Step.evidence``) are mappings with a ``kind`` (one of
:data:`bootdoctor.observation.KINDS`) and optional observation attributes
or ``details`` keys; a value matches exactly, a list matches any of its
items, ``'*'`` means present and not null or empty, None means null or
absent.
:func:`evidence_matches` evaluates one against an observation.

Text meant to be run or grepped may hold the placeholders in
:data:`PLACEHOLDERS` (``{request_id}``...); :func:`render` fills them and
keeps those it has no value for. ``<pid>``-style words are for a human.
"""

import dataclasses
import functools
import os
import string

import yaml

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
_OBSERVATION_FIELDS = frozenset(
    f.name for f in dataclasses.fields(obs.Observation)
    if f.name not in ('fault', 'details'))
_MATCH_KEYS = _OBSERVATION_FIELDS | frozenset(DETAIL_KEYS)
_STEP_KEYS = {'number', 'title', 'phase', 'components', 'channel',
              'description', 'modern', 'evidence', 'skipped_when',
              'failures', 'tools', 'actions'}
_STEP_REQUIRED = {'number', 'title', 'phase', 'components', 'channel',
                  'description'}
_FAILURE_KEYS = {'summary', 'exceptions', 'component', 'actions',
                 'messages', 'modules'}
_COMPONENT_KEYS = {'name', 'title', 'host', 'service', 'logs', 'actions'}
_LOG_KEYS = {'host', 'path', 'grep'}
_HERE = os.path.dirname(os.path.abspath(__file__))


class CatalogueError(ValueError):
    """The catalogue data breaks its schema; the message lists why."""

    def __init__(self, source, problems):
        self.source = source
        self.problems = tuple(problems)
        super().__init__('%s: %s' % (source, '; '.join(self.problems)))


@dataclasses.dataclass(frozen=True)
class Log:
    component: str
    host: str          # which host: controller, compute, network, storage
    path: str
    grep: str          # a grep pattern; may hold {request_id} etc.

    def render(self, **values):
        return dataclasses.replace(self, grep=_fmt(self.grep, values))


@dataclasses.dataclass(frozen=True)
class Failure:
    """A common failure at a step, keyed by exception class names.

    ``messages``, when given, narrows the match to faults whose message
    holds one of these substrings: ``BuildAbortException`` is raised for
    block device, network and image problems alike, and only its message
    tells them apart. ``modules``, when given, narrows it to exceptions
    raised from those Python modules (or packages below them), when the
    fault names its module (versioned notifications do, legacy ones do
    not): keystoneauth raises ``InternalServerError`` for a 500 from any
    service, neutronclient for Neutron's alone.
    """
    summary: str
    exceptions: tuple = ()
    component: str | None = None
    actions: tuple = ()
    messages: tuple = ()
    modules: tuple = ()

    def matches(self, exception, message=None, module=None):
        if exception not in self.exceptions:
            return False
        if self.modules and module and not any(
                module == m or module.startswith(m + '.')
                for m in self.modules):
            return False
        if not self.messages:
            return True
        return bool(message) and any(m in message for m in self.messages)


@dataclasses.dataclass(frozen=True)
class Component:
    name: str
    title: str
    host: str          # controller, compute, network, storage, client
    service: str | None  # systemd unit or process name, if any
    logs: tuple = ()    # Log
    actions: tuple = ()  # commands that check this component

    def to_dict(self):
        return _plain(dataclasses.asdict(self))


@dataclasses.dataclass(frozen=True)
class Step:
    number: int
    title: str
    phase: str
    components: tuple
    channel: str
    description: str
    modern: str | None
    evidence: tuple      # dicts: {kind: ..., attr: value}; any one proves
    skipped_when: tuple  # boot traits making this step not apply
    failures: tuple      # Failure
    tools: tuple
    actions: tuple

    def to_dict(self):
        """Plain dicts and lists, ready for JSON."""
        return _plain(dataclasses.asdict(self))


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


class _Keep(dict):
    def __missing__(self, key):
        return '{' + key + '}'


def _fmt(text, values):
    return text.format_map(_Keep(**{k: v for k, v in values.items()
                                    if v is not None}))


def render(text, **values):
    """Fill the placeholders in ``text``; unknown or None ones are kept."""
    return _fmt(text, values)


def _load(name):
    path = os.path.join(_HERE, name)
    try:
        with open(path, encoding='utf-8') as f:
            data = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogueError(name, ['cannot read %s: %s' % (path, exc)])
    if not isinstance(data, list):
        raise CatalogueError(name, ['expected a list at the top level'])
    return data


class _FrozenMap(dict):
    def __hash__(self):
        return hash(tuple(sorted((k, str(v)) for k, v in self.items())))

    def __reduce__(self):
        # copy, deepcopy and pickle rebuild it whole, not key by key.
        return (_FrozenMap, (dict(self),))

    def _immutable(self, *a, **kw):
        raise TypeError('catalogue data is read-only')

    __setitem__ = __delitem__ = update = pop = clear = _immutable
    popitem = setdefault = __ior__ = _immutable


def _freeze_map(value):
    return _FrozenMap(value)


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


def build_components(data):
    """Components from parsed components.yaml data; CatalogueError if bad."""
    problems, result = [], {}
    for index, item in enumerate(data or ()):
        where = 'component #%d' % (index + 1)
        if not _keys(where, item, _COMPONENT_KEYS,
                     {'name', 'title', 'host'}, problems):
            continue
        name = item['name']
        where = 'component %s' % name
        if name in result:
            problems.append('%s: defined twice' % where)
        if item['host'] not in HOST_ROLES:
            problems.append('%s: host %r not in %s'
                            % (where, item['host'], HOST_ROLES))
        logs = []
        for n, log in enumerate(item.get('logs') or ()):
            lwhere = '%s log #%d' % (where, n + 1)
            if not _keys(lwhere, log, _LOG_KEYS, _LOG_KEYS, problems):
                continue
            if log['host'] not in HOST_ROLES:
                problems.append('%s: host %r not in %s'
                                % (lwhere, log['host'], HOST_ROLES))
            problems += _placeholder_problems(lwhere, log['path'])
            problems += _placeholder_problems(lwhere, log['grep'])
            logs.append(Log(component=name, **log))
        actions = tuple(item.get('actions') or ())
        for action in actions:
            problems += _placeholder_problems(where + ' action', action)
        result[name] = Component(
            name=name, title=item['title'], host=item['host'],
            service=item.get('service'), logs=tuple(logs), actions=actions)
    if problems:
        raise CatalogueError('components.yaml', problems)
    return result


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


def _build_failure(where, number, data, components, seen, problems):
    if not _keys(where, data, _FAILURE_KEYS, {'summary'}, problems):
        return None
    failure = Failure(
        summary=data['summary'],
        exceptions=tuple(data.get('exceptions') or ()),
        component=data.get('component'),
        actions=tuple(data.get('actions') or ()),
        messages=tuple(data.get('messages') or ()),
        modules=tuple(data.get('modules') or ()))
    if failure.component is not None and failure.component not in components:
        problems.append('%s: unknown component %r' % (where,
                                                      failure.component))
    for name in failure.exceptions:
        if not (isinstance(name, str) and name.isidentifier()):
            problems.append('%s: %r is not an exception class name'
                            % (where, name))
        elif name in seen:
            problems.append('%s: %s already listed under step %d'
                            % (where, name, seen[name]))
        else:
            seen[name] = number
    for text in (failure.summary,) + failure.actions:
        problems += _placeholder_problems(where, text)
    return failure


def build_steps(data, components):
    """Steps from parsed steps.yaml data; CatalogueError if bad."""
    problems, result, seen = [], [], {}
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
        evidence = item.get('evidence') or ()
        for n, matcher in enumerate(evidence):
            problems += _matcher_problems('%s evidence #%d' % (where, n + 1),
                                          matcher)
        for trait in item.get('skipped_when') or ():
            if trait not in TRAITS:
                problems.append('%s: unknown trait %r' % (where, trait))
        failures = tuple(
            f for f in (_build_failure('%s failure #%d' % (where, n + 1),
                                       item['number'], f, components, seen,
                                       problems)
                        for n, f in enumerate(item.get('failures') or ()))
            if f is not None)
        texts = [item['title'], item['description'], item.get('modern') or '']
        texts += list(item.get('tools') or ())
        texts += list(item.get('actions') or ())
        for text in texts:
            problems += _placeholder_problems(where, text)
        if problems:
            continue
        result.append(Step(
            number=item['number'], title=item['title'],
            phase=item['phase'], components=tuple(item['components']),
            channel=item['channel'], description=item['description'],
            modern=item.get('modern'),
            evidence=tuple(_freeze_map(e) for e in evidence),
            skipped_when=tuple(item.get('skipped_when') or ()),
            failures=failures,
            tools=tuple(item.get('tools') or ()),
            actions=tuple(item.get('actions') or ())))
    if not problems and len(result) != STEP_COUNT:
        problems.append('expected %d steps, found %d'
                        % (STEP_COUNT, len(result)))
    if problems:
        raise CatalogueError('steps.yaml', problems)
    return tuple(result)


@functools.lru_cache(maxsize=None)
def components():
    """Every component by name, in catalogue order."""
    return build_components(_load('components.yaml'))


@functools.lru_cache(maxsize=None)
def steps():
    """The 29 steps, in number order."""
    return build_steps(_load('steps.yaml'), components())


def step(number):
    """The step with this number; KeyError if there is none."""
    for item in steps():
        if item.number == number:
            return item
    raise KeyError(number)


def phase_steps(phase):
    return tuple(s for s in steps() if s.phase == phase)


def failure_for_exception(exception, message=None, module=None):
    """(step, failure) whose failure names this exception class, or None.

    ``message`` is the fault message and ``module`` the exception's
    module, when known; a failure that lists ``messages`` or ``modules``
    matches only a fault that fits them (see :class:`Failure`).
    """
    if not exception:
        return None
    for item in steps():
        for failure in item.failures:
            if failure.matches(exception, message, module):
                return item, failure
    return None


def _observed(observation, key):
    if key in _OBSERVATION_FIELDS:
        return getattr(observation, key)
    return observation.details.get(key)


def evidence_matches(matcher, observation):
    """Whether one evidence matcher of a step matches this observation."""
    if observation.kind != matcher.get('kind'):
        return False
    for key, want in matcher.items():
        if key == 'kind':
            continue
        have = _observed(observation, key)
        if want == '*':
            ok = have not in (None, '')
        elif want is None:
            ok = have is None
        elif isinstance(want, (list, tuple)):
            ok = have in want
        else:
            ok = have == want
        if not ok:
            return False
    return True
