#!/usr/bin/env bash
# Usage: scripts/with-postgres.sh CMD [ARG...]
# Runs CMD against a throwaway PostgreSQL server: a new cluster in a new temporary directory, listening on
# 127.0.0.1 only, on a free port, with a role `gridwork` (password, CREATEDB, so that pytest-django can
# create its test database) and a database `gridwork`. CMD gets the GRIDWORK_DB/GRIDWORK_PG_* variables
# that config/settings/base.py reads. The server is stopped and its directory removed when this script
# exits, however it exits (CMD failing, Ctrl-C, a kill); the exit code is CMD's.
# It installs nothing: scripts/system-deps.sh does. GRIDWORK_PG_BINDIR may name the server binaries' directory.
set -euo pipefail

say() { printf 'with-postgres: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

(($# > 0)) || die "usage: $0 CMD [ARG...]"

find_bindir() {
    if [[ -n "${GRIDWORK_PG_BINDIR:-}" ]]; then
        printf '%s\n' "$GRIDWORK_PG_BINDIR"
        return
    fi
    # pg_config (from libpq-dev) names the server's directory, when that server is installed...
    local dir
    if command -v pg_config >/dev/null 2>&1; then
        dir=$(pg_config --bindir 2>/dev/null || true)
        if [[ -n "$dir" && -x "$dir/initdb" ]]; then
            printf '%s\n' "$dir"
            return
        fi
    fi
    # ...but it may come from another version than the server: then take Debian's newest server.
    dir=$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/initdb' -printf '%h\n' 2>/dev/null |
        sort -V | tail -n 1)
    printf '%s\n' "$dir"
}

BINDIR=$(find_bindir)
for tool in initdb pg_ctl psql; do
    [[ -n "$BINDIR" && -x "$BINDIR/$tool" ]] ||
        die "no PostgreSQL server binaries (looked for $tool in ${BINDIR:-pg_config --bindir and /usr/lib/postgresql/*/bin}); run scripts/system-deps.sh as root, or install Debian's postgresql package."
done

# initdb and postgres refuse to run as root: as root, run the server as the postgres user.
as_server_user=()
if [[ $EUID -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || die "running as root, but there is no 'postgres' user to run the server as."
    as_server_user=(runuser -u postgres --)
fi
pg() { "${as_server_user[@]}" "$@"; }

# A directory of our own under /tmp (or TMPDIR), which the postgres user can reach when we are root.
WORKDIR=$(mktemp -d "${TMPDIR:-/tmp}/gridwork-pg.XXXXXX")
DATADIR="$WORKDIR/data"
LOGFILE="$WORKDIR/server.log"
started=false

cleanup() {
    local rc=$?
    # Nothing here may stop the rest of the clean-up: errors are reported and ignored.
    set +e
    if $started; then
        # "immediate" skips the shutdown checkpoint: nothing in this cluster is worth keeping.
        (cd / && pg "$BINDIR/pg_ctl" -D "$DATADIR" -m immediate -w -t 30 stop >/dev/null) ||
            say "could not stop the server in $DATADIR"
    fi
    rm -rf -- "$WORKDIR"
    exit "$rc"
}
trap cleanup EXIT
# A signal ends the script through exit, and so through cleanup, with the shell's usual 128+N code.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ ${#as_server_user[@]} -gt 0 ]]; then
    chown postgres: "$WORKDIR"
    pg test -w "$WORKDIR" || die "the postgres user cannot write to $WORKDIR; set TMPDIR to a directory it can reach."
fi
chmod 700 "$WORKDIR"

# The superuser connects only through the Unix socket in WORKDIR (trust, the directory is private);
# the application connects over TCP with its password, as it would in production.
PASSWORD=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
# Run the server tools from WORKDIR: the caller's directory may be one the postgres user cannot enter.
(cd "$WORKDIR" && pg "$BINDIR/initdb" -D "$DATADIR" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --no-locale --no-sync >"$WORKDIR/initdb.log" 2>&1) ||
    { cat "$WORKDIR/initdb.log" >&2; die "initdb failed"; }

# Settings for a disposable server: durability off (fsync, full pages, synchronous commit) for speed.
cat >>"$DATADIR/postgresql.conf" <<EOF

# Added by scripts/with-postgres.sh: a throwaway server for tests.
listen_addresses = '127.0.0.1'
unix_socket_directories = '$WORKDIR'
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = minimal
max_wal_senders = 0
autovacuum = off
max_connections = 100
logging_collector = off
log_min_messages = warning
EOF

port_is_taken() { (: <"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A free port: a random one in a range no OS hands out as ephemeral by default (Linux: 32768-60999),
# checked before starting; if another process takes it in between, the start fails and we try another.
for _ in 1 2 3 4 5 6 7 8 9 10; do
    port=$((20000 + RANDOM % 12000))
    port_is_taken "$port" && continue
    if (cd "$WORKDIR" && pg "$BINDIR/pg_ctl" -D "$DATADIR" -l "$LOGFILE" -w -t 60 -o "-p $port" start >/dev/null); then
        started=true
        break
    fi
    # Still running if it stopped waiting but not starting: stop it before we try again.
    (cd "$WORKDIR" && pg "$BINDIR/pg_ctl" -D "$DATADIR" -m immediate stop >/dev/null 2>&1) || true
    grep -q 'could not bind\|Address already in use' "$LOGFILE" 2>/dev/null || {
        cat "$LOGFILE" >&2 || true
        die "the server did not start"
    }
done
$started || die "found no free port for the server"

(cd "$WORKDIR" && pg "$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$WORKDIR" -p "$port" -U postgres -d postgres \
    -v password="$PASSWORD" >/dev/null) <<'SQL'
CREATE ROLE gridwork LOGIN CREATEDB PASSWORD :'password';
CREATE DATABASE gridwork OWNER gridwork;
SQL

export GRIDWORK_DB=postgresql
export GRIDWORK_PG_HOST=127.0.0.1
export GRIDWORK_PG_PORT="$port"
export GRIDWORK_PG_USER=gridwork
export GRIDWORK_PG_PASSWORD="$PASSWORD"
export GRIDWORK_PG_NAME=gridwork
say "PostgreSQL $("$BINDIR/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, in $WORKDIR"

# Not exec: this shell must outlive CMD to clean up. CMD runs in the foreground, so Ctrl-C reaches it.
set +e
"$@"
rc=$?
set -e
exit "$rc"
