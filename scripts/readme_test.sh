#!/usr/bin/env bash
# Runs README.md's shell blocks, in order, as a reader pasting them on a
# fresh machine would, so that the README cannot rot.
#
# Usage: bash scripts/readme_test.sh [FILE]   (default: the repository's README.md)
#
# - Every ```sh block runs, except one whose line before is an HTML comment
#   `<!-- readme-test: skip (WHY) -->`; WHY is required. Another shell fence
#   (```bash, ```shell, ```zsh) or a fence with no language is an error:
#   write ```sh to have it run, or say what it is (```text, ```console,
#   ```json, ```go, ...).
# - The blocks run in a copy of the repository's files (tracked and
#   untracked, not ignored) in a temporary directory, so ./cmd/frosty is
#   there, ./frosty-data is new and nothing is left behind. HOME, GOPATH and
#   TMPDIR are temporary too (the Go build and module caches are shared), so
#   there is no ~/.aws and `go install` writes into the temporary GOPATH.
#   The caller's AWS_* and FROSTY_* variables are unset.
# - Debian's AWS CLI and boto3 come first in PATH: $AWS_CLI and $PYTHON,
#   /usr/bin/aws and /usr/bin/python3 by default (apt-get install awscli
#   python3-boto3). They are the oldest clients the README promises. No
#   other frosty is in PATH: the blocks must install their own.
# - The blocks are joined into one bash script under `set -euo pipefail`;
#   each is printed before it runs, so a failure names it. The README's own
#   `frosty serve &` servers are stopped at the end; one that exited before
#   then fails the run. The whole run is bounded by README_TIMEOUT (300s).
# - The README starts Frosty on its default port, 127.0.0.1:4590, and
#   profiles on 127.0.0.1:6060: both must be free.
#
# The binary under test is the one the README's Setup builds with
# `go install ./cmd/frosty`, so there is no FROSTY_BIN to pass.
#
# The last line is "readme: N blocks ran, M skipped"; the exit status is
# non-zero when a block fails.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readme=$(realpath "${1:-$repo/README.md}")
name=$(basename "$readme")
AWS_CLI=${AWS_CLI:-/usr/bin/aws}
PYTHON=${PYTHON:-/usr/bin/python3}
timeout=${README_TIMEOUT:-300s}

fail() {
	echo "readme_test.sh: $*" >&2
	exit 1
}

[[ -f $readme ]] || fail "$readme: no such file"
command -v go >/dev/null || fail "go is not installed"
"$AWS_CLI" --version >/dev/null 2>&1 ||
	fail "$AWS_CLI is missing or broken (apt-get install awscli)"
"$PYTHON" -c 'import boto3' >/dev/null 2>&1 ||
	fail "$PYTHON cannot import boto3 (apt-get install python3-boto3)"
for port in 4590 6060; do
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		fail "127.0.0.1:$port is in use; the README's commands need it free"
	fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/frosty-readme.XXXXXX")
run_pid=
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [[ -n $run_pid ]]; then
		# The run's process group (timeout made it one): anything a block
		# left running.
		kill -TERM -- "-$run_pid" 2>/dev/null || true
		wait "$run_pid" 2>/dev/null || true
	fi
	# `go run` does not pass SIGTERM on to the program it built, which is
	# left running on its own: stop, by PID, whatever still runs from the
	# temporary directory (go run's builds live under its TMPDIR).
	local pids
	pids=$(pgrep -f -- "$work/" || true)
	if [[ -n $pids ]]; then
		kill -TERM $pids 2>/dev/null || true
		sleep 0.5
	fi
	chmod -R u+w "$work" 2>/dev/null || true
	rm -rf "$work"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The repository as a reader's clone has it, without the developer's
# ./frosty-data or built binaries.
copy=$work/repo
mkdir -p "$copy" "$work/home" "$work/gopath" "$work/tmp" "$work/clients" "$work/blocks"
if git -C "$repo" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$repo" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do
			if [[ -e $f ]]; then printf '%s\0' "$f"; fi # not a file deleted but not yet committed
		done |
		tar --null -T - -cf -) | tar -xf - -C "$copy"
else
	(cd "$repo" && tar --exclude=./frosty-data --exclude=./.git -cf - .) | tar -xf - -C "$copy"
fi

# Debian's clients first in PATH, whatever a pyenv or virtualenv puts there;
# and no frosty but the one the README installs.
path=$work/clients
IFS=: read -r -a dirs <<<"$PATH"
for d in "${dirs[@]}"; do
	if [[ -n $d && ! -x $d/frosty ]]; then
		path+=:$d
	fi
done
printf '#!/bin/sh\nexec %q "$@"\n' "$AWS_CLI" >"$work/clients/aws"
printf '#!/bin/sh\nexec %q "$@"\n' "$PYTHON" >"$work/clients/python3"
chmod +x "$work/clients/aws" "$work/clients/python3"

