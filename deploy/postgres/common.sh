# Shared by the scripts of this folder (sourced, not run): finding a cluster by port or
# name, and running SQL on it as the postgres system user through the local socket, which
# works whatever the TCP authentication asks for.

die() {
    echo "$(basename "$0"): $*" >&2
    exit 1
}

# "VERSION NAME" of the cluster listening on port $1, empty if none.
cluster_at_port() {
    pg_lsclusters -h | awk -v port="$1" '$3 == port { print $1, $2; exit }'
}

# VERSION of the cluster named $1 (the newest one if several versions have it), empty if none.
cluster_version() {
    pg_lsclusters -h | awk -v name="$1" '$2 == name { v = $1 } END { if (v) print v }'
}

# Run SQL $2 on the cluster at port $1; prints rows unaligned, fails on error.
sql_at() {
    runuser -u postgres -- psql -X -q -A -t -v ON_ERROR_STOP=1 -p "$1" -d postgres -c "$2"
}

# Wait up to $2 seconds until SQL $3 on port $1 prints "t"; fails with message $4.
wait_until() {
    local port=$1 seconds=$2 query=$3 what=$4 i
    for ((i = 0; i < seconds * 5; i++)); do
        if [ "$(sql_at "$port" "$query" 2>/dev/null || true)" = "t" ]; then
            return 0
        fi
        sleep 0.2
    done
    die "gave up after ${seconds}s waiting for: $what"
}
