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

"""The per-process cache of decoded observations."""

import json

import pytest

from bootdoctor.db import decoded
from bootdoctor.tests.unit.db import fakes


def _text(obs):
    return json.dumps(obs.to_dict())


def test_a_decoding_equals_the_stored_observation():
    obs = fakes.obs('m1', fakes.uuid(1), seconds=3,
                    details={'image_id': 'img', 'ports': [{'id': 'p'}]})
    cache = decoded.DecodedObservations(10)
    first = cache.decode(('m1', fakes.uuid(1)), _text(obs))
    again = cache.decode(('m1', fakes.uuid(1)), 'not read: kept')
    assert first == obs and again is first
    assert (cache.misses, cache.hits) == (1, 1)
    assert decoded.decode(('m1', fakes.uuid(1)), _text(obs)) == obs


def test_the_least_recently_used_goes_first():
    cache = decoded.DecodedObservations(2)
    a, b, c = (fakes.obs(m, fakes.uuid(1), seconds=n)
               for n, m in enumerate('abc'))
    cache.add([(('a', 'u'), a), (('b', 'u'), b)])
    cache.decode(('a', 'u'), None)  # a used: b is now the oldest
    cache.add([(('c', 'u'), c)])
    assert len(cache) == 2
    assert cache.decode(('a', 'u'), None) is a
    assert cache.decode(('c', 'u'), None) is c
    with pytest.raises(TypeError):
        cache.decode(('b', 'u'), None)  # gone: its text is decoded


@pytest.mark.parametrize('size', [0, -1])
def test_a_cache_needs_room(size):
    with pytest.raises(ValueError):
        decoded.DecodedObservations(size)
