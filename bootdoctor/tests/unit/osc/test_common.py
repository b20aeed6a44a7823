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


import argparse
import datetime

import pytest

from bootdoctor.osc.v1 import common

NOW = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.timezone.utc)


@pytest.mark.parametrize('value, expected', [
    ('2024-05-01T12:00:00Z', '2024-05-01T12:00:00Z'),
    ('2024-05-01T14:00:00+02:00', '2024-05-01T12:00:00Z'),
    ('2024-05-01 12:00', '2024-05-01T12:00:00Z'),
    ('2024-05-01', '2024-05-01T00:00:00Z'),
    ('30s', '2024-05-01T11:59:30Z'),
    ('30m', '2024-05-01T11:30:00Z'),
    ('6h', '2024-05-01T06:00:00Z'),
    ('2d', '2024-04-29T12:00:00Z'),
    ('1w', '2024-04-24T12:00:00Z'),
])
def test_timestamp(value, expected):
    assert common.timestamp(value, now=NOW) == expected


@pytest.mark.parametrize('value', ['yesterday', '6 hours', '-2h', '', '2y'])
def test_timestamp_rejects(value):
    with pytest.raises(argparse.ArgumentTypeError):
        common.timestamp(value, now=NOW)


@pytest.mark.parametrize('value, ok', [('1', True), ('250', True),
                                       ('0', False), ('-1', False),
                                       ('1.5', False), ('x', False)])
def test_positive_int(value, ok):
    if ok:
        assert common.positive_int(value) == int(value)
    else:
        with pytest.raises(argparse.ArgumentTypeError):
            common.positive_int(value)


@pytest.mark.parametrize('value, ok', [('0.5', True), ('3', True),
                                       ('0', False), ('-1', False),
                                       ('nan', False), ('x', False)])
def test_positive_float(value, ok):
    if ok:
        assert common.positive_float(value) == float(value)
    else:
        with pytest.raises(argparse.ArgumentTypeError):
            common.positive_float(value)
