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

"""Responses of this bootdoctor-api process, counted by status class.

The RequestLog middleware counts every response, those of auth_token and
/healthcheck included; the Guru Meditation report shows the counts. Each
process counts its own (a WSGI server with several processes has one set
of counts in each).
"""

import datetime
import threading

CLASSES = ('2xx', '3xx', '4xx', '5xx')
# A request whose application raised instead of answering.
UNANSWERED = 'unanswered'


def status_class(status):
    """'2xx' for '200 OK'; UNANSWERED when there is no valid status."""
    code = (status or '').split(' ', 1)[0]
    if len(code) == 3 and code.isdigit() and '%sxx' % code[0] in CLASSES:
        return '%sxx' % code[0]
    return UNANSWERED


class RequestCounts:
    """Thread-safe counts of responses by status class since creation."""

    def __init__(self, now=None):
        self.started_at = now or datetime.datetime.now(
            datetime.timezone.utc)
        self._lock = threading.Lock()
        self._counts = dict.fromkeys(CLASSES + (UNANSWERED,), 0)

    def add(self, status):
        key = status_class(status)
        with self._lock:
            self._counts[key] += 1

    def snapshot(self):
        """{'2xx': n, ..., 'unanswered': n, 'total': n}."""
        with self._lock:
            counts = dict(self._counts)
        counts['total'] = sum(counts.values())
        return counts
