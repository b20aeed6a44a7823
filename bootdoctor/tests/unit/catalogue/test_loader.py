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

"""The catalogue loader: schema checks, failure lookup, evidence, render."""

import copy
import datetime
import pickle

import pytest

from bootdoctor import catalogue
from bootdoctor import observation

UTC = datetime.timezone.utc


def _components():
    return catalogue.build_components([
        {'name': 'nova-compute', 'title': 'Compute', 'host': 'compute',
         'service': 'nova-compute',
         'logs': [{'host': 'compute', 'path': '/var/log/nova/nova-compute.log',
                   'grep': '{request_id}'}],
         'actions': ['openstack compute service list --host {host}']},
        {'name': 'glance', 'title': 'Glance', 'host': 'controller'},
    ])


def _step(number, **extra):
    item = {'number': number, 'title': 'Step %d' % number,
            'phase': 'scheduling', 'components': ['nova-compute'],
            'channel': 'REST', 'description': 'A step.'}
    item.update(extra)
    return item


def _steps(**changes):
    """29 valid steps; changes maps a step number to keys to override."""
    data = [_step(n) for n in range(1, 30)]
    for number, extra in changes.items():
        data[int(number) - 1].update(extra)
    return data


def _problems(data, components=None):
    with pytest.raises(catalogue.CatalogueError) as info:
        catalogue.build_steps(data, components or _components())
    return ' | '.join(info.value.problems)


def test_valid_minimal_data_loads():
    steps = catalogue.build_steps(_steps(), _components())
    assert len(steps) == 29 and steps[0].failures == ()


@pytest.mark.parametrize('change, expected', [
    ({'3': {'components': ['nova-computer']}},
     "step 3: unknown component 'nova-computer'"),
    ({'4': {'phase': 'booting'}}, "step 4: phase 'booting'"),
    ({'5': {'channel': 'HTTP'}}, "step 5: channel 'HTTP'"),
    ({'6': {'evidence': [{'kind': 'instance.boot'}]}},
     "unknown kind 'instance.boot'"),
    ({'6': {'evidence': [{'task_state': 'spawning'}]}},
     'a matcher is a mapping with a kind'),
    ({'6': {'evidence': [{'kind': 'instance.update', 'colour': 'red'}]}},
     "'colour' is neither an observation attribute"),
    ({'6': {'evidence': [{'kind': 'instance.update', 'host': {'a': 1}}]}},
     'bad value'),
    ({'7': {'skipped_when': ['sunny']}}, "unknown trait 'sunny'"),
    ({'8': {'actions': ['grep {uuid} /var/log/x']}},
     'unknown placeholder {uuid}'),
    ({'8': {'tools': ['grep {request_id /var/log/x']}},
     'malformed placeholder'),
    ({'8': {'tools': ['echo {host!r}']}}, 'unknown placeholder {host}'),
    ({'9': {'colour': 'red'}}, 'step #9: unknown key(s) colour'),
    ({'10': {'components': []}}, 'step 10: names no component'),
    ({'11': {'failures': [{'exceptions': ['X']}]}},
     'step 11 failure #1: missing summary'),
    ({'11': {'failures': [{'summary': 's', 'component': 'nova'}]}},
     "unknown component 'nova'"),
    ({'11': {'failures': [{'summary': 's', 'exceptions': ['No Valid']}]}},
     'is not an exception class name'),
    ({'12': {'number': 13}}, 'step 13: found where step 12 belongs'),
])
def test_bad_step_data_is_rejected_with_a_clear_reason(change, expected):
    assert expected in _problems(_steps(**change))


def test_missing_keys_are_named():
    data = _steps()
    del data[0]['phase']
    del data[0]['channel']
    assert 'step #1: missing channel, phase' in _problems(data)


def test_an_exception_listed_under_two_steps_is_rejected():
    data = _steps(**{
        '10': {'failures': [{'summary': 'a', 'exceptions': ['NoValidHost']}]},
        '11': {'failures': [{'summary': 'b', 'exceptions': ['NoValidHost']}]},
    })
    assert 'NoValidHost already listed under step 10' in _problems(data)


def test_the_step_count_is_enforced():
    assert 'expected 29 steps, found 28' in _problems(_steps()[:28])


