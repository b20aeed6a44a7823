#!/bin/bash
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

# Build the separate virtualenv that runs upstream Nova for the end-to-end
# tests: nova and openstack-placement from PyPI, the packages Nova's own
# test-requirements.txt names, and the api-paste.ini that Nova's API fixture
# reads (shipped in the sdist, not in the wheel).
#
# Usage: e2e/build-nova-venv.sh [VENV_DIR]
# Environment:
#   NOVA_VENV            target directory (default: <repo>/.venv-nova)
#   NOVA_VERSION         nova release from PyPI (default: 34.0.0)
#   PLACEMENT_VERSION    openstack-placement release (default: 16.0.0)
#   NOVA_VENV_PYTHON     interpreter for the venv (default: python3)
#   NOVA_VENV_REBUILD=1  rebuild even when the venv is already complete
#
# The script is idempotent: a complete venv carries a stamp naming what it
# was built from and is left alone when the stamp matches.

set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${1:-${NOVA_VENV:-$repo/.venv-nova}}
nova_version=${NOVA_VERSION:-34.0.0}
placement_version=${PLACEMENT_VERSION:-16.0.0}
python=${NOVA_VENV_PYTHON:-python3}
# OpenStack tests against SQLAlchemy 2.0.x; Nova's requirements allow more.
sqlalchemy_spec='SQLAlchemy>=2.0,<2.1'

stamp="$venv/.bootdoctor-e2e-stamp"
want="nova==$nova_version openstack-placement==$placement_version $sqlalchemy_spec"

if [ "${NOVA_VENV_REBUILD:-0}" != 1 ] && [ -f "$stamp" ] \
        && [ "$(cat "$stamp")" = "$want" ]; then
    echo "Nova venv $venv is up to date ($want)"
    exit 0
fi

echo "Building Nova venv $venv ($want)"
rm -rf "$venv"
"$python" -m venv "$venv"
pip=("$venv/bin/python" -m pip --disable-pip-version-check)
"${pip[@]}" install --quiet --upgrade pip setuptools wheel

# The sdist carries test-requirements.txt and etc/nova/api-paste.ini.
src="$venv/src"
mkdir -p "$src"
"${pip[@]}" download --quiet --no-binary :all: --no-deps \
    --dest "$src" "nova==$nova_version"
sdist=$(ls "$src"/nova-"$nova_version".tar.gz)
tar -xzf "$sdist" -C "$src" \
    "nova-$nova_version/test-requirements.txt" \
    "nova-$nova_version/etc/nova/api-paste.ini"
sdist_dir="$src/nova-$nova_version"

"${pip[@]}" install \
    "nova==$nova_version" \
    "openstack-placement==$placement_version" \
    "$sqlalchemy_spec" \
    -r "$sdist_dir/test-requirements.txt"

# Nova's ConfFixture sets [wsgi]api_paste_config to
# $state_path/etc/nova/api-paste.ini, and state_path defaults to
# $pybasedir, the directory that holds the nova package.
pybasedir=$("$venv/bin/python" -c \
    'import os, nova; print(os.path.dirname(os.path.dirname(nova.__file__)))')
install -D -m 0644 "$sdist_dir/etc/nova/api-paste.ini" \
    "$pybasedir/etc/nova/api-paste.ini"

# Fail now rather than in the first test if the functional stack is unusable.
OS_NOVA_DISABLE_EVENTLET_PATCHING=1 "$venv/bin/python" -c '
import nova.monkey_patch
nova.monkey_patch.patch()
import nova.tests.functional.integrated_helpers  # noqa: F401
import placement  # noqa: F401
import sqlalchemy
assert sqlalchemy.__version__.startswith("2.0."), sqlalchemy.__version__
'

echo "$want" > "$stamp"
echo "Nova venv $venv is ready"
