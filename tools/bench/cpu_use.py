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
"""Where the CPU of a drain goes: the consumer, PostgreSQL, RabbitMQ.

A drain rate says how fast; on a machine whose CPUs the consumer shares
with the broker and the database it does not say why. This reads, from
/proc, the CPU time (user and system) of the consumer's processes (its
process group), of every ``postgres`` process and of RabbitMQ's Erlang
VM (``beam.smp``) at two moments, so that a drain can report the CPU each
spent per notification between its first and its last message, and how
many CPUs were busy on average. Linux only; elsewhere it reports nothing.
"""

import os

GROUPS = ('consumer', 'postgresql', 'rabbitmq')
_COMMANDS = {'postgres': 'postgresql', 'beam.smp': 'rabbitmq'}


def snapshot(pgid=None, pids=None):
    """``{group: {pid: CPU seconds}}`` now; ``pgid`` is the consumer's
    process group (None: no consumer group, e.g. a consumer measuring
    itself). ``pids`` reads only those processes (cheaper than every
    process, for a consumer sampling its own broker as it drains).
    """
    ticks = os.sysconf('SC_CLK_TCK')
    found = {group: {} for group in GROUPS}
    try:
        entries = os.listdir('/proc') if pids is None else [
            str(pid) for pid in pids]
    except OSError:
        return found
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry) as f:
                text = f.read()
        except OSError:
            continue
        command = text[text.find('(') + 1:text.rfind(')')]
        # After "pid (comm) ": state, ppid, pgrp, ..., utime and stime are
        # the 12th and 13th fields.
        fields = text[text.rfind(')') + 2:].split()
        group = _COMMANDS.get(command)
        if pgid is not None and int(fields[2]) == pgid:
            group = 'consumer'
        if group is not None:
            found[group][int(entry)] = (int(fields[11]) +
                                        int(fields[12])) / ticks
    return found


def pids_of(found, group):
    """The processes of ``group`` in a snapshot."""
    return sorted(found.get(group, {}))


def used(before, after):
    """CPU seconds per group between two snapshots.

    A process gone since ``before`` is not counted (its last seconds are
    lost); one started since counts from zero.
    """
    return {group: sum(seconds - before.get(group, {}).get(pid, 0.0)
                       for pid, seconds in after.get(group, {}).items())
            for group in GROUPS}


def per_notification(before, after, count, wall_seconds,
                     self_seconds=None):
    """The figures a drain reports, or None without two snapshots.

    ``self_seconds``: the consumer's own CPU seconds, for a consumer that
    measures itself (its group is then not read from /proc).
    """
    if before is None or after is None or not count or not wall_seconds:
        return None
    seconds = used(before, after)
    if self_seconds is not None:
        seconds['consumer'] = self_seconds
    result = {'%s_us' % group: round(seconds[group] / count * 1e6, 1)
              for group in GROUPS}
    total = sum(seconds.values())
    result['total_us'] = round(total / count * 1e6, 1)
    result['cpus_busy'] = round(total / wall_seconds, 2)
    return result


class Drain:
    """A drain's first and last progress, with the CPU used at each.

    ``note`` is called at each poll with the count consumed so far; a
    snapshot is taken only when the count moved, so the figures run from
    the first message seen to the last.
    """

    def __init__(self, pgid):
        self.pgid = pgid
        self.first = self.last = None

    def note(self, count, now):
        if count and (self.last is None or count != self.last[1]):
            self.last = (now, count, snapshot(self.pgid))
            if self.first is None:
                self.first = self.last

    def figures(self):
        """``(rate, CPU figures)`` from first to last; (None, None) with
        fewer than two distinct moments.
        """
        if self.first is None or self.last[0] == self.first[0]:
            return None, None
        count = self.last[1] - self.first[1]
        seconds = self.last[0] - self.first[0]
        return count / seconds, per_notification(
            self.first[2], self.last[2], count, seconds)