def test_every_problem_is_reported_at_once():
    problems = _problems(_steps(**{'2': {'phase': 'x'},
                                   '3': {'channel': 'y'}}))
    assert "step 2: phase 'x'" in problems
    assert "step 3: channel 'y'" in problems


@pytest.mark.parametrize('data, expected', [
    ([{'name': 'a', 'title': 'A', 'host': 'moon'}], "host 'moon'"),
    ([{'name': 'a', 'title': 'A', 'host': 'compute'}] * 2,
     'component a: defined twice'),
    ([{'name': 'a', 'host': 'compute'}], 'component #1: missing title'),
    ([{'name': 'a', 'title': 'A', 'host': 'compute',
       'logs': [{'host': 'compute', 'path': '/var/log/a.log'}]}],
     'component a log #1: missing grep'),
    # Once a TypeError from Log(), not a CatalogueError naming the key.
    ([{'name': 'a', 'title': 'A', 'host': 'compute',
       'logs': [{'host': 'compute', 'path': '/x', 'grep': 'g',
                 'level': 'ERROR'}]}],
     'component a log #1: unknown key(s) level'),
    ([{'name': 'a', 'title': 'A', 'host': 'compute',
       'logs': [{'host': 'compute', 'path': '/x', 'grep': '{instance}'}]}],
     'unknown placeholder {instance}'),
    ([{'name': 'a', 'title': 'A', 'host': 'compute',
       'actions': ['virsh dominfo {uuid}']}], 'unknown placeholder {uuid}'),
])
def test_bad_component_data_is_rejected(data, expected):
    with pytest.raises(catalogue.CatalogueError) as info:
        catalogue.build_components(data)
    assert expected in str(info.value)
    assert str(info.value).startswith('components.yaml: ')


def test_the_checks_return_every_problem_without_raising():
    from bootdoctor.catalogue import validation
    component = {'name': 'a', 'title': 'A', 'host': 'compute'}
    assert validation.component_problems([component]) == []
    assert validation.step_problems(_steps(), {'nova-compute'}) == []
    assert validation.step_problems(
        _steps(**{'2': {'phase': 'x'}})[:28], {'nova-compute'}) == [
        "step 2: phase 'x' not in %s" % (catalogue.PHASES,)]
    assert validation.component_problems([component] * 2) == [
        'component a: defined twice']
    # The package's vocabulary is the checks'.
    assert catalogue.PHASES is validation.PHASES
    assert catalogue.STEP_COUNT == validation.STEP_COUNT == 29


def test_unreadable_or_malformed_files_raise_catalogue_error(tmp_path,
                                                             monkeypatch):
    monkeypatch.setattr(catalogue, '_HERE', str(tmp_path))
    with pytest.raises(catalogue.CatalogueError, match='cannot read'):
        catalogue._load('steps.yaml')
    (tmp_path / 'steps.yaml').write_text('- number: [1\n')
    with pytest.raises(catalogue.CatalogueError, match='cannot read'):
        catalogue._load('steps.yaml')
    (tmp_path / 'steps.yaml').write_text('number: 1\n')
    with pytest.raises(catalogue.CatalogueError, match='a list at the top'):
        catalogue._load('steps.yaml')


def test_catalogue_data_is_read_only():
    matcher = catalogue.step(13).evidence[0]
    with pytest.raises(TypeError):
        matcher['kind'] = 'instance.create.end'
    with pytest.raises(TypeError):
        matcher.update(kind='x')
    assert hash(matcher) == hash(copy.copy(matcher))
    clone = copy.deepcopy(matcher)
    assert clone == matcher and type(clone) is type(matcher)
    assert pickle.loads(pickle.dumps(matcher)) == matcher


def test_step_lookup():
    assert catalogue.step(10).title.startswith('The scheduler filters')
    with pytest.raises(KeyError):
        catalogue.step(30)
    assert [s.number for s in catalogue.phase_steps('networking')] == \
        [22, 23, 24]
    assert catalogue.phase_steps('nonsense') == ()


def test_failure_for_exception():
    item, failure = catalogue.failure_for_exception('NoValidHost')
    assert (item.number, failure.component) == (10, 'nova-scheduler')
    item, failure = catalogue.failure_for_exception('PortBindingFailed')
    assert (item.number, failure.component) == (24, 'neutron')
    assert catalogue.failure_for_exception('KeyboardInterrupt') is None
    assert catalogue.failure_for_exception(None) is None
    assert catalogue.failure_for_exception('') is None


