#!/usr/bin/env bash
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
#
# A real Keystone for development and the functional tests of bootdoctor-api.
#
#   tools/keystone/keystone-dev.sh start     install (once), configure, start, seed
#   tools/keystone/keystone-dev.sh stop      stop the server
#   tools/keystone/keystone-dev.sh status    exit 0 when Keystone answers
#   tools/keystone/keystone-dev.sh env [USER]  print OS_* exports (default admin)
#   tools/keystone/keystone-dev.sh clean     stop and remove the state directory
#
# Keystone's own dependencies conflict with bootdoctor's (SQLAlchemy among
# them), so it lives in a virtualenv of its own, never in bootdoctor's.
# Everything is idempotent: "start" on a running, seeded Keystone only checks
# the seed again. Settings, from the environment:
#   KEYSTONE_VENV     virtualenv            (default: <repo>/.venv-keystone)
#   KEYSTONE_STATE    config, SQLite, keys, logs, credentials
#                                           (default: <repo>/.keystone)
#   KEYSTONE_HOST     address to bind       (default: 127.0.0.1)
#   KEYSTONE_PORT     port                  (default: 5000)
#   KEYSTONE_PACKAGE  pip requirement       (default: keystone)
#   KEYSTONE_PYTHON   interpreter for the virtualenv (default: python3)
#   KEYSTONE_TOKEN_EXPIRATION  token lifetime in seconds (default: 3600)
#   BOOTDOCTOR_API_URL  endpoint registered for boot-diagnostics
#                                           (default: http://127.0.0.1:8795)
# The seeded users and their passwords are written to
# $KEYSTONE_STATE/credentials.json (mode 0600), which the tests read.

set -o errexit -o nounset -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
KEYSTONE_VENV=${KEYSTONE_VENV:-$REPO/.venv-keystone}
KEYSTONE_STATE=${KEYSTONE_STATE:-$REPO/.keystone}
KEYSTONE_HOST=${KEYSTONE_HOST:-127.0.0.1}
KEYSTONE_PORT=${KEYSTONE_PORT:-5000}
KEYSTONE_PACKAGE=${KEYSTONE_PACKAGE:-keystone}
KEYSTONE_PYTHON=${KEYSTONE_PYTHON:-python3}
KEYSTONE_TOKEN_EXPIRATION=${KEYSTONE_TOKEN_EXPIRATION:-3600}
BOOTDOCTOR_API_URL=${BOOTDOCTOR_API_URL:-http://127.0.0.1:8795}
KEYSTONE_URL="http://$KEYSTONE_HOST:$KEYSTONE_PORT/v3"
PIDFILE=$KEYSTONE_STATE/gunicorn.pid
CREDENTIALS=$KEYSTONE_STATE/credentials.json

log() { echo "keystone-dev: $*" >&2; }
die() { log "$*"; exit 1; }

answers() {
    "$KEYSTONE_PYTHON" - "$KEYSTONE_URL" <<'PY' >/dev/null 2>&1
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=3) as r:
    sys.exit(0 if r.status == 200 and b'"version"' in r.read() else 1)
PY
}

