#!/bin/bash
#
# Test doubles for the DevStack functions that devstack/plugin.sh and
# devstack/settings call. Each one has the signature of the DevStack
# function of the same name (functions-common, lib/apache, lib/keystone,
# lib/database, lib/rpc_backend, lib/nova), appends one line to
# $CALLS_LOG ("name<TAB>arg1<TAB>arg2..."), and does the least work that
# lets the plugin go on: iniset writes real ini files, the get_or_create
# functions print an id, database_connection_url prints a URL.
#
# Expects: CALLS_LOG, and the DevStack globals the real functions read
# (ENABLED_SERVICES, DATABASE_TYPE, DATABASE_USER, DATABASE_PASSWORD,
# DATABASE_HOST, RABBIT_USERID, RABBIT_PASSWORD, RABBIT_HOST,
# NOVA_CONF_DIR, STACK_USER, SANDBOX).

function _record {
    local IFS=$'\t'
    echo "$*" >> "$CALLS_LOG"
}

# functions-common: services
# --------------------------

# enable_service service [service ...]
function enable_service {
    _record enable_service "$@"
    local service
    for service in "$@"; do
        if [[ ",$ENABLED_SERVICES," != *",$service,"* ]]; then
            ENABLED_SERVICES="${ENABLED_SERVICES:+$ENABLED_SERVICES,}$service"
        fi
    done
}

# define_plugin name
function define_plugin {
    _record define_plugin "$@"
}

# is_service_enabled service [service ...]: true if any is enabled.
# As in DevStack: an exact name in ENABLED_SERVICES, or a group function
# is_<name>_enabled (defined below for the lib/* groups, and by the
# plugin for bootdoctor).
function is_service_enabled {
    _record is_service_enabled "$@"
    local service
    for service in "$@"; do
        if [[ ",$ENABLED_SERVICES," == *",$service,"* ]]; then
            return 0
        fi
        if [[ $service =~ ^[A-Za-z0-9_]+$ ]] && \
                declare -F "is_${service}_enabled" > /dev/null; then
            if "is_${service}_enabled"; then
                return 0
            fi
        fi
        # functions-common's own special case for the nova group.
        if [[ $service == nova && ",$ENABLED_SERVICES" == *",n-"* ]]; then
            return 0
        fi
    done
    return 1
}

# The group functions lib/keystone, lib/glance, lib/neutron and lib/cinder
# define, which is_service_enabled calls for the group names.
function is_keystone_enabled {
    [[ ",$ENABLED_SERVICES," == *",key,"* ]]
}

function is_glance_enabled {
    [[ ",$ENABLED_SERVICES" == *",g-"* ]]
}

function is_neutron_enabled {
    [[ ",$ENABLED_SERVICES" == *",q-"* ||
        ",$ENABLED_SERVICES" == *",neutron-"* ]]
}

function is_cinder_enabled {
    [[ ",$ENABLED_SERVICES" == *",c-"* ]]
}

# functions-common: config files
# ------------------------------

# iniset [-sudo] config-file section option value
# Writes a real ini file: adds the section at the end if missing, adds
# the option under its section or replaces its value.
function iniset {
    if [[ $1 == "-sudo" ]]; then
        shift
    fi
    _record iniset "$@"
    local file=$1 section=$2 option=$3 value=$4
    [[ -z $section || -z $option ]] && return
    mkdir -p "$(dirname "$file")"
    touch "$file"
    local tmp
    tmp=$(mktemp)
    awk -v section="$section" -v option="$option" -v value="$value" '
        function emit() { print option " = " value; done = 1 }
        /^\[.*\][ \t]*$/ {
            if (inside && !done) emit()
            inside = ($0 == "[" section "]")
            if (inside) seen = 1
            print
            next
        }
        inside && !done {
            line = $0
            sub(/[ \t]*=.*/, "", line)
            if (line == option && $0 ~ /=/) { emit(); next }
        }
        { print }
        END {
            if (inside && !done) emit()
            if (!seen) { print ""; print "[" section "]"; emit() }
        }
    ' "$file" > "$tmp"
    cat "$tmp" > "$file"
    rm -f "$tmp"
}

# setup_logging conf-file [other-cond]
function setup_logging {
    _record setup_logging "$@"
}

# functions-common: output and errors
# -----------------------------------

# echo_summary message
function echo_summary {
    _record echo_summary "$@"
}

# die line-number message
function die {
    _record die "$@"
    echo "die: line $1: ${*:2}" >&2
    exit 1
}

# functions-common: processes
# ---------------------------

# run_process service command [group] [user]: DevStack only starts it
# when the service is enabled.
function run_process {
    if [[ ",$ENABLED_SERVICES," == *",$1,"* ]]; then
        _record run_process "$@"
    fi
}

# stop_process service
function stop_process {
    _record stop_process "$@"
}

