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

"""Masking credentials: at any depth, copying only what it changes."""

import collections
import copy
import json

from hypothesis import given
from hypothesis import strategies as st

from bootdoctor.notification import fields

MASK = fields.REDACTED


def test_credentials_are_masked_at_any_depth():
    value = {'auth_token': 'gAAAA', 'user': 'u1',
             'nested': [{'admin_password': 'pw', 'x': 1},
                        [{'Service_Token': 't'}]],
             'deep': {'a': {'b': {'client_secret': 's', 'keep': 'k'}}}}
    assert fields.redact(value) == {
        'auth_token': MASK, 'user': 'u1',
        'nested': [{'admin_password': MASK, 'x': 1},
                   [{'Service_Token': MASK}]],
        'deep': {'a': {'b': {'client_secret': MASK, 'keep': 'k'}}}}


def test_empty_and_non_string_credentials_are_kept():
    value = {'auth_token': '', 'password': None, 'token': 3,
             'tokens': {'x': 'y'}}
    assert fields.redact(value) == value


def test_the_value_given_is_never_changed():
    value = {'ctxt': {'auth_token': 'secret'},
             'payload': {'list': [{'password': 'p'}], 'n': 1}}
    before = copy.deepcopy(value)
    result = fields.redact(value)
    assert value == before
    assert result['ctxt']['auth_token'] == MASK
    assert result['payload']['list'][0]['password'] == MASK


def test_what_holds_no_credential_is_not_copied():
    payload = {'nova_object.data': {'host': 'c1', 'flavor': {'vcpus': 1}},
               'items': [{'a': 1}, [2, 3]]}
    value = {'ctxt': {'auth_token': 't', 'roles': ['admin']},
             'payload': payload}
    result = fields.redact(value)
    assert result is not value
    assert result['payload'] is payload
    assert result['ctxt'] is not value['ctxt']
    assert result['ctxt']['roles'] is value['ctxt']['roles']
    assert fields.redact(payload) is payload


def test_only_the_path_to_a_credential_is_copied():
    value = {'a': {'keep': {'x': 1}, 'b': [{'token': 't'}, {'y': 2}]}}
    result = fields.redact(value)
    assert result['a'] is not value['a']
    assert result['a']['keep'] is value['a']['keep']
    assert result['a']['b'] is not value['a']['b']
    assert result['a']['b'][1] is value['a']['b'][1]
    assert result['a']['b'][0] == {'token': MASK}


def test_key_order_is_kept():
    value = {'z': 1, 'password': 'p', 'a': 2}
    assert list(fields.redact(value)) == ['z', 'password', 'a']


def test_subclasses_of_dict_and_list_are_walked():
    value = collections.OrderedDict(
        [('inner', collections.UserDict()), ('l', [{'password': 'p'}])])
    value['ctx'] = collections.OrderedDict([('auth_token', 't')])
    result = fields.redact(value)
    assert result['ctx']['auth_token'] == MASK
    assert result['l'][0]['password'] == MASK


_SECRET_KEYS = st.sampled_from(['auth_token', 'password', 'client_secret',
                                'X_PASSWORD', 'token'])
_KEYS = st.one_of(st.text(max_size=8), _SECRET_KEYS)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        _KEYS, children, max_size=4),
    max_leaves=25)


def _reference(value):
    """Masking as a plain full copy would do it."""
    if isinstance(value, dict):
        return {k: (MASK if isinstance(v, str) and v and isinstance(k, str)
                    and k.lower().endswith(('token', 'password', 'secret'))
                    else _reference(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_reference(v) for v in value]
    return value


@given(_JSON)
def test_same_result_as_a_full_copy_and_input_unchanged(value):
    before = json.dumps(value, sort_keys=True)
    result = fields.redact(value)
    assert json.dumps(value, sort_keys=True) == before
    assert json.dumps(result, sort_keys=True) == json.dumps(
        _reference(value), sort_keys=True)
