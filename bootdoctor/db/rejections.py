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


"""Rejected input: what could not be parsed or stored, and why.

Recording a rejection never fails because of the rejected data itself:
the raw text is serialised as best it can be and truncated to
:data:`bootdoctor.db.models.RAW_LIMIT` characters, the reason and source
to their columns.
"""

from oslo_serialization import jsonutils
import sqlalchemy as sa

from bootdoctor.db import models

R = models.rejections
TRUNCATED = '...[truncated %d characters]'


def _text(raw):
    if raw is None or isinstance(raw, str):
        return raw
    if isinstance(raw, bytes):
        return raw.decode('utf-8', 'replace')
    try:
        return jsonutils.dumps(raw, default=repr)
    except (TypeError, ValueError):
        return repr(raw)


def _bounded(text, limit):
    if text is None or len(text) <= limit:
        return text
    suffix = TRUNCATED % (len(text) - limit)
    return text[:limit - len(suffix)] + suffix


def add(conn, reason, raw, message_id=None, source=None, received_at=None):
    row = {
        'received_at': received_at,
        'message_id': _bounded(_text(message_id), models.MESSAGE_ID_LEN),
        'reason': _bounded(str(reason or 'unknown'), models.REASON_LEN),
        'source': _bounded(_text(source), models.SOURCE_LEN),
        'raw': _bounded(_text(raw), models.RAW_LIMIT),
    }
    conn.execute(sa.insert(R).values(**row))


def list_(conn, limit=100, since=None):
    """The newest rejections first."""
    query = sa.select(R).order_by(R.c.id.desc())
    if since is not None:
        query = query.where(R.c.received_at >= since)
    if limit is not None:
        query = query.limit(limit)
    return [{'id': row['id'],
             'received_at': row['received_at'].isoformat(),
             'message_id': row['message_id'], 'reason': row['reason'],
             'source': row['source'], 'raw': row['raw']}
            for row in conn.execute(query).mappings()]
