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

"""The Sphinx directives of doc/source/_exts/bootdoctor_docs.py.

Each test builds a small Sphinx project that uses the real extension and
reads the doctrees it produced.
"""

import io
import pathlib
import shutil
import subprocess
import sys

import pytest

pytest.importorskip('sphinx', reason='Sphinx is in test-requirements.txt')
from docutils import nodes  # noqa: E402
from sphinx import application  # noqa: E402

from bootdoctor import catalogue  # noqa: E402
from bootdoctor.manage import replay  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[4]
EXTENSIONS = REPO / 'doc' / 'source' / '_exts'
STALL = (pathlib.Path(replay.BUNDLED) / 'simulated' /
         'stall_block_device_mapping.jsonl')
RESCHEDULE = (pathlib.Path(replay.BUNDLED) / 'simulated' /
              'reschedule_success.jsonl')
# Fifteen minutes after the stalled boot started: past its deadline.
LATER = '2026-11-25T09:15:00Z'


def _build(directory, pages):
    """Build {docname: rst} with the extension: (app, warnings text)."""
    source = directory / 'source'
    (source / 'streams').mkdir(parents=True)
    shutil.copy(STALL, source / 'streams' / STALL.name)
    shutil.copy(RESCHEDULE, source / 'streams' / RESCHEDULE.name)
    (source / 'conf.py').write_text(
        'import sys\n'
        'sys.path.insert(0, %r)\n'
        "extensions = ['bootdoctor_docs']\n"
        "exclude_patterns = ['streams']\n" % str(EXTENSIONS))
    toctree = '\n'.join('   %s' % name for name in sorted(pages))
    (source / 'index.rst').write_text(
        'Index\n=====\n\n.. toctree::\n\n%s\n' % toctree)
    for name, text in pages.items():
        (source / ('%s.rst' % name)).write_text(text)
    warnings = io.StringIO()
    app = application.Sphinx(
        str(source), str(source), str(directory / 'out'),
        str(directory / 'doctrees'), 'dummy', status=io.StringIO(),
        warning=warnings, freshenv=True)
    app.build()
    return app, warnings.getvalue()


def _page(title, body):
    return '%s\n%s\n\n%s\n' % (title, '=' * len(title), body)


def _blocks(app, docname):
    doctree = app.env.get_doctree(docname)
    return [b.astext() for b in doctree.findall(nodes.literal_block)]


def _replayed(*argv):
    """What bootdoctor-manage replay prints for these arguments."""
    result = subprocess.run(
        [sys.executable, '-m', 'bootdoctor.cmd.manage', 'replay'] +
        list(argv), capture_output=True, text=True, timeout=120, check=True)
    return result.stdout


@pytest.fixture(scope='module')
def built(tmp_path_factory):
    return _build(tmp_path_factory.mktemp('docs'), {
        'steps': _page('Steps', '.. bootdoctor-steps::'),
        'details': _page('Details', '.. bootdoctor-step-details::'),
        'failure': _page('Failure', '.. bootdoctor-failure:: NoValidHost'),
        'by_message': _page('By message', (
            '.. bootdoctor-failure:: BuildAbortException\n'
            '   :message: Failure prepping block device.')),
        'replay': _page('Replay', (
            '.. bootdoctor-replay:: streams/%s' % STALL.name)),
        'replay_now': _page('Replay now', (
            '.. bootdoctor-replay:: /streams/%s\n'
            '   :now: %s' % (STALL.name, LATER))),
        'replay_all': _page('Replay all', (
            '.. bootdoctor-replay:: streams/%s\n'
            '   :diagnose-all:' % RESCHEDULE.name)),
        'replay_json': _page('Replay json', (
            '.. bootdoctor-replay:: streams/%s\n'
            '   :format: json\n'
            '   :now: %s' % (STALL.name, LATER))),
    })


def test_the_project_builds_without_warnings(built):
    _app, warnings = built
    assert warnings == ''


def test_the_steps_table_is_the_catalogues(built):
    app, _ = built
    doctree = app.env.get_doctree('steps')
    tables = list(doctree.findall(nodes.table))
    assert len(tables) == 1
    rows = list(tables[0].findall(nodes.row))
    assert [e.astext() for e in rows[0].findall(nodes.entry)] == [
        '#', 'What happens', 'Phase (task_state)', 'Components', 'Channel']
    assert len(rows) == 1 + catalogue.STEP_COUNT
    for row, step in zip(rows[1:], catalogue.steps()):
        cells = [e.astext() for e in row.findall(nodes.entry)]
        assert cells == [str(step.number), ' '.join(step.title.split()),
                         step.phase, ', '.join(step.components),
                         step.channel]


