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
breaks the schema (:mod:`bootdoctor.catalogue.validation`) raises
:class:`CatalogueError` naming every problem, so a bad edit fails at once
rather than in a diagnosis.

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

import yaml

from bootdoctor.catalogue import validation

# The vocabulary of the schema, defined with its checks.
PHASES = validation.PHASES
CHANNELS = validation.CHANNELS
HOST_ROLES = validation.HOST_ROLES
TRAITS = validation.TRAITS
PLACEHOLDERS = validation.PLACEHOLDERS
STEP_COUNT = validation.STEP_COUNT
DETAIL_KEYS = validation.DETAIL_KEYS
_OBSERVATION_FIELDS = validation.OBSERVATION_FIELDS
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


def build_components(data):
    """Components from parsed components.yaml data; CatalogueError if bad."""
    problems = validation.component_problems(data)
    if problems:
        raise CatalogueError('components.yaml', problems)
    result = {}
    for item in data or ():
        name = item['name']
        result[name] = Component(
            name=name, title=item['title'], host=item['host'],
            service=item.get('service'),
            logs=tuple(Log(component=name, **log)
                       for log in item.get('logs') or ()),
            actions=tuple(item.get('actions') or ()))
    return result


def _failure(data):
    return Failure(
        summary=data['summary'],
        exceptions=tuple(data.get('exceptions') or ()),
        component=data.get('component'),
        actions=tuple(data.get('actions') or ()),
        messages=tuple(data.get('messages') or ()),
        modules=tuple(data.get('modules') or ()))


def build_steps(data, components):
    """Steps from parsed steps.yaml data; CatalogueError if bad."""
    problems = validation.step_problems(data, components)
    if problems:
        raise CatalogueError('steps.yaml', problems)
    return tuple(Step(
        number=item['number'], title=item['title'],
        phase=item['phase'], components=tuple(item['components']),
        channel=item['channel'], description=item['description'],
        modern=item.get('modern'),
        evidence=tuple(_freeze_map(e) for e in item.get('evidence') or ()),
        skipped_when=tuple(item.get('skipped_when') or ()),
        failures=tuple(_failure(f) for f in item.get('failures') or ()),
        tools=tuple(item.get('tools') or ()),
        actions=tuple(item.get('actions') or ())) for item in data)


@functools.lru_cache(maxsize=None)
def components():
    """Every component by name, in catalogue order."""
    return build_components(_load('components.yaml'))


@functools.lru_cache(maxsize=None)
def steps():
    """The 29 steps, in number order."""
    return build_steps(_load('steps.yaml'), components())


@functools.lru_cache(maxsize=None)
def evidence_by_kind():
    """``{kind: ((step number, matcher), ...)}``: which matchers may match
    an observation of that kind, so a boot's observations are tested
    against those only, not against every matcher of the 29 steps.
    """
    found = {}
    for item in steps():
        for matcher in item.evidence:
            found.setdefault(matcher['kind'], []).append(
                (item.number, matcher))
    return {kind: tuple(pairs) for kind, pairs in found.items()}


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