running_pid() {
    [[ -f $PIDFILE ]] || return 1
    local pid
    pid=$(<"$PIDFILE")
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

install() {
    # The marker is written only after a complete install, so an
    # interrupted one is finished on the next start.
    local marker=$KEYSTONE_VENV/.keystone-dev-installed
    if [[ -f $marker && $(<"$marker") == "$KEYSTONE_PACKAGE" ]]; then
        return 0
    fi
    log "installing $KEYSTONE_PACKAGE and gunicorn into $KEYSTONE_VENV"
    [[ -x $KEYSTONE_VENV/bin/python ]] || "$KEYSTONE_PYTHON" -m venv "$KEYSTONE_VENV"
    "$KEYSTONE_VENV/bin/pip" install --quiet --upgrade pip
    "$KEYSTONE_VENV/bin/pip" install --quiet "$KEYSTONE_PACKAGE" gunicorn
    "$KEYSTONE_VENV/bin/gunicorn" --help | grep -q -- '--no-control-socket' \
        || die "this gunicorn has no --no-control-socket option"
    echo "$KEYSTONE_PACKAGE" > "$marker"
}

write_config() {
    mkdir -p "$KEYSTONE_STATE/fernet-keys" "$KEYSTONE_STATE/credential-keys"
    chmod 0700 "$KEYSTONE_STATE"
    cat > "$KEYSTONE_STATE/keystone.conf" <<CONF
[DEFAULT]
log_file = $KEYSTONE_STATE/keystone.log
debug = false

[database]
connection = sqlite:///$KEYSTONE_STATE/keystone.sqlite

[identity]
# The cheapest bcrypt cost: this Keystone holds only test passwords, and
# every token issued hashes one.
password_hash_rounds = 4

[token]
provider = fernet
expiration = $KEYSTONE_TOKEN_EXPIRATION

[fernet_tokens]
key_repository = $KEYSTONE_STATE/fernet-keys

[fernet_receipts]
key_repository = $KEYSTONE_STATE/fernet-keys

[credential]
key_repository = $KEYSTONE_STATE/credential-keys

[cache]
enabled = false
CONF
}

manage() {
    PYTHONWARNINGS=ignore "$KEYSTONE_VENV/bin/keystone-manage" \
        --config-file "$KEYSTONE_STATE/keystone.conf" "$@"
}

admin_password() {
    local file=$KEYSTONE_STATE/admin-password
    if [[ ! -s $file ]]; then
        (umask 077; "$KEYSTONE_PYTHON" -c \
            'import secrets; print(secrets.token_urlsafe(18))' > "$file")
    fi
    cat "$file"
}

prepare() {
    write_config
    manage db_sync
    if [[ ! -f $KEYSTONE_STATE/fernet-keys/0 ]]; then
        manage fernet_setup --keystone-user "$(id -un)" --keystone-group "$(id -gn)"
    fi
    if [[ ! -f $KEYSTONE_STATE/credential-keys/0 ]]; then
        manage credential_setup --keystone-user "$(id -un)" --keystone-group "$(id -gn)"
    fi
    chmod 0700 "$KEYSTONE_STATE/fernet-keys" "$KEYSTONE_STATE/credential-keys"
    manage bootstrap \
        --bootstrap-password="$(admin_password)" \
        --bootstrap-username admin \
        --bootstrap-project-name admin \
        --bootstrap-role-name admin \
        --bootstrap-service-name keystone \
        --bootstrap-region-id RegionOne \
        --bootstrap-admin-url "$KEYSTONE_URL" \
        --bootstrap-internal-url "$KEYSTONE_URL" \
        --bootstrap-public-url "$KEYSTONE_URL"
}

serve() {
    log "starting Keystone on $KEYSTONE_URL"
    OS_KEYSTONE_CONFIG_DIR=$KEYSTONE_STATE \
    "$KEYSTONE_VENV/bin/gunicorn" \
        --pythonpath "$HERE" \
        --bind "$KEYSTONE_HOST:$KEYSTONE_PORT" \
        --workers 2 \
        --timeout 60 \
        --no-control-socket \
        --daemon \
        --pid "$PIDFILE" \
        --error-logfile "$KEYSTONE_STATE/gunicorn.log" \
        keystone_app:application
    local waited=0
    until answers; do
        if (( waited >= 60 )); then
            tail -n 30 "$KEYSTONE_STATE/gunicorn.log" "$KEYSTONE_STATE/keystone.log" >&2 || true
            die "Keystone did not answer on $KEYSTONE_URL within 60 s"
        fi
        sleep 1
        waited=$((waited + 1))
    done
    log "Keystone answers on $KEYSTONE_URL"
}

seed() {
    "$KEYSTONE_VENV/bin/python" "$HERE/seed.py" \
        --auth-url "$KEYSTONE_URL" \
        --admin-password="$(admin_password)" \
        --api-url "$BOOTDOCTOR_API_URL" \
        --output "$CREDENTIALS"
}

cmd_start() {
    install
    if running_pid >/dev/null && answers; then
        log "Keystone already runs on $KEYSTONE_URL"
    else
        if answers; then
            die "something else answers on $KEYSTONE_URL; set KEYSTONE_PORT"
        fi
        prepare
        serve
    fi
    seed
    log "credentials in $CREDENTIALS"
}

cmd_stop() {
    local pid
    if pid=$(running_pid); then
        kill "$pid"
        for _ in $(seq 1 30); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.5
        done
        kill -0 "$pid" 2>/dev/null && die "gunicorn $pid did not stop"
        log "stopped"
    else
        log "not running"
    fi
    rm -f "$PIDFILE"
}

cmd_status() {
    if answers; then
        echo "Keystone answers on $KEYSTONE_URL"
    else
        echo "Keystone does not answer on $KEYSTONE_URL"
        return 1
    fi
}

cmd_env() {
    [[ -f $CREDENTIALS ]] || die "no $CREDENTIALS: run '$0 start' first"
    "$KEYSTONE_PYTHON" - "$CREDENTIALS" "${1:-admin}" <<'PY'
import json, shlex, sys
data = json.load(open(sys.argv[1]))
user = data['users'].get(sys.argv[2])
if user is None:
    sys.exit('unknown user %s; one of %s' % (sys.argv[2], ', '.join(data['users'])))
env = {
    'OS_AUTH_URL': data['auth_url'], 'OS_AUTH_TYPE': 'password',
    'OS_IDENTITY_API_VERSION': '3', 'OS_REGION_NAME': data['region'],
    'OS_USERNAME': user['username'], 'OS_PASSWORD': user['password'],
    'OS_USER_DOMAIN_NAME': 'Default', 'OS_PROJECT_DOMAIN_NAME': 'Default',
    'OS_PROJECT_NAME': user['project_name'],
}
for key, value in env.items():
    print('export %s=%s' % (key, shlex.quote(value)))
PY
}

cmd_clean() {
    cmd_stop
    rm -rf "$KEYSTONE_STATE"
}

case ${1:-} in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    env) cmd_env "${2:-}" ;;
    clean) cmd_clean ;;
    *) echo "usage: $0 start|stop|status|env [USER]|clean" >&2; exit 2 ;;
esac
