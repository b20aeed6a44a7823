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

"""Whether a batch shows a backlog in the broker.

One rule for two uses: after such a batch a group waits for more batches
(:mod:`bootdoctor.collector.combiner`), and the stream clock follows the
stream's time rather than the wall clock
(:mod:`bootdoctor.collector.clock`).

A batch shows a backlog when it is full (the listener filled it before
``batch_timeout``: the broker held more), or when its first message was
published more than ``AGE`` before the batch arrived: it waited in the
broker. Size alone does not tell a busy worker: its group holds the
interpreter, the listener receives slowly meanwhile and ``batch_timeout``
ends each batch, full or not. The age reads the publisher's clock (the
``timestamp`` oslo.messaging's Notifier writes in the metadata).
"""

import datetime

from bootdoctor.db import types

AGE = datetime.timedelta(seconds=2)


def shows(received, lag, batch_size):
    """Whether a batch shows a backlog.

    :param received: how many messages the listener's batch held.
    :param lag: :func:`lag` of the batch, or None.
    :param batch_size: the listener's batch size; None counts every batch
        as full.
    """
    return full(received, batch_size) or lagging(lag)


def full(received, batch_size):
    return batch_size is None or received >= batch_size


def lagging(lag):
    return lag is not None and lag > AGE


def lag(messages, arrived):
    """How long before ``arrived`` (aware UTC) the first message was
    published, or None.
    """
    stamp = published(messages[0]) if messages else None
    if stamp is None:
        return None
    try:
        return arrived - stamp
    except TypeError:
        return None


def published(message):
    """When the notifier sent the message (its metadata timestamp), aware
    UTC (oslo.messaging writes it naive), or None.
    """
    metadata = message.get('metadata')
    try:
        return types.to_utc(str(metadata['timestamp']))
    except (TypeError, KeyError, ValueError):
        return None