# wait_for_service timeout url
function wait_for_service {
    _record wait_for_service "$@"
    return "${WAIT_FOR_SERVICE_RC:-0}"
}

# functions-common and inc/python: installing
# -------------------------------------------

# setup_develop project-dir [extras]
function setup_develop {
    _record setup_develop "$@"
}

# pip_install package [package ...]
function pip_install {
    _record pip_install "$@"
}

# get_python_exec_prefix: where pip puts console scripts.
function get_python_exec_prefix {
    echo "$SANDBOX/usr/local/bin"
}

# sudo command [args]: runs the command as the current user. It refuses
# any absolute path outside $SANDBOX, so a plugin bug cannot touch the
# machine running the test.
function sudo {
    _record sudo "$@"
    local args=()
    local skip_owner=0 arg
    for arg in "$@"; do
        if [[ $arg == /* && $arg != "$SANDBOX"/* ]]; then
            echo "sudo double: refusing path outside the sandbox: $arg" >&2
            return 1
        fi
    done
    for arg in "$@"; do
        # install -o <user>: the sandbox user owns everything already.
        if [[ $skip_owner == 1 ]]; then
            skip_owner=0
            continue
        fi
        if [[ $1 == install && $arg == -o ]]; then
            skip_owner=1
            continue
        fi
        args+=("$arg")
    done
    "${args[@]}"
}

# lib/database
# ------------

# database_connection_url db
function database_connection_url {
    _record database_connection_url "$@"
    local driver=pymysql
    if [[ $DATABASE_TYPE == postgresql ]]; then
        driver=psycopg2
    fi
    echo "$DATABASE_TYPE+$driver://$DATABASE_USER:$DATABASE_PASSWORD@$DATABASE_HOST/$1?charset=utf8"
}

# recreate_database db [charset]
function recreate_database {
    _record recreate_database "$@"
}

# lib/rpc_backend
# ---------------

# get_notification_url
function get_notification_url {
    _record get_notification_url "$@"
    echo "rabbit://$RABBIT_USERID:$RABBIT_PASSWORD@$RABBIT_HOST:5672/"
}

# lib/keystone and functions-common: identity
# -------------------------------------------

# configure_keystone_authtoken_middleware conf-file admin-user [section]
# Writes what DevStack writes, so the resulting file can be checked.
function configure_keystone_authtoken_middleware {
    _record configure_keystone_authtoken_middleware "$@"
    local conf=$1 user=$2 section=${3:-keystone_authtoken}
    iniset "$conf" "$section" auth_type password
    iniset "$conf" "$section" interface public
    iniset "$conf" "$section" www_authenticate_uri "$KEYSTONE_SERVICE_URI"
    iniset "$conf" "$section" auth_url "$KEYSTONE_SERVICE_URI"
    iniset "$conf" "$section" username "$user"
    iniset "$conf" "$section" password "$SERVICE_PASSWORD"
    iniset "$conf" "$section" user_domain_name "$SERVICE_DOMAIN_NAME"
    iniset "$conf" "$section" project_name "$SERVICE_PROJECT_NAME"
    iniset "$conf" "$section" project_domain_name "$SERVICE_DOMAIN_NAME"
}

# create_service_user name [role]
function create_service_user {
    _record create_service_user "$@"
}

# get_or_create_service name type description: prints the service id.
function get_or_create_service {
    _record get_or_create_service "$@"
    echo "service-id-$1"
}

# get_or_create_endpoint service region public-url [admin-url] [internal-url]
function get_or_create_endpoint {
    _record get_or_create_endpoint "$@"
    echo "endpoint-id-$1"
}

# lib/apache
# ----------

# write_uwsgi_config conf wsgi url http service-name
# Writes the uwsgi ini the way DevStack does for a module path.
function write_uwsgi_config {
    _record write_uwsgi_config "$@"
    local conf=$1 wsgi=$2 url=$3 http=$4 name=$5
    rm -f "$conf"
    iniset "$conf" uwsgi module "$wsgi"
    iniset "$conf" uwsgi processes "$API_WORKERS"
    iniset "$conf" uwsgi master true
    iniset "$conf" uwsgi die-on-term true
    if [[ -n $http ]]; then
        iniset "$conf" uwsgi http "$http"
    else
        iniset "$conf" uwsgi socket "/var/run/uwsgi/$name.socket"
        echo "ProxyPass \"$url\" \"unix:/var/run/uwsgi/$name.socket|uwsgi://uwsgi-uds-$name\"" \
            > "$SANDBOX/apache-$name.conf"
    fi
}

# remove_uwsgi_config conf service-name
function remove_uwsgi_config {
    _record remove_uwsgi_config "$@"
    rm -f "$1" "$SANDBOX/apache-$2.conf"
}

# lib/nova
# --------

# conductor_conf cell-number: the cell conductor's config file.
function conductor_conf {
    echo "$NOVA_CONF_DIR/nova_cell$1.conf"
}
