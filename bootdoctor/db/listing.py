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


"""The list item of a boot record, stored beside the record.

GET /v1/boots returns each record without its steps and diagnosis, which
are most of its size (about 1.6 KB of 11 KB for a failed boot). Decoding
whole records to drop them made a page of 100 boots cost 50 ms where the
query took 3 ms, so each boot row also holds its list item, as JSON text,
with the tracebacks already set to null (what a caller not allowed
tracebacks reads), and whether that removed any. A page is then the stored
texts joined, and only a caller allowed tracebacks, on a boot that had
some, needs the full record.
"""

# Keys of a boot record that GET /v1/boots leaves out.
LIST_OMITS = ('steps', 'diagnosis')


def _fault(fault):
    if isinstance(fault, dict) and fault.get('traceback') is not None:
        return dict(fault, traceback=None)
    return fault


def strip_record_tracebacks(record):
    """A boot record without tracebacks: its fault and its attempts'.

    Those are the only places the boot record holds a traceback, so this
    copies only them, which matters for a page of a thousand records.
    """
    result = dict(record)
    if 'fault' in result:
        result['fault'] = _fault(result['fault'])
    if isinstance(result.get('attempts'), list):
        result['attempts'] = [
            dict(a, fault=_fault(a.get('fault'))) if isinstance(a, dict)
            else a for a in result['attempts']]
    return result


def full_item(record):
    """The list item of a record dict, tracebacks kept."""
    return {k: v for k, v in record.items() if k not in LIST_OMITS}


def item(record):
    """(list item without tracebacks, whether the record had any)."""
    full = full_item(record)
    stripped = strip_record_tracebacks(full)
    return stripped, stripped != full
