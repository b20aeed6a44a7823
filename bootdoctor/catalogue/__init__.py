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
"""

import dataclasses
import functools
import os

import yaml

PHASES = ('scheduling', 'networking', 'block_device_mapping', 'spawning')
CHANNELS = ('REST', 'rpc.call', 'rpc.cast', 'DB', 'hypervisor')
STEP_COUNT = 29
_HERE = os.path.dirname(os.path.abspath(__file__))


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
    """A common failure at a step, keyed by exception class names."""
    summary: str
    exceptions: tuple = ()
    component: str | None = None
    actions: tuple = ()


@dataclasses.dataclass(frozen=True)
class Component:
    name: str
    title: str
    host: str          # controller, compute, network, storage, client
    service: str | None  # systemd unit or process name, if any
    logs: tuple = ()    # Log
    actions: tuple = ()  # commands that check this component


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
        data = dataclasses.asdict(self)
        data['evidence'] = [dict(e) for e in self.evidence]
        return data


def _fmt(text, values):
    class _Keep(dict):
        def __missing__(self, key):
            return '{' + key + '}'
    return text.format_map(_Keep(**{k: v for k, v in values.items()
                                    if v is not None}))


def _load(name):
    with open(os.path.join(_HERE, name), encoding='utf-8') as f:
        return yaml.safe_load(f)


@functools.lru_cache(maxsize=None)
def components():
    """Every component by name, in catalogue order."""
    result = {}
    for item in _load('components.yaml'):
        result[item['name']] = Component(
            name=item['name'], title=item['title'], host=item['host'],
            service=item.get('service'),
            logs=tuple(Log(component=item['name'], **log)
                       for log in item.get('logs', ())),
            actions=tuple(item.get('actions', ())))
    return result


@functools.lru_cache(maxsize=None)
def steps():
    """The 29 steps, in number order."""
    result = []
    for item in _load('steps.yaml'):
        result.append(Step(
            number=item['number'], title=item['title'],
            phase=item['phase'], components=tuple(item['components']),
            channel=item['channel'], description=item['description'],
            modern=item.get('modern'),
            evidence=tuple(_freeze_map(e) for e in item.get('evidence', ())),
            skipped_when=tuple(item.get('skipped_when', ())),
            failures=tuple(Failure(
                summary=f['summary'],
                exceptions=tuple(f.get('exceptions', ())),
                component=f.get('component'),
                actions=tuple(f.get('actions', ())))
                for f in item.get('failures', ())),
            tools=tuple(item.get('tools', ())),
            actions=tuple(item.get('actions', ()))))
    return tuple(result)


class _FrozenMap(dict):
    def __hash__(self):
        return hash(tuple(sorted((k, str(v)) for k, v in self.items())))

    def _immutable(self, *a, **kw):
        raise TypeError('catalogue data is read-only')

    __setitem__ = __delitem__ = update = pop = clear = _immutable


def _freeze_map(value):
    return _FrozenMap(value)


def step(number):
    """The step with this number; KeyError if there is none."""
    for item in steps():
        if item.number == number:
            return item
    raise KeyError(number)


def phase_steps(phase):
    return tuple(s for s in steps() if s.phase == phase)


def failure_for_exception(exception):
    """(step, failure) whose failure names this exception class, or None."""
    if not exception:
        return None
    for item in steps():
        for failure in item.failures:
            if exception in failure.exceptions:
                return item, failure
    return None
