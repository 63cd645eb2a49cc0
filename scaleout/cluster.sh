#!/usr/bin/env bash
# A local Citus cluster for Relay: a coordinator and two workers (PostgreSQL 15 + Citus 12.1),
# each its own data directory under .citus/ and its own port.
#
#   scaleout/cluster.sh start   # install Citus if missing, initdb, start, register, migrate,
#                               # distribute; idempotent; prints DATABASE_URL=... last
#   scaleout/cluster.sh stop    # stops the three nodes (data kept; `rm -rf .citus` resets)
#   scaleout/cluster.sh status
#   scaleout/cluster.sh add-worker   # a third worker (port +3), started and registered in
#                                    # CITUS_DB, holding no shards until a rebalance
#
# Environment: CITUS_PORT (coordinator port, workers the next ones; default 9700),
# CITUS_DIR (data folder, default .citus/ in the project), CITUS_DB (default relay),
# CITUS_SHARD_COUNT (shards per distributed table, default 4: a laptop-sized cluster).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

PGBIN=${PGBIN:-$( (pg_config --bindir 2>/dev/null) || echo /usr/lib/postgresql/15/bin)}
[ -x "$PGBIN/initdb" ] || PGBIN=/usr/lib/postgresql/15/bin
PORT=${CITUS_PORT:-9700}
DB=${CITUS_DB:-relay}
SHARDS=${CITUS_SHARD_COUNT:-4}
DIR=${CITUS_DIR:-$ROOT/.citus}
# The first three make the cluster; worker3 joins only when asked (add-worker).
NODES=(coordinator worker1 worker2 worker3)
HOST=127.0.0.1

# initdb refuses to run as root: as root, the nodes run as the `postgres` system user.
if [ "$(id -u)" = 0 ]; then
    RUN_AS=(runuser -u postgres --)
    # The postgres user must reach the data folder; a clone under /root cannot be reached.
    if ! "${RUN_AS[@]}" test -x "$(dirname "$DIR")"; then
        DIR=/var/tmp/relay-citus-$(printf %s "$ROOT" | md5sum | cut -c1-8)
    fi
else
    RUN_AS=()
fi

port_of() { echo $((PORT + $1)); }
as_pg() { "${RUN_AS[@]}" "$@"; }
psql_node() { # psql_node PORT DB SQL...
    local port=$1 db=$2
    shift 2
    PGOPTIONS="-c client_min_messages=warning" "$PGBIN/psql" -h "$HOST" -p "$port" -U postgres \
        -d "$db" --no-psqlrc -qAt -v ON_ERROR_STOP=1 "$@"
}

install_citus() {
    local lib
    lib=$("$PGBIN/pg_config" --pkglibdir 2>/dev/null || echo /usr/lib/postgresql/15/lib)
    [ -f "$lib/citus.so" ] && return 0
    # The workplace's installer sits beside the checkout (../shared); a clone made
    # elsewhere (CI's fresh clone) finds it at its fixed place.
    local script=${CITUS_INSTALL:-}
    if [ -z "$script" ]; then
        for script in "$ROOT/../shared/citus/install.sh" /work/shared/citus/install.sh; do
            [ -f "$script" ] && break
        done
    fi
    if [ -f "$script" ]; then
        bash "$script"
    else
        echo "citus: not installed and $script not found; install postgresql-15-citus-12.1" \
            "(https://docs.citusdata.com/en/stable/installation/) and retry" >&2
        exit 1
    fi
}

