#!/bin/bash
#
# Runs devstack/plugin.sh through every phase without DevStack.
#
# DevStack's functions are replaced by the doubles in doubles.sh, which
# record each call and write real ini files. For each scenario (a set of
# enabled services) the harness sources settings, override-defaults and
# plugin.sh the way stack.sh, unstack.sh and clean.sh do, then checks the
# recorded calls and the resulting nova.conf, bootdoctor.conf and uwsgi
# ini, parsed as ini files.
#
# Usage: [PLUGIN_DIR=dir] tools/devstack-test/run.sh [SANDBOX]
#   PLUGIN_DIR: the plugin to test (default: this tree's devstack/).
#   SANDBOX: an empty directory to work in (kept afterwards, so a caller
#   can inspect it); a temporary directory that is removed by default.
# Exit status: 0 when every check passed.

# Each scenario runs with errexit, as stack.sh does; the harness itself
# goes on after a failure so that it reports every check.
set -o nounset
set -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PLUGIN_DIR=${PLUGIN_DIR:-$(cd "$HERE/../../devstack" && pwd)}
PYTHON=${PYTHON:-python3}

if [[ $# -ge 1 ]]; then
    ROOT=$(mkdir -p "$1" && cd "$1" && pwd)
else
    ROOT=$(mktemp -d)
    trap 'rm -rf "$ROOT"' EXIT
fi

PASSED=0
FAILED=0

function ok {
    PASSED=$((PASSED + 1))
    echo "ok - $SCENARIO: $1"
}

function not_ok {
    FAILED=$((FAILED + 1))
    echo "not ok - $SCENARIO: $1"
}

# check description command [args]: the command must succeed.
function check {
    local description=$1
    shift
    if "$@"; then
        ok "$description"
    else
        not_ok "$description"
    fi
}

# called log name [args]: a call with exactly these arguments was logged.
function called {
    local log=$1
    shift
    local IFS=$'\t'
    grep -qxF -- "$*" "$log"
}

# not_called log name: no call to this function was logged.
function not_called {
    ! grep -q "^$2"$'\t\|'"^$2\$" "$1"
}

# ini_is file section option value: the file parses as ini (no
# duplicate sections or options) and the option has this value.
function ini_is {
    "$PYTHON" - "$@" <<'EOF'
import configparser
import sys

path, section, option, expected = sys.argv[1:5]
parser = configparser.ConfigParser(interpolation=None, strict=True)
parser.optionxform = str
with open(path, encoding='utf-8') as f:
    parser.read_file(f)
actual = parser.get(section, option, fallback=None)
if actual != expected:
    print('  %s [%s] %s = %r, expected %r'
          % (path, section, option, actual, expected))
    sys.exit(1)
EOF
}

# ini_absent file section option: the file parses and lacks the option.
function ini_absent {
    "$PYTHON" - "$@" <<'EOF'
import configparser
import sys

path, section, option = sys.argv[1:4]
parser = configparser.ConfigParser(interpolation=None, strict=True,
                                   default_section='no default section')
parser.optionxform = str
with open(path, encoding='utf-8') as f:
    parser.read_file(f)
if parser.has_option(section, option):
    print('  %s [%s] %s is set' % (path, section, option))
    sys.exit(1)
EOF
}

# ini_lacks file section: the file has no such section (or is absent).
function ini_lacks {
    [[ ! -f $1 ]] || ! grep -qxF "[$2]" "$1"
}

# A fake console script that records how the plugin ran it.
function fake_script {
    local path=$1
    mkdir -p "$(dirname "$path")"
    local name
    name=$(basename "$path")
    # shellcheck disable=SC2016
    printf '#!/bin/bash\nIFS=$%s\necho "exec\t%s\t$*" >> "$CALLS_LOG"\n' \
        "'\\t'" "$name" > "$path"
    chmod +x "$path"
}

# run_scenario name enabled-services [disabled-services]
# Sets up a sandbox with DevStack's globals and the config files that
# lib/* would have written, then runs every phase in a subshell.
function run_scenario {
    SCENARIO=$1
    local enabled=$2 disabled=${3:-}
    SANDBOX=$ROOT/$SCENARIO
    rm -rf "$SANDBOX"
    mkdir -p "$SANDBOX"
    CALLS_LOG=$SANDBOX/calls.log
    : > "$CALLS_LOG"
    export SANDBOX CALLS_LOG
    fake_script "$SANDBOX/usr/local/bin/bootdoctor-manage"

    (
        set -o errexit
        set +o nounset
        # DevStack's globals, as stackrc, lib/* and local.conf set them.
        DEST=$SANDBOX/opt/stack
        DATA_DIR=$DEST/data
        STACK_USER=$(id -un)
        SERVICE_HOST=192.0.2.10
        SERVICE_PROTOCOL=http
        SERVICE_TIMEOUT=60
        SERVICE_PASSWORD="service-secret"
        SERVICE_PROJECT_NAME=service
        SERVICE_DOMAIN_NAME=Default
        KEYSTONE_SERVICE_URI=http://192.0.2.10/identity
        REGION_NAME=RegionOne
        API_WORKERS=2
        ENABLE_DEBUG_LOG_LEVEL=True
        SYSLOG=False
        DATABASE_TYPE=mysql
        DATABASE_USER=root
        DATABASE_PASSWORD=db-secret
        DATABASE_HOST=127.0.0.1
        RABBIT_USERID=stackrabbit
        RABBIT_PASSWORD=rabbit-secret
        RABBIT_HOST=192.0.2.10
        NOVA_CONF_DIR=$SANDBOX/etc/nova
        NOVA_CONF=$NOVA_CONF_DIR/nova.conf
        NOVA_NUM_CELLS=1
        NEUTRON_CONF=$SANDBOX/etc/neutron/neutron.conf
        CINDER_CONF=$SANDBOX/etc/cinder/cinder.conf
        GLANCE_API_CONF=$SANDBOX/etc/glance/glance-api.conf
        BOOTDOCTOR_CONF_DIR=$SANDBOX/etc/bootdoctor
        ENABLED_SERVICES=$enabled

        # shellcheck source=tools/devstack-test/doubles.sh
        source "$HERE/doubles.sh"

        # stack.sh: plugin settings, then override-defaults, then lib/*.
        # shellcheck source=devstack/settings
        source "$PLUGIN_DIR/settings"
        local service
        for service in ${disabled//,/ }; do
            ENABLED_SERVICES=$(echo ",$ENABLED_SERVICES," |
                sed "s/,$service,/,/; s/^,//; s/,$//")
        done
        cp "$CALLS_LOG" "$SANDBOX/settings.log"
        # shellcheck source=devstack/override-defaults
        source "$PLUGIN_DIR/override-defaults"

        # What lib/nova wrote before the plugin's post-config phase.
        if is_service_enabled nova; then
            mkdir -p "$NOVA_CONF_DIR"
            printf '[DEFAULT]\ndebug = True\n\n[notifications]\n' > "$NOVA_CONF"
            printf 'notification_format = %s\n' \
                "${NOVA_NOTIFICATION_FORMAT:-unversioned}" >> "$NOVA_CONF"
            printf '[DEFAULT]\ntransport_url = rabbit://cell1\n' \
                > "$(conductor_conf 1)"
        fi
        : > "$CALLS_LOG"

        local phase args
        for phase in "stack install" "stack post-config" "stack extra"; do
            echo "phase	$phase" >> "$CALLS_LOG"
            read -r -a args <<< "$phase"
            # shellcheck source=devstack/plugin.sh
            source "$PLUGIN_DIR/plugin.sh" "${args[@]}"
        done
        # What the running stack had, before unstack and clean.
        mkdir -p "$SANDBOX/stacked"
        if [[ -f $BOOTDOCTOR_UWSGI_CONF ]]; then
            cp "$BOOTDOCTOR_UWSGI_CONF" "$SANDBOX/stacked/uwsgi.ini"
        fi
        # The stack is up: the state directory holds data.
        if [[ -d $BOOTDOCTOR_STATE_PATH ]]; then
            touch "$BOOTDOCTOR_STATE_PATH/bootdoctor.sqlite"
        fi
        for phase in unstack clean; do
            echo "phase	$phase" >> "$CALLS_LOG"
            # shellcheck source=devstack/plugin.sh
            source "$PLUGIN_DIR/plugin.sh" "$phase"
        done
        # Hand the values the checks need back to the harness.
        # Under other names, so the next scenario starts from defaults.
        {
            echo "R_CONF=$BOOTDOCTOR_CONF"
            echo "R_UWSGI_CONF=$BOOTDOCTOR_UWSGI_CONF"
            echo "R_STATE_PATH=$BOOTDOCTOR_STATE_PATH"
            echo "R_DIR=$BOOTDOCTOR_DIR"
            echo "R_NOVA_CONF=$NOVA_CONF"
            echo "R_CELL1_CONF=$(conductor_conf 1)"
        } > "$SANDBOX/env"
    ) > "$SANDBOX/phases.log" 2>&1
    local rc=$?
    R_CONF='' R_UWSGI_CONF='' R_STATE_PATH='' R_DIR='' R_NOVA_CONF='' R_CELL1_CONF=''
    # shellcheck disable=SC1091
    source "$SANDBOX/env" 2>/dev/null || true
    return $rc
}

# What follows checks each scenario. The R_* values come from the
# scenario's env file.

# 1. A full DevStack: MySQL, Nova, Neutron, Cinder, Glance, bootdoctor.
ALL=key,mysql,rabbit,n-api,n-cond,n-sch,n-cpu,placement-api,g-api,q-svc,c-api,c-vol
run_scenario full "$ALL"
check "every phase ran" test $? -eq 0
L=$CALLS_LOG
check "accounts need Keystone" called "$L" is_service_enabled keystone
U=http://192.0.2.10/boot-diagnostics
RABBIT=rabbit://stackrabbit:rabbit-secret@192.0.2.10:5672/
MANAGE=$SANDBOX/usr/local/bin
check "settings defines the plugin" \
    called "$SANDBOX/settings.log" define_plugin bootdoctor
check "settings enables both services" called "$SANDBOX/settings.log" \
    enable_service bootdoctor-api bootdoctor-collector
check "install: package in develop mode" called "$L" setup_develop "$R_DIR"
check "install: uwsgi for the API" called "$L" pip_install uwsgi
check "nova.conf: notify_on_state_change" \
    ini_is "$R_NOVA_CONF" notifications notify_on_state_change vm_and_task_state
check "nova.conf: notification_format both" \
    ini_is "$R_NOVA_CONF" notifications notification_format both
check "nova.conf: messagingv2 driver" \
    ini_is "$R_NOVA_CONF" oslo_messaging_notifications driver messagingv2
check "nova.conf: nothing in the deprecated [DEFAULT] group" \
    ini_absent "$R_NOVA_CONF" DEFAULT notify_on_state_change
check "cell conductor: notify_on_state_change" \
    ini_is "$R_CELL1_CONF" notifications notify_on_state_change vm_and_task_state
check "cell conductor: notifications on the notification bus" \
    ini_is "$R_CELL1_CONF" oslo_messaging_notifications transport_url "$RABBIT"
check "neutron.conf: messagingv2 driver" ini_is "$SANDBOX/etc/neutron/neutron.conf" \
    oslo_messaging_notifications driver messagingv2
check "cinder.conf: messagingv2 driver" ini_is "$SANDBOX/etc/cinder/cinder.conf" \
    oslo_messaging_notifications driver messagingv2
check "glance-api.conf: messagingv2 driver" ini_is "$SANDBOX/etc/glance/glance-api.conf" \
    oslo_messaging_notifications driver messagingv2
C=$R_CONF
check "bootdoctor.conf: notification transport" \
    ini_is "$C" oslo_messaging_notifications transport_url "$RABBIT"
check "bootdoctor.conf: MySQL database" ini_is "$C" database connection \
    "mysql+pymysql://root:db-secret@127.0.0.1/bootdoctor?charset=utf8"
check "bootdoctor.conf: state_path" ini_is "$C" DEFAULT state_path "$R_STATE_PATH"
check "bootdoctor.conf: keystone auth" ini_is "$C" api auth_strategy keystone
check "bootdoctor.conf: auth_token user" ini_is "$C" keystone_authtoken username bootdoctor
check "bootdoctor.conf: own listener pool" ini_is "$C" collector pool bootdoctor
check "bootdoctor.conf: reconcile with Nova" ini_is "$C" nova reconcile True
check "bootdoctor.conf: service credentials" ini_is "$C" nova username bootdoctor
check "bootdoctor.conf: service password" ini_is "$C" nova password service-secret
check "auth_token configured by DevStack's function" \
    called "$L" configure_keystone_authtoken_middleware "$C" bootdoctor
check "logging configured" called "$L" setup_logging "$C"
check "service user" called "$L" create_service_user bootdoctor admin
check "boot-diagnostics service" called "$L" get_or_create_service bootdoctor \
    boot-diagnostics "OpenStack Boot Diagnostics Service"
check "boot-diagnostics endpoint" \
    called "$L" get_or_create_endpoint boot-diagnostics RegionOne "$U"
check "uwsgi config written" called "$L" write_uwsgi_config "$R_UWSGI_CONF" \
    bootdoctor.wsgi.api:application /boot-diagnostics "" bootdoctor-api
check "uwsgi runs the WSGI module" \
    ini_is "$SANDBOX/stacked/uwsgi.ini" uwsgi module bootdoctor.wsgi.api:application
check "the application reads bootdoctor.conf" \
    ini_is "$SANDBOX/stacked/uwsgi.ini" uwsgi env "BOOTDOCTOR_CONFIG_FILE=$C"
check "database recreated" called "$L" recreate_database bootdoctor
check "schema synced" called "$L" exec bootdoctor-manage --config-file "$C" db sync
check "API started under uwsgi" called "$L" run_process bootdoctor-api \
    "$MANAGE/uwsgi --procname-prefix bootdoctor-api --ini $R_UWSGI_CONF"
check "collector started" called "$L" run_process bootdoctor-collector \
    "$MANAGE/bootdoctor-collector --config-file $C"
check "waited for the API" called "$L" wait_for_service 60 "$U"
check "unstack stops the API" called "$L" stop_process bootdoctor-api
check "unstack stops the collector" called "$L" stop_process bootdoctor-collector
check "clean removes the uwsgi config" \
    called "$L" remove_uwsgi_config "$R_UWSGI_CONF" bootdoctor-api
check "clean removes the state" test ! -e "$R_STATE_PATH"
check "uwsgi ini removed by clean" test ! -e "$R_UWSGI_CONF"
check "never died" not_called "$L" die

# 2. No database server, no Neutron, Cinder or Glance: SQLite, and the
# other services' files are left alone.
run_scenario minimal key,rabbit,n-api,n-cond,n-sch,n-cpu
check "every phase ran" test $? -eq 0
L=$CALLS_LOG
check "SQLite under the state path" ini_is "$R_CONF" database connection \
    "sqlite:///$R_STATE_PATH/bootdoctor.sqlite"
check "no database to recreate" not_called "$L" recreate_database
check "nova.conf still configured" \
    ini_is "$R_NOVA_CONF" notifications notify_on_state_change vm_and_task_state
check "neutron.conf untouched" test ! -e "$SANDBOX/etc/neutron/neutron.conf"
check "cinder.conf untouched" test ! -e "$SANDBOX/etc/cinder/cinder.conf"
check "glance-api.conf untouched" test ! -e "$SANDBOX/etc/glance/glance-api.conf"
check "schema synced" called "$L" exec bootdoctor-manage \
    --config-file "$R_CONF" db sync

# 3. The collector alone (disable_service bootdoctor-api in local.conf).
run_scenario collector-only "$ALL" bootdoctor-api
check "every phase ran" test $? -eq 0
L=$CALLS_LOG
check "no uwsgi" not_called "$L" pip_install
check "no uwsgi config" not_called "$L" write_uwsgi_config
check "no catalogue entry" not_called "$L" get_or_create_endpoint
check "no API process" bash -c "! grep -q '^run_process	bootdoctor-api' '$L'"
check "collector started" bash -c "grep -q '^run_process	bootdoctor-collector' '$L'"
check "no wait for an API" not_called "$L" wait_for_service
check "service user for Nova reconciliation" \
    called "$L" create_service_user bootdoctor admin

# 4. bootdoctor disabled: the plugin does nothing in any phase.
run_scenario disabled "$ALL" bootdoctor-api,bootdoctor-collector
check "every phase ran" test $? -eq 0
L=$CALLS_LOG
check "nothing installed" not_called "$L" setup_develop
check "nothing written" not_called "$L" iniset
check "nothing started" not_called "$L" run_process
check "nothing stopped" not_called "$L" stop_process

# 5. The API never answers: stack extra dies.
export WAIT_FOR_SERVICE_RC=1
run_scenario api-down "$ALL"
check "stack fails when the API does not start" test $? -ne 0
unset WAIT_FOR_SERVICE_RC
check "died with a message" grep -q "bootdoctor-api did not start" "$CALLS_LOG"

# 6. A node without Keystone: no accounts to create there.
run_scenario no-keystone mysql,rabbit,n-api,n-cond,n-cpu
check "every phase ran" test $? -eq 0
L=$CALLS_LOG
check "no service user" not_called "$L" create_service_user
check "no catalogue entry" not_called "$L" get_or_create_service
check "still configured" ini_is "$R_CONF" api auth_strategy keystone

# Static rules for the plugin files.
SCENARIO=static
check "no regex on ENABLED_SERVICES" \
    bash -c "! grep -n ENABLED_SERVICES '$PLUGIN_DIR/plugin.sh' '$PLUGIN_DIR/settings'"
check "settings defines the plugin" grep -qx "define_plugin bootdoctor" "$PLUGIN_DIR/settings"
check "settings enables both services" \
    grep -qx "enable_service bootdoctor-api bootdoctor-collector" "$PLUGIN_DIR/settings"
check "override-defaults asks Nova for both formats" \
    grep -qx "NOVA_NOTIFICATION_FORMAT=both" "$PLUGIN_DIR/override-defaults"

echo "$PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
