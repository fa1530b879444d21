#!/usr/bin/env bash
# Take a base backup of a local cluster, the starting point of a point-in-time recovery.
set -euo pipefail

usage() {
    cat <<USAGE
Usage: $(basename "$0") PORT DIR

Backs the cluster on PORT up into DIR (made, owned by postgres; it must not exist yet):
  DIR/data    pg_basebackup, plain format, with the WAL it needs to be consistent;
  DIR/config  the cluster's pg_hba.conf and pg_ident.conf, which Debian keeps outside the
              data directory.
Refuses when the cluster does not archive its WAL (archive_mode): a base backup alone
restores to its own moment only; with the archive, restore-to.sh replays it to any later
time. Run as root.
USAGE
}

if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
    usage
    exit 0
fi
[ $# -eq 2 ] || { usage >&2; exit 2; }

# shellcheck source=common.sh
. "$(dirname "$(readlink -f "$0")")/common.sh"

port=$1 dir=$2
[ "$(id -u)" -eq 0 ] || die "run as root"
[ ! -e "$dir" ] || die "$dir exists already"
[ "$(sql_at "$port" "SHOW archive_mode")" != "off" ] || die "the cluster on port $port does not archive its WAL (archive_mode = off)"

install -d -o postgres -g postgres -m 0700 "$dir" "$dir/config"
runuser -u postgres -- pg_basebackup -p "$port" -D "$dir/data" -X stream --checkpoint=fast
for setting in hba_file ident_file; do
    install -o postgres -g postgres -m 0640 "$(sql_at "$port" "SHOW $setting")" "$dir/config/"
done
echo "base backup of port $port in $dir"
