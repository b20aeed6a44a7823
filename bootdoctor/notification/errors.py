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

"""The one exception parsing raises."""


class ParseError(ValueError):
    """A notification that cannot be turned into observations.

    ``reason`` is a short human sentence naming the field at fault, for
    example ``"payload.nova_object.data.uuid: not a UUID ('abc')"``.
    ``message_id`` is the notification's id when it was readable, so a
    rejection can be recorded against it.
    """

    def __init__(self, reason, message_id=None):
        super().__init__(reason)
        self.reason = reason
        self.message_id = message_id

    def __str__(self):
        return self.reason

    def __repr__(self):
        return 'ParseError(%r, message_id=%r)' % (self.reason, self.message_id)