def test_every_step_has_its_section_and_label(built):
    app, _ = built
    doctree = app.env.get_doctree('details')
    titles = [s[0].astext() for s in doctree.findall(nodes.section)][1:]
    assert titles == ['Step %d: %s' % (s.number, ' '.join(s.title.split()))
                      for s in catalogue.steps()]
    labels = app.env.domains['std'].labels
    for step in catalogue.steps():
        assert labels['step-%d' % step.number][0] == 'details'
    text = doctree.astext()
    failing = catalogue.failure_for_exception('NoValidHost')[0]
    assert 'NoValidHost' in text and failing.phase in text


def test_a_failure_entry_names_its_step_and_commands(built):
    app, _ = built
    step, failure = catalogue.failure_for_exception('NoValidHost')
    text = app.env.get_doctree('failure').astext()
    assert 'Step' in text and str(step.number) in text
    assert ' '.join(failure.summary.split()) in text
    commands = _blocks(app, 'failure')
    assert commands == ['\n'.join('$ %s' % ' '.join(a.split())
                                  for a in failure.actions)]


def test_the_message_option_picks_the_failure(built):
    # BuildAbortException is a block device failure only by its message;
    # without one the catalogue has no entry (see the error test below).
    app, _ = built
    step, failure = catalogue.failure_for_exception(
        'BuildAbortException', 'Failure prepping block device.')
    text = app.env.get_doctree('by_message').astext()
    assert ' '.join(failure.summary.split()) in text
    assert step.phase in text


def test_replay_shows_what_replay_prints(built):
    app, _ = built
    assert _blocks(app, 'replay') == [_replayed(str(STALL))]
    # By the stream's own clock the stall is not yet past its deadline.
    assert '| building ' in _blocks(app, 'replay')[0]


def test_now_is_the_clock_of_the_replay(built):
    app, _ = built
    shown = _blocks(app, 'replay_now')
    assert shown == [_replayed('--now', LATER, str(STALL))]
    assert '| stuck ' in shown[0]
    # A stuck boot gets its diagnosis.
    assert 'Phase:    block_device_mapping' in shown[0]
    assert shown != _blocks(app, 'replay')


def test_format_and_diagnose_all_reach_replay(built):
    app, _ = built
    assert _blocks(app, 'replay_json') == [
        _replayed('--format', 'json', '--now', LATER, str(STALL))]
    assert '"status": "stuck"' in _blocks(app, 'replay_json')[0]
    shown = _blocks(app, 'replay_all')[0]
    assert shown == _replayed('--diagnose-all', str(RESCHEDULE))
    assert 'Status:   active' in shown and 'Attempts' in shown


def test_bad_input_is_a_build_error(tmp_path):
    _app, warnings = _build(tmp_path, {
        'no_stream': _page('No stream', (
            '.. bootdoctor-replay:: streams/missing.jsonl')),
        'bad_now': _page('Bad now', (
            '.. bootdoctor-replay:: streams/%s\n'
            '   :now: yesterday' % STALL.name)),
        'empty_now': _page('Empty now', (
            '.. bootdoctor-replay:: streams/%s\n'
            '   :now:' % STALL.name)),
        'no_failure': _page('No failure', (
            '.. bootdoctor-failure:: NoSuchError')),
        'no_message': _page('No message', (
            '.. bootdoctor-failure:: BuildAbortException')),
    })
    lines = warnings.splitlines()

    def said(docname, text):
        return any('%s.rst' % docname in line and text in line
                   for line in lines)

    assert said('no_stream', 'no stream ')
    assert said('bad_now', 'replay of ')
    assert said('bad_now', '--now is not an ISO 8601 time: yesterday')
    # :now: takes a value: an empty one is refused before replay runs.
    assert said('empty_now', 'Error in "bootdoctor-replay" directive')
    assert 'invalid option value: (option: "now"; value: None)' in warnings
    assert said('no_failure', 'the catalogue has no failure for NoSuchError')
    assert said('no_message',
                'the catalogue has no failure for BuildAbortException')
