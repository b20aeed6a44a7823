#!/bin/bash
#
# DevStack plugin for bootdoctor.
#
# Enable it in local.conf:
#
#   [[local|localrc]]
#   enable_plugin bootdoctor https://opendev.org/openstack/bootdoctor
#
# It installs bootdoctor, points its collector at DevStack's notification
# bus, makes Nova (and Neutron, Cinder, Glance where enabled) publish what
# the collector needs, runs bootdoctor-api under uwsgi behind Apache and
# registers it in Keystone as the boot-diagnostics service.

# Save trace setting
_XTRACE_BOOTDOCTOR=$(set +o | grep xtrace)
set -o xtrace

if [[ -d $BOOTDOCTOR_DIR/bin ]]; then
    BOOTDOCTOR_BIN_DIR=$BOOTDOCTOR_DIR/bin
else
    BOOTDOCTOR_BIN_DIR=$(get_python_exec_prefix)
fi

# Functions
# ---------

# is_bootdoctor_enabled: true when any bootdoctor service is enabled.
# DevStack's is_service_enabled calls it for "bootdoctor".
function is_bootdoctor_enabled {
    is_service_enabled bootdoctor-api bootdoctor-collector
}

function bootdoctor_service_url {
    local host=$BOOTDOCTOR_SERVICE_HOST
    echo "$BOOTDOCTOR_SERVICE_PROTOCOL://$host$BOOTDOCTOR_SERVICE_PATH"
}

# bootdoctor_database_url: the database DevStack runs, or SQLite.
function bootdoctor_database_url {
    if is_service_enabled mysql postgresql; then
        database_connection_url "$BOOTDOCTOR_DB_NAME"
    else
        echo "sqlite:///$BOOTDOCTOR_STATE_PATH/bootdoctor.sqlite"
    fi
}

# install_bootdoctor: the package and the WSGI server.
function install_bootdoctor {
    setup_develop "$BOOTDOCTOR_DIR"
    if is_service_enabled bootdoctor-api; then
        pip_install uwsgi
    fi
}

# _bootdoctor_configure_nova: make Nova publish every task_state change,
# in both formats. DevStack only sets notify_on_state_change when
# Ceilometer is enabled, and then in the deprecated [DEFAULT] group.
function _bootdoctor_configure_nova {
    local conf=$1
    iniset "$conf" notifications notify_on_state_change vm_and_task_state
    iniset "$conf" notifications notification_format both
    iniset "$conf" oslo_messaging_notifications driver messagingv2
}

# configure_bootdoctor_notifiers: the services whose notifications
# bootdoctor reads must publish them with the messagingv2 driver.
function configure_bootdoctor_notifiers {
    local i conf
    if is_service_enabled nova; then
        _bootdoctor_configure_nova "$NOVA_CONF"
        # Cell conductors read their own file and emit instance.update
        # and compute_task.build_instances.error; nova-compute copies
        # nova.conf when it starts.
        if is_service_enabled n-cond; then
            for i in $(seq 1 "${NOVA_NUM_CELLS:-1}"); do
                conf=$(conductor_conf "$i")
                if [[ -f $conf ]]; then
                    _bootdoctor_configure_nova "$conf"
                    iniset "$conf" oslo_messaging_notifications \
                        transport_url "$(get_notification_url)"
                fi
            done
        fi
    fi
    local group=oslo_messaging_notifications
    if is_service_enabled neutron; then
        iniset "$NEUTRON_CONF" $group driver messagingv2
    fi
    if is_service_enabled cinder; then
        iniset "$CINDER_CONF" $group driver messagingv2
    fi
    if is_service_enabled glance; then
        iniset "$GLANCE_API_CONF" $group driver messagingv2
    fi
}

# create_bootdoctor_accounts: the service user, the boot-diagnostics
# service and its endpoint.
function create_bootdoctor_accounts {
    create_service_user "$BOOTDOCTOR_SERVICE_USER" "admin"
    if is_service_enabled bootdoctor-api; then
        get_or_create_service "bootdoctor" "$BOOTDOCTOR_SERVICE_TYPE" \
            "OpenStack Boot Diagnostics Service"
        get_or_create_endpoint "$BOOTDOCTOR_SERVICE_TYPE" "$REGION_NAME" \
            "$(bootdoctor_service_url)"
    fi
}

