#!/usr/bin/env bash
# Usage: bash scripts/postgres.sh COMMAND [ARG...]
#
# Starts a throwaway PostgreSQL server, runs COMMAND with FROSTY_TEST_POSTGRES
# set to a URL of an empty database on it, then stops the server and removes
# its files, whatever COMMAND did; the exit status is COMMAND's.
#
# It installs nothing: it needs Debian's postgresql package (initdb and
# pg_ctl under /usr/lib/postgresql/*/bin). The server runs as the user
# postgres when this script runs as root (PostgreSQL refuses to run as
# root), else as the current user; it listens on 127.0.0.1 on a free port
# and on a socket in a temporary directory, never on the system's cluster.
#
# Example: bash scripts/postgres.sh go test ./internal/postgres/ -v
set -euo pipefail

if [[ $# -eq 0 ]]; then
	echo "usage: bash scripts/postgres.sh COMMAND [ARG...]" >&2
	exit 2
fi

bindir=
for d in /usr/lib/postgresql/*/bin; do
	[[ -x $d/initdb && -x $d/pg_ctl ]] && bindir=$d # the last is the newest
done
if [[ -z $bindir ]]; then
	echo "postgres.sh: no initdb under /usr/lib/postgresql/*/bin: apt-get install postgresql" >&2
	exit 1
fi

# as runs a command as the server's owner.
if [[ $(id -u) -eq 0 ]]; then
	owner=postgres
	id postgres >/dev/null 2>&1 || { echo "postgres.sh: running as root but there is no user postgres" >&2; exit 1; }
	as() { runuser -u postgres -- "$@"; }
else
	owner=$(id -un)
	as() { "$@"; }
fi

# In /tmp itself, not $TMPDIR: the server runs as another user, who must
# be able to reach its directory, and a TMPDIR may be private (0700).
dir=$(mktemp -d /tmp/frosty-postgres.XXXXXX)
chmod 755 "$dir" # the server's owner must reach its data and socket
mkdir "$dir/data" "$dir/socket" "$dir/log"
chown "$owner" "$dir/data" "$dir/socket" "$dir/log"

started=
cleanup() {
	local rc=$?
	if [[ -n $started ]]; then
		as "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	rm -rf "$dir"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A free port: ask the kernel for one, then let it go for the server.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

as "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
	cat "$dir/initdb.log" >&2
	exit 1
}
# The conformance suite runs its subtests in parallel, each with a pool of
# its own: allow more connections than the default 100.
as "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log/server.log" -w -t 60 \
	-o "-k $dir/socket -c listen_addresses=127.0.0.1 -p $port -c fsync=on -c max_connections=400" start >/dev/null || {
	cat "$dir/log/server.log" >&2
	exit 1
}
started=1
for _ in $(seq 100); do
	"$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" && break
	sleep 0.1
done
"$bindir/pg_isready" -h 127.0.0.1 -p "$port" >/dev/null || { cat "$dir/log/server.log" >&2; exit 1; }

"$bindir/psql" -q -v ON_ERROR_STOP=1 -h "$dir/socket" -p "$port" -U postgres -d postgres \
	-c "CREATE ROLE frosty LOGIN PASSWORD 'frosty'" \
	-c "CREATE DATABASE frosty OWNER frosty"

export FROSTY_TEST_POSTGRES="postgres://frosty:frosty@127.0.0.1:$port/frosty?sslmode=disable"
echo "postgres.sh: PostgreSQL $("$bindir/postgres" -V | awk '{print $3}') on 127.0.0.1:$port (data in $dir)"
echo "postgres.sh: FROSTY_TEST_POSTGRES=$FROSTY_TEST_POSTGRES"
set +e
"$@"
rc=$?
set -e
exit "$rc"
