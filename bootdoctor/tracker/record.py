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

"""The boot record: the one representation of a boot.

Produced only by :func:`bootdoctor.tracker.build_record`, serialised only by
:meth:`BootRecord.to_dict`; replay, the API and the CLI all print that dict.
"""

import dataclasses
import datetime

STATUSES = ('building', 'active', 'error', 'stuck', 'deleted')
OUTCOMES = ('in_progress', 'success', 'failed', 'aborted')
STEP_STATES = ('observed', 'inferred', 'pending', 'failed', 'skipped')


def iso(value):
    """An aware datetime as an ISO 8601 UTC string; None stays None."""
    if value is None:
        return None
    return value.astimezone(datetime.timezone.utc).isoformat()


def seconds(start, end):
    if start is None or end is None:
        return None
    return round((end - start).total_seconds(), 6)


@dataclasses.dataclass
class Attempt:
    host: str | None = None
    node: str | None = None
    started_at: datetime.datetime | None = None
    ended_at: datetime.datetime | None = None
    outcome: str = 'in_progress'
    fault: dict | None = None
    # The phase Nova reported when the attempt failed; internal, used to
    # locate the root cause, not part of the record's JSON.
    phase: str | None = None

    def to_dict(self):
        return {'host': self.host, 'node': self.node,
                'started_at': iso(self.started_at),
                'ended_at': iso(self.ended_at),
                'outcome': self.outcome, 'fault': self.fault}


@dataclasses.dataclass
class StepState:
    number: int
    title: str
    phase: str
    components: tuple
    state: str = 'pending'
    at: datetime.datetime | None = None
    evidence: list = dataclasses.field(default_factory=list)

    def to_dict(self):
        return {'number': self.number, 'title': self.title,
                'phase': self.phase, 'components': list(self.components),
                'state': self.state, 'at': iso(self.at),
                'evidence': list(self.evidence)}


@dataclasses.dataclass
class PhaseSpan:
    started_at: datetime.datetime | None = None
    ended_at: datetime.datetime | None = None
    duration_s: float | None = None

    def to_dict(self):
        return {'started_at': iso(self.started_at),
                'ended_at': iso(self.ended_at),
                'duration_s': self.duration_s}


@dataclasses.dataclass
class BootRecord:
    instance_uuid: str
    request_id: str | None
    project_id: str | None
    user_id: str | None
    status: str
    phase: str | None
    step: int | None
    host: str | None
    node: str | None
    attempts: list
    fault: dict | None
    root_cause: dict | None
    steps: list
    phases: dict
    created_at: datetime.datetime | None
    updated_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    duration_s: float | None
    diagnosis: dict

    def to_dict(self):
        return {
            'instance_uuid': self.instance_uuid,
            'request_id': self.request_id,
            'project_id': self.project_id,
            'user_id': self.user_id,
            'status': self.status,
            'phase': self.phase,
            'step': self.step,
            'host': self.host,
            'node': self.node,
            'attempts': [a.to_dict() for a in self.attempts],
            'fault': self.fault,
            'root_cause': self.root_cause,
            'steps': [s.to_dict() for s in self.steps],
            'phases': {name: span.to_dict()
                       for name, span in self.phases.items()},
            'created_at': iso(self.created_at),
            'updated_at': iso(self.updated_at),
            'finished_at': iso(self.finished_at),
            'duration_s': self.duration_s,
            'diagnosis': self.diagnosis,
        }