def test_build_abort_is_told_apart_by_its_message():
    bdm = ('Build of instance 07eae9ba-0682-4b41-a7c4-76ec68eed449 aborted: '
           'Failure prepping block device.')
    network = ('Build of instance 07eae9ba-0682-4b41-a7c4-76ec68eed449 '
               'aborted: Failed to allocate the network(s), not '
               'rescheduling.')
    item, failure = catalogue.failure_for_exception('BuildAbortException',
                                                    bdm)
    assert (item.number, failure.component) == (25, 'cinder')
    assert catalogue.failure_for_exception('BuildAbortException',
                                           network) is None
    assert catalogue.failure_for_exception('BuildAbortException') is None


def _obs(kind, **fields):
    details = fields.pop('details', {})
    base = dict(message_id='m-1', kind=kind, event_type=kind,
                source='nova', format='versioned', priority='INFO',
                publisher_id='nova-compute:compute1',
                publisher_service='nova-compute', publisher_host='compute1',
                timestamp=datetime.datetime(2026, 11, 25, 8, 42, 21,
                                            tzinfo=UTC),
                instance_uuid='246e5b75-78b6-477a-80e6-132eff5612f9')
    base.update(fields)
    return observation.Observation(details=details, **base)


def test_evidence_matches_attributes_and_null():
    # The compute taking the build, as in recorded/a_boot_success: the
    # versioned instance.update from nova-compute:compute1, scheduling->None.
    matcher = catalogue.step(13).evidence[0]
    taken = _obs('instance.update', state='building', old_state='building',
                 task_state=None, old_task_state='scheduling')
    assert catalogue.evidence_matches(matcher, taken)
    by_conductor = _obs('instance.update', task_state='scheduling',
                        old_task_state='scheduling',
                        publisher_service='nova-conductor')
    assert not catalogue.evidence_matches(matcher, by_conductor)
    assert catalogue.evidence_matches(catalogue.step(12).evidence[0],
                                      by_conductor)
    assert not catalogue.evidence_matches(
        matcher, _obs('instance.create.start', old_task_state='scheduling'))


def test_evidence_present_means_not_null_nor_empty():
    matcher = catalogue.step(18).evidence[1]   # instance.update host='*'
    assert catalogue.evidence_matches(
        matcher, _obs('instance.update', host='compute1'))
    assert not catalogue.evidence_matches(matcher, _obs('instance.update'))
    assert not catalogue.evidence_matches(
        matcher, _obs('instance.update', host=''))


def test_evidence_reads_details_and_lists():
    bound = catalogue.step(24).evidence[0]   # port.update.end binding_host=*
    port = _obs('port.update.end', source='neutron', format='legacy',
                details={'binding_host': 'compute1', 'vif_type': 'ovs'})
    assert catalogue.evidence_matches(bound, port)
    unbound = _obs('port.update.end', details={'vif_type': 'unbound'})
    assert not catalogue.evidence_matches(bound, unbound)
    either = {'kind': 'port.update.end', 'vif_type': ['ovs', 'bridge']}
    assert catalogue.evidence_matches(either, port)
    assert not catalogue.evidence_matches(either, unbound)
    auth = catalogue.step(1).evidence[0]
    assert catalogue.evidence_matches(auth, _obs(
        'identity.authenticate', source='keystone', instance_uuid=None,
        details={'outcome': 'success'}))
    assert not catalogue.evidence_matches(auth, _obs(
        'identity.authenticate', details={'outcome': 'failure'}))


def test_render_fills_known_placeholders_and_keeps_the_rest():
    text = 'grep {request_id} /var/log/nova/nova-compute.log on {host}'
    assert catalogue.render(text, request_id='req-1', host=None) == \
        'grep req-1 /var/log/nova/nova-compute.log on {host}'
    log = catalogue.components()['nova-compute'].logs[0]
    rendered = log.render(request_id='req-a1c2e109')
    assert rendered.grep == 'req-a1c2e109'
    assert rendered.path == log.path and log.grep == '{request_id}'