# configure_bootdoctor: write bootdoctor.conf and the uwsgi ini, and make
# the other services publish what bootdoctor reads.
function configure_bootdoctor {
    sudo install -d -o "$STACK_USER" -m 755 "$BOOTDOCTOR_CONF_DIR" \
        "$BOOTDOCTOR_STATE_PATH"
    rm -f "$BOOTDOCTOR_CONF"

    iniset "$BOOTDOCTOR_CONF" DEFAULT debug "$ENABLE_DEBUG_LOG_LEVEL"
    iniset "$BOOTDOCTOR_CONF" DEFAULT state_path "$BOOTDOCTOR_STATE_PATH"
    iniset "$BOOTDOCTOR_CONF" DEFAULT use_syslog "$SYSLOG"
    setup_logging "$BOOTDOCTOR_CONF"

    # The collector listens, and publishes boot.stuck and boot.failed,
    # on the bus the other services notify on.
    iniset "$BOOTDOCTOR_CONF" oslo_messaging_notifications transport_url \
        "$(get_notification_url)"
    iniset "$BOOTDOCTOR_CONF" oslo_messaging_notifications driver messagingv2
    iniset "$BOOTDOCTOR_CONF" collector pool "$BOOTDOCTOR_LISTENER_POOL"

    iniset "$BOOTDOCTOR_CONF" database connection "$(bootdoctor_database_url)"

    iniset "$BOOTDOCTOR_CONF" api auth_strategy keystone
    configure_keystone_authtoken_middleware "$BOOTDOCTOR_CONF" \
        "$BOOTDOCTOR_SERVICE_USER"

    # Service credentials: the collector asks Nova about stuck boots.
    iniset "$BOOTDOCTOR_CONF" nova reconcile True
    iniset "$BOOTDOCTOR_CONF" nova auth_type password
    iniset "$BOOTDOCTOR_CONF" nova auth_url "$KEYSTONE_SERVICE_URI"
    iniset "$BOOTDOCTOR_CONF" nova username "$BOOTDOCTOR_SERVICE_USER"
    iniset "$BOOTDOCTOR_CONF" nova password "$SERVICE_PASSWORD"
    iniset "$BOOTDOCTOR_CONF" nova user_domain_name "$SERVICE_DOMAIN_NAME"
    iniset "$BOOTDOCTOR_CONF" nova project_name "$SERVICE_PROJECT_NAME"
    iniset "$BOOTDOCTOR_CONF" nova project_domain_name "$SERVICE_DOMAIN_NAME"
    iniset "$BOOTDOCTOR_CONF" nova region_name "$REGION_NAME"

    if is_service_enabled bootdoctor-api; then
        write_uwsgi_config "$BOOTDOCTOR_UWSGI_CONF" "$BOOTDOCTOR_UWSGI" \
            "$BOOTDOCTOR_SERVICE_PATH" "" "bootdoctor-api"
        # The application reads the same configuration file.
        iniset "$BOOTDOCTOR_UWSGI_CONF" uwsgi env \
            "BOOTDOCTOR_CONFIG_FILE=$BOOTDOCTOR_CONF"
    fi

    configure_bootdoctor_notifiers
    if is_service_enabled keystone; then
        create_bootdoctor_accounts
    fi
}

# init_bootdoctor: create the database and its schema.
function init_bootdoctor {
    if is_service_enabled mysql postgresql; then
        recreate_database "$BOOTDOCTOR_DB_NAME"
    fi
    "$BOOTDOCTOR_BIN_DIR/bootdoctor-manage" --config-file "$BOOTDOCTOR_CONF" \
        db sync
}

# start_bootdoctor: both services, then wait until the API answers.
function start_bootdoctor {
    local bin=$BOOTDOCTOR_BIN_DIR ini=$BOOTDOCTOR_UWSGI_CONF
    run_process bootdoctor-api \
        "$bin/uwsgi --procname-prefix bootdoctor-api --ini $ini"
    run_process bootdoctor-collector \
        "$bin/bootdoctor-collector --config-file $BOOTDOCTOR_CONF"

    if is_service_enabled bootdoctor-api; then
        echo "Waiting for bootdoctor-api to start..."
        local url
        url=$(bootdoctor_service_url)
        if ! wait_for_service "$SERVICE_TIMEOUT" "$url"; then
            die $LINENO "bootdoctor-api did not start"
        fi
    fi
}

# stop_bootdoctor: stop both services.
function stop_bootdoctor {
    local service
    for service in bootdoctor-api bootdoctor-collector; do
        stop_process "$service"
    done
}

# cleanup_bootdoctor: remove what a fresh stack would need gone.
function cleanup_bootdoctor {
    remove_uwsgi_config "$BOOTDOCTOR_UWSGI_CONF" "bootdoctor-api"
    sudo rm -rf "$BOOTDOCTOR_STATE_PATH"
}

# Dispatch
# --------

if is_service_enabled bootdoctor; then
    if [[ "$1" == "stack" && "$2" == "install" ]]; then
        echo_summary "Installing bootdoctor"
        install_bootdoctor
    elif [[ "$1" == "stack" && "$2" == "post-config" ]]; then
        echo_summary "Configuring bootdoctor"
        configure_bootdoctor
    elif [[ "$1" == "stack" && "$2" == "extra" ]]; then
        echo_summary "Initializing and starting bootdoctor"
        init_bootdoctor
        start_bootdoctor
    fi

    if [[ "$1" == "unstack" ]]; then
        echo_summary "Stopping bootdoctor"
        stop_bootdoctor
    fi

    if [[ "$1" == "clean" ]]; then
        echo_summary "Cleaning bootdoctor"
        cleanup_bootdoctor
    fi
fi

# Restore xtrace
$_XTRACE_BOOTDOCTOR
