#!/usr/bin/env bash
# Runs a command against a fresh `frosty serve`.
#
# Usage: scripts/with_server.sh FROSTY_BIN COMMAND [ARG...]
#
# Starts FROSTY_BIN serve on a free 127.0.0.1 port, in the manual lifecycle
# unless SERVE_FLAGS says otherwise (e.g. "--lifecycle timed --time-scale 1e6"),
# with a new temporary --data directory; waits (at most ~20 s) until
# GET /_frosty/health answers; then runs COMMAND with
#
#   FROSTY_ENDPOINT  the server's URL, e.g. http://127.0.0.1:41234
#   FROSTY_DATA      its data directory (credentials.json, secrets.json)
#   FROSTY_BIN       the absolute path of FROSTY_BIN
#
# in the environment. The server is always stopped afterwards and the data
# directory removed. When the server fails to start or COMMAND fails, the
# server's output and log are printed to stderr. The exit status is
# COMMAND's (or 1 when the server did not come up).
set -euo pipefail

if [[ $# -lt 2 ]]; then
	echo "usage: $0 FROSTY_BIN COMMAND [ARG...]" >&2
	exit 2
fi
bin=$1
shift
if [[ ! -x $bin ]]; then
	echo "with_server.sh: $bin is not an executable file" >&2
	exit 2
fi
case $bin in
/*) ;;
*) bin=$PWD/$bin ;;
esac

workdir=$(mktemp -d "${TMPDIR:-/tmp}/frosty-server.XXXXXX")
data=$workdir/data
server_out=$workdir/serve.stdout
server_err=$workdir/serve.stderr
server_pid=
command_pid=

print_server_log() {
	echo "---- frosty serve stdout ----" >&2
	cat "$server_out" >&2 2>/dev/null || true
	echo "---- frosty serve stderr (log) ----" >&2
	cat "$server_err" >&2 2>/dev/null || true
	echo "---- end of frosty serve output ----" >&2
}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [[ -n $command_pid ]] && kill -0 "$command_pid" 2>/dev/null; then
		kill -TERM "$command_pid" 2>/dev/null || true
		wait "$command_pid" 2>/dev/null || true
	fi
	if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
		kill -TERM "$server_pid" 2>/dev/null || true
		# Give the graceful shutdown up to 5 s, then insist.
		for _ in $(seq 50); do
			kill -0 "$server_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$server_pid" 2>/dev/null || true
	fi
	if [[ -n $server_pid ]]; then
		wait "$server_pid" 2>/dev/null || true
	fi
	if [[ $rc -ne 0 ]]; then
		print_server_log
	fi
	rm -rf "$workdir"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The server's configuration comes from the flags below only: FROSTY_*
# variables of the caller (FROSTY_AUTH, FROSTY_ADMIN_TOKEN, ...) would
# otherwise set the flags not given.
unset_frosty=()
while IFS= read -r name; do
	unset_frosty+=(-u "$name")
done < <(compgen -e | grep '^FROSTY_' || true)

# Port 0: the kernel picks a free port, and the banner's first line tells it.
read -r -a serve_flags <<<"${SERVE_FLAGS:---lifecycle manual}"
env "${unset_frosty[@]}" "$bin" serve --listen 127.0.0.1:0 --data "$data" "${serve_flags[@]}" \
	>"$server_out" 2>"$server_err" &
server_pid=$!

health() { # health URL: succeeds when URL answers 200 with status ok
	local body
	if command -v curl >/dev/null 2>&1; then
		body=$(curl -fsS --max-time 2 "$1" 2>/dev/null) || return 1
	else
		body=$("${PYTHON:-python3}" -c 'import sys, urllib.request
print(urllib.request.urlopen(sys.argv[1], timeout=2).read().decode())' "$1" 2>/dev/null) || return 1
	fi
	[[ $body == *'"status"'*'"ok"'* ]]
}

endpoint=
ready=
for _ in $(seq 200); do # 200 × 0.1 s: about 20 s
	if ! kill -0 "$server_pid" 2>/dev/null; then
		wait "$server_pid" && status=0 || status=$?
		server_pid=
		echo "with_server.sh: frosty serve exited (status $status) before it was ready" >&2
		exit 1
	fi
	if [[ -z $endpoint ]]; then
		endpoint=$(sed -n 's/^Frosty is serving the Snowball API at \(http[^ ]*\).*$/\1/p' "$server_out" | head -n 1)
	fi
	if [[ -n $endpoint ]] && health "$endpoint/_frosty/health"; then
		ready=1
		break
	fi
	sleep 0.1
done
if [[ -z $ready ]]; then
	echo "with_server.sh: frosty serve not healthy after ~20 s (endpoint: ${endpoint:-none printed})" >&2
	exit 1
fi

echo "with_server.sh: frosty serve (pid $server_pid) ready at $endpoint, data $data" >&2
export FROSTY_ENDPOINT=$endpoint FROSTY_DATA=$data FROSTY_BIN=$bin
# In the background, so that a TERM or INT is handled at once (bash runs
# traps only between foreground commands); stdin is passed on explicitly.
"$@" <&0 &
command_pid=$!
wait "$command_pid"
