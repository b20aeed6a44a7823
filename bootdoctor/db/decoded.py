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

"""Observations already decoded in this process, by their key.

A rebuild reads every stored observation of its boots, and a boot in
flight is rebuilt each time a batch names it: each of its observations
was decoded from JSON again at every rebuild. A stored observation never
changes (rows are only inserted, and deleted by purge), so its decoded
form can be kept by its key, ``(message_id, instance_uuid)``.

The cache decides nothing: every read still asks the database which rows
exist and takes their JSON text; a key found here only saves decoding
that text. A purged row is not returned, so its entry is never used. An
entry is added only for a row read from the database or inserted by a
committed transaction of this process. At most ``size`` entries are
kept, the least recently used going first.
"""

import collections
import threading

from oslo_serialization import jsonutils

from bootdoctor import observation as bd_observation


class DecodedObservations:
    """Decoded observations by ``(message_id, instance_uuid column)``."""

    def __init__(self, size):
        if size < 1:
            raise ValueError('the cache needs a size of at least 1')
        self.size = size
        self.hits = 0
        self.misses = 0
        self._items = collections.OrderedDict()
        self._lock = threading.Lock()

    def __len__(self):
        return len(self._items)

    def decode(self, key, text):
        """The observation stored as ``text`` under ``key``."""
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                self.hits += 1
                return found
            self.misses += 1
        obs = _from_text(text)
        self.add([(key, obs)])
        return obs

    def add(self, items):
        """Keep ``[(key, observation), ...]`` (committed rows only)."""
        with self._lock:
            for key, obs in items:
                self._items[key] = obs
                self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def decode(key, text, cache=None):
    """Decode a stored observation, through ``cache`` when there is one."""
    if cache is None:
        return _from_text(text)
    return cache.decode(key, text)


def _from_text(text):
    return bd_observation.Observation.from_dict(jsonutils.loads(text))
