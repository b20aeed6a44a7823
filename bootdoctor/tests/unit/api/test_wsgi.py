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

"""bootdoctor.wsgi.api, Guru Meditation and the [api] options."""

import json
import os
import subprocess
import sys

import pytest
import webtest

from bootdoctor.api import guru
from bootdoctor.api import wsgi_app as wsgi_api
from bootdoctor.conf import api as api_conf
from bootdoctor import service
from bootdoctor import version


def write_config(tmp_path, dataset, **api):
    state = tmp_path / 'state'
    lines = ['[DEFAULT]', 'state_path = %s' % state,
             '[database]', 'connection = %s' % dataset.url,
             '[api]', 'auth_strategy = noauth']
    lines += ['%s = %s' % item for item in api.items()]
    path = tmp_path / 'bootdoctor.conf'
    path.write_text('\n'.join(lines) + '\n')
    return path


def test_config_files_from_the_environment():
    assert wsgi_api.config_files({}) == ['/etc/bootdoctor/bootdoctor.conf']
    assert wsgi_api.config_files({'BOOTDOCTOR_CONFIG_FILE': ' /a.conf '}) \
        == ['/a.conf']
    assert wsgi_api.config_files(
        {'BOOTDOCTOR_CONFIG_FILE': '/a.conf,/b.conf'}) == ['/a.conf',
                                                           '/b.conf']


def test_missing_config_file_is_a_clear_error(tmp_path):
    with pytest.raises(RuntimeError, match='BOOTDOCTOR_CONFIG_FILE'):
        wsgi_api.init_application(
            {'BOOTDOCTOR_CONFIG_FILE': str(tmp_path / 'none.conf')})


def test_init_application_serves(tmp_path, dataset, monkeypatch):
    watched = []
    monkeypatch.setattr(guru, 'setup', watched.append)
    path = write_config(tmp_path, dataset)
    application = wsgi_api.init_application(
        {'BOOTDOCTOR_CONFIG_FILE': str(path)})
    app = webtest.TestApp(application)
    assert app.get('/').json['versions'][0]['id'] == 'v1.0'
    assert app.get('/v1/boots?all_projects=true').json['boots']
    assert len(watched) == 1
    assert watched[0].api.auth_strategy == 'noauth'


def test_module_builds_application_once_at_import(tmp_path, dataset):
    path = write_config(tmp_path, dataset)
    code = ('import gc, json, webtest\n'
            'from bootdoctor.wsgi import api\n'
            'frozen = gc.get_freeze_count()\n'
            'app = webtest.TestApp(api.application)\n'
            'body = app.get("/v1/boots?all_projects=1").json\n'
            'print(json.dumps([len(body["boots"]), frozen]))\n')
    env = dict(os.environ, BOOTDOCTOR_CONFIG_FILE=str(path))
    result = subprocess.run([sys.executable, '-c', code, '--port', '1'],
                            env=env, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    count, frozen = json.loads(result.stdout.splitlines()[-1])
    assert count == len(dataset.records)
    assert frozen > 10000, 'startup objects were not frozen'
    assert (tmp_path / 'state' / guru.TRIGGER_NAME).exists()
    assert 'auth_strategy = noauth' in result.stdout + result.stderr


class TestGuru:
    def test_default_trigger_under_state_path(self, conf, tmp_path,
                                              monkeypatch):
        calls = []
        monkeypatch.setattr(
            guru.gmr.TextGuruMeditation, 'setup_autorun',
            lambda *a, **kw: calls.append(kw))
        path = guru.setup(conf)
        assert path == str(tmp_path / guru.TRIGGER_NAME)
        assert os.path.isfile(path)
        assert conf.oslo_reports.file_event_handler == path
        assert calls[0]['conf'] is conf
        assert calls[0]['service_name'] == 'bootdoctor-api'

    def test_configured_trigger_is_kept(self, conf, tmp_path, monkeypatch):
        monkeypatch.setattr(guru.gmr.TextGuruMeditation, 'setup_autorun',
                            lambda *a, **kw: None)
        guru.gmr_opts.set_defaults(conf)
        wanted = tmp_path / 'elsewhere' / 'gmr'
        conf.set_override('file_event_handler', str(wanted),
                          group='oslo_reports')
        assert guru.setup(conf) == str(wanted)
        assert wanted.is_file()

    def test_the_report_shows_the_apis_own_options_masked(
            self, conf, monkeypatch):
        monkeypatch.setattr(guru.gmr.TextGuruMeditation, 'setup_autorun',
                            lambda *a, **kw: None)
        conf.set_override('connection', 'postgresql://bd:s3cret@db1/bd',
                          group='database')
        conf.set_override('auth_strategy', 'keystone', group='api')
        guru.setup(conf)
        text = guru.gmr.TextGuruMeditation(version.version_info).run()
        ours = text.split(service.CONFIG_SECTION, 1)[1]
        assert 'auth_strategy = keystone' in ours
        assert '\ndatabase: \n' in ours
        assert '  connection = ***' in ours
        assert 's3cret' not in text


def test_overrides_stay_in_their_config():
    from bootdoctor import conf as bd_conf
    first, second = bd_conf.new_conf(), bd_conf.new_conf()
    first([], default_config_files=[])
    second([], default_config_files=[])
    first.set_override('auth_strategy', 'noauth', group='api')
    assert second.api.auth_strategy == 'keystone'


def test_api_options():
    (group, opts), = api_conf.list_opts()
    assert group.name == 'api'
    names = {o.name: o for o in opts}
    assert names['host'].default == '127.0.0.1'
    assert names['port'].default == 8795
    assert names['auth_strategy'].default == 'keystone'
    assert all(o.help for o in opts)
