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

"""bootdoctor-manage demo through the real RabbitMQ."""

import kombu

from bootdoctor.cmd import manage
from bootdoctor.tests.functional.collector import rabbit


def _exists(kind, name):
    with kombu.Connection(rabbit.AMQP, connect_timeout=5) as connection:
        channel = connection.channel()
        try:
            if kind == 'exchange':
                channel.exchange_declare(exchange=name, type='topic',
                                         passive=True)
            else:
                channel.queue_declare(queue=name, passive=True)
            return True
        except Exception:  # noqa: NOT_FOUND closes the channel
            return False


def test_the_demo_uses_rabbitmq_and_cleans_up(capsys):
    rabbit.require()
    code = manage.main(['demo', '--transport-url', rabbit.URL,
                        '--deadline', '1'])
    out = capsys.readouterr().out
    assert code == 0
    assert 'Using RabbitMQ at rabbit://guest:***@' in out
    assert 'Boots: active 3, deleted 1, error 5, stuck 5.' in out
    assert 'bootdoctor.boot.failed x5, bootdoctor.boot.stuck x5' in out
    tag = out.split('pool named ', 1)[1].split('-*', 1)[0]
    assert tag.startswith('bootdoctor-demo-')
    assert not _exists('queue', tag)
    assert not _exists('queue', '%s-notifications.info' % tag)
    assert not _exists('exchange', '%s-nova' % tag)
    # The check itself works: the default exchange is always there.
    assert _exists('exchange', 'amq.topic')
