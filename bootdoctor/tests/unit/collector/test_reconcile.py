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

"""Asking Nova about stuck boots: keystoneauth from [nova], HTTP mocked."""

import pytest
import requests_mock

from bootdoctor.collector import reconcile

NOVA = 'http://nova.test:8774/v2.1'
UUID = '6b3a3a4e-5f0e-4a59-9cb1-8b1d6f3a0c11'
RECORD = {'instance_uuid': UUID, 'phase': 'scheduling', 'status': 'stuck'}


@pytest.fixture
def nova_conf(conf):
    conf.set_override('reconcile', True, group='nova')
    conf.set_override('auth_type', 'none', group='nova')
    conf.set_override('endpoint_override', NOVA, group='nova')
    return conf


def _server(status, **extra):
    server = {'id': UUID, 'status': status,
              'OS-EXT-STS:task_state': None,
              'OS-EXT-SRV-ATTR:host': 'cmp-a'}
    server.update(extra)
    return {'server': server}


def test_a_server_nova_does_not_know_was_deleted(nova_conf, connection):
    reconciler = reconcile.NovaReconciler(nova_conf, connection)
    with requests_mock.Mocker() as mock:
        mock.get('%s/servers/%s' % (NOVA, UUID), status_code=404,
                 json={'itemNotFound': {'code': 404}})
        answers = reconciler.reconcile([RECORD])
    severity, message = answers[UUID]
    assert severity == 'info'
    assert 'no such server' in message
    finding = {f['key']: f for f in connection.findings()}[
        reconcile.FINDING % UUID]
    assert finding['message'] == message


def test_nova_agreeing_is_a_real_stall(nova_conf, connection):
    reconciler = reconcile.NovaReconciler(nova_conf, connection)
    with requests_mock.Mocker() as mock:
        mock.get('%s/servers/%s' % (NOVA, UUID), json=_server(
            'BUILD', **{'OS-EXT-STS:task_state': 'scheduling'}))
        severity, message = reconciler.reconcile([RECORD])[UUID]
    assert severity == 'warning'
    assert 'Nova agrees' in message and 'scheduling' in message


def test_nova_knowing_more_means_lost_notifications(nova_conf, connection):
    reconciler = reconcile.NovaReconciler(nova_conf, connection)
    with requests_mock.Mocker() as mock:
        mock.get('%s/servers/%s' % (NOVA, UUID), json=_server(
            'ERROR', fault={'message': 'No valid host was found.'}))
        severity, message = reconciler.reconcile([RECORD])[UUID]
    assert severity == 'warning'
    assert 'ERROR' in message and 'No valid host' in message
    assert 'lost' in message


def test_an_unreachable_nova_records_nothing(nova_conf, connection, caplog):
    reconciler = reconcile.NovaReconciler(nova_conf, connection)
    with requests_mock.Mocker() as mock:
        mock.get('%s/servers/%s' % (NOVA, UUID), status_code=503)
        assert reconciler.reconcile([RECORD]) == {}
    assert connection.findings() == []
    assert 'Could not ask Nova' in caplog.text


def test_off_by_default(conf, connection):
    reconciler = reconcile.NovaReconciler(conf, connection)
    with requests_mock.Mocker() as mock:
        assert reconciler.reconcile([RECORD]) == {}
        assert not mock.called