# Extract the blocks: blocks/NNN.sh, and a list of "NNN LINE" (to run) or
# "skip LINE WHY".
awk -v dir="$work/blocks" -v file="$name" '
function die(msg) { printf "readme_test.sh: %s:%d: %s\n", file, NR, msg > "/dev/stderr"; bad = 1; exit 1 }
/^[[:space:]]*```/ {
	if (!infence) {
		lang = $0
		sub(/^[[:space:]]*```+[[:space:]]*/, "", lang)
		sub(/[[:space:]].*$/, "", lang)
		if (lang == "") die("a fence with no language: say what the block is (sh, text, console, json, go, ...)")
		if (lang == "bash" || lang == "shell" || lang == "zsh" || lang == "shell-session")
			die("```" lang ": write ```sh to have the README test run it, or ```console for a transcript")
		infence = 1; start = NR
		if (lang == "sh") {
			if (skipwhy != "") {
				printf "skip %d %s\n", NR, skipwhy
			} else {
				n++; out = sprintf("%s/%03d.sh", dir, n)
				printf "%03d %d\n", n, NR
				printf "" > out
			}
		} else if (skipwhy != "") {
			die("the skip marker of line " skipline " is not right before a ```sh block")
		}
		skipwhy = ""
		next
	}
	infence = 0; if (out != "") close(out); out = ""
	next
}
infence { if (out != "") print > out; next }
/^<!-- readme-test:/ {
	if (!match($0, /^<!-- readme-test: skip \(.+\) -->[[:space:]]*$/))
		die("a readme-test marker must read <!-- readme-test: skip (WHY) -->")
	skipwhy = $0
	sub(/^<!-- readme-test: skip \(/, "", skipwhy); sub(/\) -->[[:space:]]*$/, "", skipwhy)
	skipline = NR
	next
}
/^[[:space:]]*$/ { next }
{ if (skipwhy != "") die("the skip marker of line " skipline " is not right before a ```sh block") }
END {
	if (bad) exit 1
	if (infence) { printf "readme_test.sh: %s:%d: a block is not closed\n", file, start > "/dev/stderr"; exit 1 }
}
' "$readme" >"$work/blocks/list"

ran=0 skipped=0
script=$work/readme.sh
{
	cat <<'EOF'
set -euo pipefail
__readme_block=
__readme_started=
__readme_pids=()
__readme_now() { date +%s.%N; }
__readme_end_block() {
	[[ -n $__readme_block ]] || return 0
	# On a line of its own, even after output without a final newline.
	printf -- '\n---- %s: ok (%.1f s)\n' "$__readme_block" "$(echo "$(__readme_now) $__readme_started" | awk '{print $1 - $2}')"
	# Note what the block left running, to stop it at the end and to
	# notice one that dies early.
	local pid
	for pid in $(jobs -p); do
		[[ " ${__readme_pids[*]} " == *" $pid "* ]] || __readme_pids+=("$pid")
	done
	__readme_block=
}
__readme_skip() { # NAME WHY
	__readme_end_block
	echo
	echo "==== $1: skipped ($2) ===="
}
__readme_start_block() { # NAME FILE
	__readme_end_block
	__readme_block=$1
	echo
	echo "==== $1 ===="
	sed 's/^/  | /' "$2"
	echo "----"
	__readme_started=$(__readme_now)
}
__readme_exit() {
	local rc=$? pid
	trap - EXIT
	set +e
	if [[ $rc -ne 0 ]]; then
		echo
		echo "==== FAILED: ${__readme_block:-setup} (exit status $rc) ===="
	fi
	for pid in $(jobs -p); do
		kill -TERM "$pid" 2>/dev/null
	done
	wait 2>/dev/null
	exit "$rc"
}
trap __readme_exit EXIT
trap 'exit 143' TERM
EOF
	while read -r id line why; do
		if [[ $id == skip ]]; then
			printf '__readme_skip %q %q\n' "$name line $line" "$why"
			skipped=$((skipped + 1))
			continue
		fi
		printf '__readme_start_block %q %q\n' "block $((ran + 1)), $name line $line" "$work/blocks/$id.sh"
		cat "$work/blocks/$id.sh"
		echo
		ran=$((ran + 1))
	done <"$work/blocks/list"
	cat <<'EOF'
__readme_end_block
for __readme_pid in "${__readme_pids[@]}"; do
	if ! kill -0 "$__readme_pid" 2>/dev/null; then
		__readme_block="the end"
		echo "a command a block ran in the background (pid $__readme_pid) exited before the end" >&2
		exit 1
	fi
done
EOF
} >"$script"

[[ $ran -gt 0 ]] || fail "no \`\`\`sh block in $readme"

echo "readme_test.sh: $ran blocks to run, $skipped skipped, in $copy" >&2
start=$(date +%s.%N)
set +e
(
	cd "$copy"
	unset GOBIN
	for v in $(compgen -e | grep -E '^(AWS|FROSTY)_' || true); do unset "$v"; done
	# A reader's shell, not CI's: under CI=true the PostgreSQL tests that
	# the Setup's go test ./... runs would fail for want of a server,
	# where a reader's skip and say so.
	unset CI
	export GOENV GOCACHE GOMODCACHE
	GOENV=$(go env GOENV) GOCACHE=$(go env GOCACHE) GOMODCACHE=$(go env GOMODCACHE)
	export HOME=$work/home GOPATH=$work/gopath TMPDIR=$work/tmp
	export PATH=$path
	exec timeout "$timeout" bash "$script" </dev/null
) &
run_pid=$!
wait "$run_pid"
rc=$?
set -e
elapsed=$(echo "$(date +%s.%N) $start" | awk '{printf "%.0f", $1 - $2}')
if [[ $rc -eq 124 ]]; then
	echo "readme_test.sh: the blocks did not finish within $timeout" >&2
fi
if [[ $rc -ne 0 ]]; then
	echo "readme: FAILED after ${elapsed}s (exit status $rc); $ran blocks, $skipped skipped" >&2
	exit "$rc"
fi
run_pid=
echo
echo "readme: $ran blocks ran, $skipped skipped (${elapsed}s)"
