#!/usr/bin/env bash
# Runs every bootdoctor test in one pytest run: unit tests, functional tests
# against the real RabbitMQ, PostgreSQL, MariaDB and Keystone on this
# machine, and the end-to-end suite against upstream Nova.
#
# Creates (once) and uses these virtualenvs, none of them system-wide:
#   .venv           bootdoctor and its test requirements (BOOTDOCTOR_VENV)
#   .venv-keystone  Keystone, started on 127.0.0.1 by tools/keystone
#   .venv-nova      upstream Nova for the end-to-end suite, by e2e/
# A service that is not there makes its tests skip with the reason; CI
# (.ci/run) installs and starts them all first. Extra arguments go to
# pytest, e.g. tools/run-tests.sh bootdoctor/tests/unit -x

set -o errexit -o nounset -o pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
VENV=${BOOTDOCTOR_VENV:-$REPO/.venv}
PYTHON=${PYTHON:-python3}

log() { echo "run-tests: $*" >&2; }

if [ ! -x "$VENV/bin/python" ]; then
    log "creating $VENV"
    "$PYTHON" -m venv "$VENV"
fi
log "installing bootdoctor and its test requirements into $VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
"$VENV/bin/python" -m pip install -q -e . -r test-requirements.txt \
    2>&1 | grep -v -i 'warning' || true
"$VENV/bin/python" -c 'import bootdoctor.notification, bootdoctor.db.api' \
    || { log "bootdoctor did not install"; exit 1; }

if [ "${BOOTDOCTOR_SKIP_KEYSTONE:-0}" != 1 ]; then
    if ! ./tools/keystone/keystone-dev.sh start; then
        log "Keystone did not start: the tests that need it will skip"
    fi
fi
if [ "${BOOTDOCTOR_SKIP_E2E:-0}" != 1 ] && [ -x e2e/build-nova-venv.sh ]; then
    if ! ./e2e/build-nova-venv.sh; then
        log "the Nova virtualenv could not be built: e2e tests will skip"
    fi
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(bootdoctor/tests)
    [ -d e2e/tests ] && targets+=(e2e/tests)
fi
export PATH="$VENV/bin:$PATH"
exec "$VENV/bin/python" -m pytest -p no:cacheprovider -q -rs "${targets[@]}"
