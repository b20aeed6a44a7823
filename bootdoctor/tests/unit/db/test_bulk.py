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

"""COPY's text format, and the INSERT where there is no COPY."""

import datetime

import pytest
import sqlalchemy as sa

from bootdoctor.db import bulk
from bootdoctor.db import models


@pytest.mark.parametrize('value,text', [
    (None, '\\N'),
    ('plain', 'plain'),
    ('', ''),
    ('\\N', '\\\\N'),
    ('a\\b', 'a\\\\b'),
    ('a\tb\nc\rd', 'a\\tb\\nc\\rd'),
    ('\\\t', '\\\\\\t'),
    ('é🙂', 'é🙂'),
    (True, 't'),
    (False, 'f'),
    (42, '42'),
    (1.5, '1.5'),
    (datetime.datetime(2026, 12, 6, 8, 42, 21, 5),
     '2026-12-06 08:42:21.000005'),
    (datetime.datetime(2026, 12, 6, 8, 42, 21), '2026-12-06 08:42:21'),
])
def test_text_format(value, text):
    assert bulk._text(value) == text


def test_a_value_without_a_text_form_is_refused():
    with pytest.raises(TypeError):
        bulk._text(object())


def test_rows_must_share_their_keys():
    engine = _copying_engine()
    with engine.begin() as conn:
        with pytest.raises(ValueError):
            bulk.insert(conn, models.notifications, [
                {'message_id': 'a'}, {'message_id': 'b', 'priority': 'X'}])


def test_without_copy_the_rows_are_inserted():
    engine = sa.create_engine('sqlite://')
    models.metadata.create_all(engine)
    assert bulk.install(engine) is False
    row = {'message_id': 'm-1', 'event_type': 'compute.instance.update',
           'publisher_id': 'nova-compute:host1', 'priority': 'INFO',
           'timestamp': datetime.datetime(2026, 12, 6, 8, 0),
           'received_at': datetime.datetime(2026, 12, 6, 8, 0, 1),
           'message': {'a': 'b\tc'}}
    with engine.begin() as conn:
        assert not bulk.installed(conn)
        bulk.insert(conn, models.notifications, [row])
    with engine.connect() as conn:
        stored = conn.execute(sa.select(models.notifications)).one()
    assert stored.message == {'a': 'b\tc'}


def _copying_engine():
    """An engine whose dialect claims COPY, for the checks made before
    anything is sent.
    """
    engine = sa.create_engine('sqlite://')
    setattr(engine.dialect, bulk.INSTALLED, True)
    return engine


def test_rows_with_other_keys_of_the_same_number_are_refused():
    engine = _copying_engine()
    with engine.begin() as conn:
        with pytest.raises(ValueError, match='priority'):
            bulk.insert(conn, models.notifications, [
                {'message_id': 'a', 'priority': 'X'},
                {'message_id': 'b', 'event_type': 'X'}])
