#!/usr/bin/env bash
# PostgreSQL's archive_command: copy one finished WAL segment into the archive, safely.
set -euo pipefail

usage() {
    cat <<USAGE
Usage: $(basename "$0") ARCHIVE_DIR WAL_PATH WAL_NAME

For postgresql.conf (run by the server as the postgres user):
  archive_mode = on
  archive_command = '$(readlink -f "$0") /var/lib/postgresql/wal-archive %p %f'
Copies WAL_PATH to ARCHIVE_DIR/WAL_NAME through a temporary name and fsync, so a crash
never leaves a half-copied segment under the real name. A segment already archived with
the same content succeeds (the server may retry after a crash); with other content it
fails, and the server keeps the segment and retries: an archive is never overwritten.
USAGE
}

if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
    usage
    exit 0
fi
[ $# -eq 3 ] || { usage >&2; exit 2; }

archive=$1 source=$2 name=$3
target="$archive/$name"
if [ -e "$target" ]; then
    cmp -s "$source" "$target" && exit 0
    echo "$(basename "$0"): $target exists with other content: not overwritten" >&2
    exit 1
fi
cp "$source" "$target.partial"
sync "$target.partial"
mv "$target.partial" "$target"
sync "$archive"
