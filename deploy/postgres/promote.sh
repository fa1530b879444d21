#!/usr/bin/env bash
# Promote a standby made by make-standby.sh to a primary that takes writes.
set -euo pipefail

usage() {
    cat <<USAGE
Usage: $(basename "$0") STANDBY_NAME

Promotes the local standby cluster STANDBY_NAME (pg_ctlcluster VERSION NAME promote) and
waits until pg_is_in_recovery() is false. Stop the old primary first (or fence it off):
two primaries would each take payments. Environment: WAIT_SECONDS (60).
USAGE
}

if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
    usage
    exit 0
fi
[ $# -eq 1 ] || { usage >&2; exit 2; }

# shellcheck source=common.sh
. "$(dirname "$(readlink -f "$0")")/common.sh"

name=$1
wait_seconds=${WAIT_SECONDS:-60}
[ "$(id -u)" -eq 0 ] || die "run as root"
version=$(cluster_version "$name")
[ -n "$version" ] || die "no cluster named $name"
port=$(pg_lsclusters -h | awk -v name="$name" -v v="$version" '$1 == v && $2 == name { print $3 }')

if [ "$(sql_at "$port" "SELECT pg_is_in_recovery()")" = "t" ]; then
    pg_ctlcluster "$version" "$name" promote
fi
wait_until "$port" "$wait_seconds" "SELECT NOT pg_is_in_recovery()" "$name to leave recovery"
echo "$version/$name on port $port is a primary"
