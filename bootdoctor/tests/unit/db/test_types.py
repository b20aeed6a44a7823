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


"""Timestamp handling and small helpers of the storage layer."""

import datetime

import pytest

from bootdoctor.db import models
from bootdoctor.db import record_lists
from bootdoctor.db import stats
from bootdoctor.db import types
from bootdoctor.db import validation

UTC = datetime.timezone.utc


@pytest.mark.parametrize('value, expected', [
    ('2025-03-01T12:00:00Z', datetime.datetime(2025, 3, 1, 12, tzinfo=UTC)),
    ('2025-03-01T14:00:00+02:00',
     datetime.datetime(2025, 3, 1, 12, tzinfo=UTC)),
    ('2025-03-01 12:00:00.5',
     datetime.datetime(2025, 3, 1, 12, 0, 0, 500000, tzinfo=UTC)),
    (datetime.datetime(2025, 3, 1, 12),
     datetime.datetime(2025, 3, 1, 12, tzinfo=UTC)),
    (None, None),
])
def test_to_utc(value, expected):
    assert types.to_utc(value) == expected
    if expected is not None:
        assert types.to_utc(value).tzinfo == UTC


@pytest.mark.parametrize('value', ['yesterday', 12, '2025-13-01'])
def test_to_utc_refuses(value):
    with pytest.raises(ValueError):
        types.to_utc(value)


@pytest.mark.parametrize('sort, expected', [
    (None, ('created_at', 'desc')),
    ('updated_at', ('updated_at', 'desc')),
    ('duration_s:asc', ('duration_s', 'asc')),
])
def test_parse_sort(sort, expected):
    assert record_lists.parse_sort(sort) == expected


@pytest.mark.parametrize('values, fraction, expected', [
    ([], 0.5, None),
    ([4.0], 0.99, 4.0),
    ([1.0, 2.0], 0.5, 1.5),
    ([1.0, 2.0, 3.0, 4.0], 0.95, 3.85),
    ([float(v) for v in range(1, 101)], 0.99, 99.01),
])
def test_percentile_interpolates_like_percentile_cont(values, fraction,
                                                      expected):
    assert stats.percentile(values, fraction) == pytest.approx(expected)


def test_check_lengths_names_the_column():
    row = {'instance_uuid': 'u' * 37, 'status': 'active'}
    with pytest.raises(ValueError) as err:
        validation.check_lengths(models.boots, row, 'boot x')
    assert str(err.value) == ('boot x: boots.instance_uuid is 37 '
                              'characters long, at most 36 are allowed')


def test_chunks():
    assert list(validation.chunks(range(5), 2)) == [[0, 1], [2, 3], [4]]


def test_every_list_index_ends_with_the_keyset_columns():
    for index in models.boots.indexes:
        names = [c.name for c in index.columns]
        if names != ['request_id']:
            assert names[-2] in record_lists.SORT_KEYS, index.name
            assert names[-1] == 'instance_uuid', index.name


def test_filters_must_be_a_mapping():
    with pytest.raises(ValueError) as err:
        record_lists.parse_filters(['status'])
    assert err.value.parameter == 'filters'


def test_json_text_writes_encoded_text_unchanged():
    column = types.JSONText()
    text = '{"a":[1,2],"b":"\\u00e9"}'
    assert column.process_bind_param(types.Encoded(text), None) == text
    assert column.process_bind_param({'a': [1, 2], 'b': 'é'}, None) == text
    with pytest.raises(TypeError):
        types.Encoded({'a': 1})
