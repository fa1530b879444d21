#!/usr/bin/env bash
# Make a synchronous streaming standby of a local PostgreSQL cluster (Debian's
# postgresql-common tools). See deploy/README.md, "Standby and point-in-time recovery".
set -euo pipefail

usage() {
    cat <<USAGE
Usage: $(basename "$0") PRIMARY_PORT STANDBY_NAME STANDBY_PORT

Makes the cluster STANDBY_NAME on STANDBY_PORT, on this host and of the primary's major
version, into a synchronous streaming standby of the cluster on PRIMARY_PORT:
  - allows replication from 127.0.0.1 in the primary's pg_hba.conf if no line does (reload);
  - creates the physical replication slot STANDBY_NAME on the primary if missing;
  - pg_basebackup -R -X stream -S STANDBY_NAME into the new cluster's data directory,
    with primary_conninfo carrying application_name=STANDBY_NAME;
  - clears synchronous_standby_names on the standby (once promoted, it must not wait for
    a standby it does not have), starts it;
  - on the primary: synchronous_standby_names = 'STANDBY_NAME', synchronous_commit = on,
    reload; waits until pg_stat_replication shows the standby as 'sync'.
Rerunning after a failed attempt drops the half-made standby cluster first; a running
cluster of that name that is not in recovery is never dropped.

Run as root. Environment: REPLICATION_USER (postgres), WAIT_SECONDS (60), and for the
primary's TCP authentication the postgres user's ~/.pgpass when it asks for a password.
USAGE
}

if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
    usage
    exit 0
fi
[ $# -eq 3 ] || { usage >&2; exit 2; }

# shellcheck source=common.sh
. "$(dirname "$(readlink -f "$0")")/common.sh"

primary_port=$1 name=$2 standby_port=$3
user=${REPLICATION_USER:-postgres}
wait_seconds=${WAIT_SECONDS:-60}

[[ $name =~ ^[a-z0-9_]{1,63}$ ]] || die "STANDBY_NAME must be lower-case letters, digits, _ (it names a replication slot)"
[ "$(id -u)" -eq 0 ] || die "run as root"
read -r version primary < <(cluster_at_port "$primary_port") || die "no cluster on port $primary_port"
[ "$primary" != "$name" ] || die "the standby cannot be the primary"

# 1. Replication from 127.0.0.1 allowed on the primary.
hba=$(sql_at "$primary_port" "SHOW hba_file")
if ! grep -Eq '^[[:space:]]*host(ssl)?[[:space:]]+replication[[:space:]]+[^[:space:]]+[[:space:]]+127\.0\.0\.1/32' "$hba"; then
    # The method the primary already asks of local TCP clients, so no trust is added.
    method=$(awk '$1 ~ /^host/ && $2 == "all" && $4 == "127.0.0.1/32" { print $5; exit }' "$hba")
    echo "host    replication     $user     127.0.0.1/32    ${method:-scram-sha-256}" >>"$hba"
    sql_at "$primary_port" "SELECT pg_reload_conf()" >/dev/null
fi

# 2. A slot, so the primary keeps the WAL the standby has not received yet.
sql_at "$primary_port" "SELECT pg_create_physical_replication_slot('$name')
    WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = '$name')" >/dev/null

# 3. A fresh standby cluster (a leftover of a failed attempt is dropped, a live primary never).
if [ -n "$(cluster_version "$name")" ]; then
    old_port=$(pg_lsclusters -h | awk -v name="$name" -v v="$version" '$1 == v && $2 == name { print $3 }')
    if [ -n "$old_port" ] && [ "$(sql_at "$old_port" "SELECT pg_is_in_recovery()" 2>/dev/null || true)" = "f" ]; then
        die "cluster $version/$name is running and not a standby: refusing to drop it"
    fi
    pg_dropcluster --stop "$version" "$name"
fi
# Its initdb files are replaced by the base backup at once: no need to sync them.
pg_createcluster "$version" "$name" -p "$standby_port" -- --no-sync >/dev/null
data=$(pg_lsclusters -h | awk -v name="$name" -v v="$version" '$1 == v && $2 == name { print $6 }')
find "$data" -mindepth 1 -delete

conninfo="host=127.0.0.1 port=$primary_port user=$user application_name=$name"
runuser -u postgres -- pg_basebackup -D "$data" -d "$conninfo" -R -X stream -S "$name" --checkpoint=fast

# 4. The standby's own settings. postgresql.auto.conf came from the primary: it may carry
# the primary's synchronous_standby_names, which would then outlive a promotion.
auto="$data/postgresql.auto.conf"
sed -i -E '/^[[:space:]]*(synchronous_standby_names|primary_conninfo|primary_slot_name|hot_standby_feedback)[[:space:]]*=/d' "$auto"
# hot_standby_feedback: a long export read here (MLC_DATABASE_READ_URL) is not cancelled
# when the primary cleans up rows it still sees; the primary keeps them a little longer.
cat >>"$auto" <<CONF
synchronous_standby_names = ''
hot_standby_feedback = on
primary_conninfo = '$conninfo'
primary_slot_name = '$name'
CONF
chown postgres:postgres "$auto"
# Who may connect is the primary's rule too: after a promotion the same clients come here.
standby_hba=$(pg_conftool -s "$version" "$name" show hba_file 2>/dev/null || echo "/etc/postgresql/$version/$name/pg_hba.conf")
install -o postgres -g postgres -m 0640 "$hba" "$standby_hba"
standby_ident=$(pg_conftool -s "$version" "$name" show ident_file 2>/dev/null || echo "/etc/postgresql/$version/$name/pg_ident.conf")
install -o postgres -g postgres -m 0640 "$(sql_at "$primary_port" "SHOW ident_file")" "$standby_ident"
pg_ctlcluster "$version" "$name" start

# 5. The primary waits for this standby at each commit from now on.
sql_at "$primary_port" "ALTER SYSTEM SET synchronous_standby_names = '$name'" >/dev/null
sql_at "$primary_port" "ALTER SYSTEM SET synchronous_commit = on" >/dev/null
sql_at "$primary_port" "SELECT pg_reload_conf()" >/dev/null
wait_until "$primary_port" "$wait_seconds" \
    "SELECT EXISTS (SELECT 1 FROM pg_stat_replication WHERE application_name = '$name' AND sync_state = 'sync')" \
    "standby $name to be in sync with the primary on port $primary_port"
echo "$version/$name on port $standby_port is a synchronous standby of port $primary_port"
