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


"""Sphinx directives that build documentation from bootdoctor's data.

``.. bootdoctor-steps::``
    The 29 steps of a boot as a table, from :mod:`bootdoctor.catalogue`.
``.. bootdoctor-step-details::``
    Each step: what happens, how modern Nova differs, what proves it, its
    common failures and the tools that help.
``.. bootdoctor-failure:: ExceptionName``
    The catalogue's entry for a failure: step, component, summary and the
    commands to run. ``:message:`` gives the fault message, for failures
    the catalogue tells apart by it.
``.. bootdoctor-replay:: path/to/stream.jsonl``
    The output of ``bootdoctor-manage replay`` on a stream, run at build
    time, so the examples always show what the code says. ``:format:``
    gives the output format, ``:now:`` the clock for stuck detection (an
    ISO 8601 time, replay's ``--now``: a stall is only stuck once its
    deadline has passed) and ``:diagnose-all:`` asks for the diagnosis of
    every boot, not only of the failed and stuck ones.

The catalogue is data in one place; these directives only render it.
bootdoctor/tests/unit/docs/ builds small projects with them.
"""

import os
import subprocess
import sys

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

from bootdoctor import catalogue


def _evidence(step):
    shown = []
    for item in step.evidence:
        kind = item.get('kind')
        extra = ', '.join('%s=%s' % (k, v) for k, v in sorted(item.items())
                          if k != 'kind')
        shown.append('``%s``%s' % (kind, ' (%s)' % extra if extra else ''))
    return ' or '.join(shown) or 'inferred from the steps around it'


def _one_line(text):
    return ' '.join(str(text).split())


class _RstDirective(SphinxDirective):
    """Renders generated reStructuredText in place."""

    def rst_lines(self):
        raise NotImplementedError

    def run(self):
        source = self.get_source_info()[0]
        lines = StringList()
        for line in self.rst_lines():
            lines.append(line, source)
        container = nodes.section()
        container.document = self.state.document
        nested_parse_with_titles(self.state, lines, container)
        return container.children


class StepsTable(_RstDirective):
    has_content = False

    def rst_lines(self):
        yield '.. list-table:: The 29 steps of a VM boot'
        yield '   :header-rows: 1'
        yield '   :widths: 4 40 14 22 10'
        yield ''
        yield '   * - #'
        yield '     - What happens'
        yield '     - Phase (task_state)'
        yield '     - Components'
        yield '     - Channel'
        for step in catalogue.steps():
            yield '   * - %d' % step.number
            yield '     - %s' % _one_line(step.title)
            yield '     - ``%s``' % step.phase
            yield '     - %s' % ', '.join(step.components)
            yield '     - %s' % step.channel


class StepDetails(_RstDirective):
    has_content = False

    def rst_lines(self):
        for step in catalogue.steps():
            title = 'Step %d: %s' % (step.number, _one_line(step.title))
            yield '.. _step-%d:' % step.number
            yield ''
            yield title
            yield '~' * len(title)
            yield ''
            yield _one_line(step.description)
            yield ''
            yield ':Phase: ``%s``' % step.phase
            yield ':Components: %s' % ', '.join(step.components)
            yield ':Channel: %s' % step.channel
            yield ':Proved by: %s' % _evidence(step)
            if step.skipped_when:
                yield ':Skipped when: %s' % ', '.join(step.skipped_when)
            yield ''
            if step.modern:
                yield '*Modern Nova:* %s' % _one_line(step.modern)
                yield ''
            if step.failures:
                yield 'Common failures:'
                yield ''
                for failure in step.failures:
                    names = ', '.join('``%s``' % e for e in failure.exceptions)
                    yield '- %s%s' % (_one_line(failure.summary),
                                      ' (%s)' % names if names else '')
                yield ''
            commands = list(step.actions) + list(step.tools)
            if commands:
                yield 'Commands and tools:'
                yield ''
                for command in commands:
                    yield '- ``%s``' % _one_line(command)
                yield ''


class FailureEntry(_RstDirective):
    required_arguments = 1
    has_content = False
    option_spec = {'message': directives.unchanged}

    def rst_lines(self):
        exception = self.arguments[0]
        found = catalogue.failure_for_exception(
            exception, self.options.get('message'))
        if found is None:
            raise self.error('the catalogue has no failure for %s'
                             % exception)
        step, failure = found
        yield (':Step: :ref:`%d <step-%d>` (%s), phase ``%s``'
               % (step.number, step.number, _one_line(step.title),
                  step.phase))
        yield ':Component: %s' % (failure.component or
                                  ', '.join(step.components))
        yield ':What happened: %s' % _one_line(failure.summary)
        yield ''
        if failure.actions:
            yield '.. code-block:: console'
            yield ''
            for action in failure.actions:
                yield '   $ %s' % _one_line(action)
            yield ''


class Replay(SphinxDirective):
    """Run ``bootdoctor-manage replay`` and show what it printed."""
    required_arguments = 1
    has_content = False
    option_spec = {'format': directives.unchanged,
                   'now': directives.unchanged_required,
                   'diagnose-all': directives.flag}

    def run(self):
        relative, path = self.env.relfn2path(self.arguments[0])
        if not os.path.exists(path):
            raise self.error('no stream %s' % path)
        self.env.note_dependency(relative)
        command = [sys.executable, '-m', 'bootdoctor.cmd.manage', 'replay',
                   '--format', self.options.get('format', 'table')]
        if 'now' in self.options:
            command += ['--now', self.options['now']]
        if 'diagnose-all' in self.options:
            command.append('--diagnose-all')
        command.append(path)
        # Deprecation warnings of the libraries replay imports (eventlet's
        # dnspython, say) are not replay's to show: an error names only
        # what replay itself said.
        env = dict(os.environ, PYTHONWARNINGS='ignore')
        result = subprocess.run(command, capture_output=True, text=True,
                                timeout=120, env=env)
        if result.returncode != 0:
            raise self.error('replay of %s failed (%d): %s'
                             % (path, result.returncode, result.stderr))
        shown = result.stdout.replace(os.path.dirname(path) + os.sep, '')
        block = nodes.literal_block(shown, shown)
        block['language'] = 'text'
        return [block]


def setup(app):
    app.add_directive('bootdoctor-steps', StepsTable)
    app.add_directive('bootdoctor-step-details', StepDetails)
    app.add_directive('bootdoctor-failure', FailureEntry)
    app.add_directive('bootdoctor-replay', Replay)
    return {'parallel_read_safe': True, 'parallel_write_safe': True,
            'version': '1.0'}
