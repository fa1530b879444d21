#!/usr/bin/env bash
# Point-in-time recovery: a base backup replayed from the WAL archive up to a chosen time.
set -euo pipefail

usage() {
    cat <<USAGE
Usage: $(basename "$0") BACKUP ARCHIVE TARGET_CLUSTER PORT 'YYYY-MM-DD HH:MM:SS+00'

Makes the new cluster TARGET_CLUSTER on PORT from BACKUP (made by base-backup.sh) and
replays the WAL of ARCHIVE (filled by archive-wal.sh) up to the given time:
restore_command copies segments from ARCHIVE, recovery_target_time is the time,
recovery_target_action = promote, and recovery.signal starts the recovery. Waits until
the cluster is out of recovery, then it takes writes, on a timeline of its own.
Replay stops before the first commit after the time: the archive must hold one (see
pg_switch_wal() to push the current segment to it). Transactions committed in the same
second as the time count as before it when the time has no fraction; give one
('...12:00:00.5+00') to cut finer. A time the archive does not reach fails, with the log.
TARGET_CLUSTER must not exist. Run as root. Environment: WAIT_SECONDS (120).
USAGE
}

if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
    usage
    exit 0
fi
[ $# -eq 5 ] || { usage >&2; exit 2; }

# shellcheck source=common.sh
. "$(dirname "$(readlink -f "$0")")/common.sh"

backup=$1 archive=$2 name=$3 port=$4 target_time=$5
wait_seconds=${WAIT_SECONDS:-120}
[ "$(id -u)" -eq 0 ] || die "run as root"
[ -f "$backup/data/PG_VERSION" ] || die "$backup is not a backup made by base-backup.sh"
[ -d "$archive" ] || die "no archive at $archive"
[ -z "$(cluster_version "$name")" ] || die "cluster $name exists already"
[[ $target_time =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?[+-][0-9]{2}(:?[0-9]{2})?$ ]] ||
    die "time must read 'YYYY-MM-DD HH:MM:SS+00'"
version=$(cat "$backup/data/PG_VERSION")

# Its initdb files are replaced by the backup at once: no need to sync them.
pg_createcluster "$version" "$name" -p "$port" -- --no-sync >/dev/null
data=$(pg_lsclusters -h | awk -v name="$name" -v v="$version" '$1 == v && $2 == name { print $6 }')
confdir=/etc/postgresql/$version/$name
find "$data" -mindepth 1 -delete
cp -a "$backup/data/." "$data/"
for file in "$backup"/config/*; do
    install -o postgres -g postgres -m 0640 "$file" "$confdir/"
done
# A backup taken from a standby carries its replication settings: not wanted here.
rm -f "$data/standby.signal" "$data/postmaster.pid"
auto="$data/postgresql.auto.conf"
sed -i -E '/^[[:space:]]*(restore_command|recovery_target[a-z_]*|primary_conninfo|primary_slot_name|synchronous_standby_names)[[:space:]]*=/d' "$auto"
cat >>"$auto" <<CONF
restore_command = 'cp "$archive/%f" "%p"'
recovery_target_time = '$target_time'
recovery_target_action = 'promote'
synchronous_standby_names = ''
CONF
touch "$data/recovery.signal"
chown -R postgres:postgres "$data"

log=/var/log/postgresql/postgresql-$version-$name.log
fail() {
    echo "$(basename "$0"): $*; the end of $log:" >&2
    tail -n 20 "$log" >&2 || true
    exit 1
}
pg_ctlcluster "$version" "$name" start || fail "$name did not start"
for ((i = 0; ; i++)); do
    [ "$(sql_at "$port" "SELECT NOT pg_is_in_recovery()" 2>/dev/null || true)" != "t" ] || break
    # The server stops by itself when the archive ends before the time.
    [ -f "$data/postmaster.pid" ] || fail "$name stopped before reaching $target_time"
    ((i < wait_seconds * 5)) || fail "gave up after ${wait_seconds}s waiting for $name to reach $target_time"
    sleep 0.2
done
# Recovery is over: the settings that drove it would only confuse a later restart.
sed -i -E '/^[[:space:]]*(restore_command|recovery_target[a-z_]*)[[:space:]]*=/d' "$auto"
echo "$version/$name on port $port is restored to $target_time and takes writes"