init_node() { # init_node INDEX
    local name=${NODES[$1]} port
    port=$(port_of "$1")
    local data=$DIR/$name
    [ -f "$data/PG_VERSION" ] && return 0
    mkdir -p "$DIR"
    [ ${#RUN_AS[@]} -gt 0 ] && chown postgres: "$DIR"
    as_pg "$PGBIN/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    # Small on purpose: a development and CI cluster on a shared machine. fsync is off
    # because the cluster is disposable (never point production data at it).
    cat >>"$data/postgresql.conf" <<CONF
port = $port
listen_addresses = '$HOST'
unix_socket_directories = ''
shared_preload_libraries = 'citus'
shared_buffers = 32MB
max_connections = 80
max_worker_processes = 16
fsync = off
synchronous_commit = off
full_page_writes = off
jit = off
max_prepared_transactions = 100
# Online shard moves and tenant isolation copy by logical replication.
wal_level = logical
citus.shard_count = $SHARDS
citus.max_adaptive_executor_pool_size = 4
citus.enable_unsafe_triggers = on
logging_collector = off
CONF
}

start_node() {
    local name=${NODES[$1]}
    local data=$DIR/$name
    # A node made before shard moves were supported gets the setting at its next start.
    grep -q '^wal_level' "$data/postgresql.conf" || echo "wal_level = logical" >>"$data/postgresql.conf"
    # Some PostgreSQL builds (this machine's) accept only listed logical decoding
    # plugins, and Citus's shard split (tenant isolation) decodes with its own. Stock
    # PostgreSQL has no such setting and would refuse to start on it: only where the
    # sample configuration names it.
    if grep -q '^#output_plugin_libraries' "$data/postgresql.conf" \
        && ! grep -q '^output_plugin_libraries' "$data/postgresql.conf"; then
        echo "output_plugin_libraries = 'pgoutput, test_decoding, citus'" >>"$data/postgresql.conf"
    fi
    if as_pg "$PGBIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then return 0; fi
    as_pg "$PGBIN/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start >/dev/null
}

# Citus 12.1 does not propagate CREATE DATABASE: each node gets the database and the
# extension, then the coordinator registers the nodes (node metadata lives per database).
create_database() { # create_database NAME
    local db=$1 i
    for i in 0 1 2; do
        local port
        port=$(port_of "$i")
        if [ -z "$(psql_node "$port" postgres -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
            psql_node "$port" postgres -c "CREATE DATABASE \"$db\""
        fi
        psql_node "$port" "$db" -c "CREATE EXTENSION IF NOT EXISTS citus"
    done
    psql_node "$PORT" "$db" -c "SELECT citus_set_coordinator_host('$HOST', $PORT)" >/dev/null
    for i in 1 2; do
        psql_node "$PORT" "$db" -c "SELECT citus_add_node('$HOST', $(port_of "$i"))" >/dev/null
    done
}

# worker3: initdb and start on the next port, the database with the extension, and
# registration in the coordinator's metadata of CITUS_DB (idempotent). Shards move onto
# it only when a rebalance runs (citus_rebalance_start).
add_worker() {
    local port
    port=$(port_of 3)
    init_node 3
    start_node 3
    if [ -n "$(psql_node "$PORT" "$DB" -c "SELECT 1 FROM pg_dist_node WHERE nodeport = $port")" ]; then
        return 0
    fi
    # A database left by an earlier run of a database of this name holds stale shards.
    psql_node "$port" postgres -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)"
    psql_node "$port" postgres -c "CREATE DATABASE \"$DB\""
    psql_node "$port" "$DB" -c "CREATE EXTENSION IF NOT EXISTS citus"
    psql_node "$PORT" "$DB" -c "SELECT citus_add_node('$HOST', $port)" >/dev/null
    echo "worker3 $HOST:$port added to $DB"
}

url() { echo "postgres://postgres@$HOST:$PORT/$DB"; }

start() {
    install_citus >&2
    local i
    for i in 0 1 2; do init_node "$i"; start_node "$i"; done
    create_database "$DB"
    local python=$ROOT/.venv/bin/python
    DATABASE_URL=$(url) DJANGO_DEBUG=1 "$python" manage.py migrate --noinput -v0
    DATABASE_URL=$(url) DJANGO_DEBUG=1 "$python" manage.py distribute_schema
    echo "Citus cluster up: coordinator $HOST:$PORT, workers $(port_of 1) and $(port_of 2)" \
        "(data in $DIR; make citus-stop stops it)"
    echo "DATABASE_URL=$(url)"
}

stop() {
    local i
    for i in 3 2 1 0; do
        local data=$DIR/${NODES[$i]}
        [ -f "$data/PG_VERSION" ] || continue
        if as_pg "$PGBIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
            as_pg "$PGBIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null
        fi
    done
    echo "Citus cluster stopped (data kept in $DIR)"
}

status() {
    local i
    for i in 0 1 2 3; do
        local data=$DIR/${NODES[$i]} state=stopped
        [ "$i" = 3 ] && [ ! -f "$data/PG_VERSION" ] && continue
        as_pg "$PGBIN/pg_ctl" -D "$data" status >/dev/null 2>&1 && state=running
        echo "${NODES[$i]} $HOST:$(port_of "$i") $state"
    done
}

case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    create-database) create_database "${2:?database name}" ;;
    add-worker) add_worker ;;
    *) echo "usage: $0 start|stop|status|add-worker" >&2; exit 2 ;;
esac
