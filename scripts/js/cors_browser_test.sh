#!/usr/bin/env bash
# A browser app calls Frosty across origins, in a real browser: headless
# Chromium loads portal.js, built on the AWS SDK for JavaScript v3
# (@aws-sdk/client-snowball), from one origin, and it calls
# `frosty serve --cors-origins ...` on another. The browser enforces CORS.
#
# Usage: bash scripts/js/cors_browser_test.sh
#
#  1. Allowed origin: CreateAddress and DescribeAddresses succeed, and a
#     DescribeJob of an unknown job reaches the app as
#     InvalidResourceException with its request ID (the exposed headers).
#  2. An origin not allowed: the browser blocks the very first call
#     ("Failed to fetch") although the server is up.
#
# The server is found through its --ready-file, as any fixture would.
# Needs go, python3, node and npm (npm ci installs the pinned SDK and
# esbuild into scripts/js/node_modules), and Chromium (Debian:
# apt-get install chromium; CHROMIUM names another binary). Not part of
# .ci/run: Chromium is a large install.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
chromium=${CHROMIUM:-chromium}
for tool in go python3 node npm "$chromium"; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "cors_browser_test.sh: $tool is not installed" >&2
		exit 1
	}
done

work=$(mktemp -d "${TMPDIR:-/tmp}/frosty-browser.XXXXXX")
pids=()
cleanup() {
	local rc=$?
	for pid in "${pids[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	if [[ $rc -ne 0 ]]; then
		for f in "$work"/*.log; do
			[[ -f $f ]] && { echo "---- $f ----" >&2; cat "$f" >&2; }
		done
	fi
	rm -rf "$work"
	exit "$rc"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# The app, bundled for the browser, and the page that loads it.
cd "$here"
[[ -d node_modules ]] || npm ci --no-audit --no-fund --loglevel=error
mkdir "$work/site"
./node_modules/.bin/esbuild portal.js --bundle --format=esm --platform=browser --log-level=warning \
	--outfile="$work/site/portal.bundle.js"
cp index.html "$work/site/"
(cd "$root" && go build -o "$work/frosty" ./cmd/frosty)

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
site_port=$(free_port)
site=http://127.0.0.1:$site_port
python3 -m http.server --bind 127.0.0.1 --directory "$work/site" "$site_port" >"$work/site.log" 2>&1 &
pids+=($!)

# open_portal N ALLOWED_ORIGINS: runs a server that allows them, opens the
# page in the browser and sets result to what the page reports.
open_portal() {
	local n=$1 ready=$work/ready-$1.json pid url
	"$work/frosty" serve --listen 127.0.0.1:0 --data "$work/data-$n" --lifecycle manual \
		--ready-file "$ready" --cors-origins "$2" >/dev/null 2>"$work/frosty-$n.log" &
	pid=$!
	pids+=("$pid")
	for _ in $(seq 200); do
		[[ -f $ready ]] && break
		kill -0 "$pid" 2>/dev/null || fail "frosty serve exited before it was ready"
		sleep 0.1
	done
	[[ -f $ready ]] || fail "no ready file after ~20 s"
	url=$(python3 - "$ready" "$site" <<'EOF'
import json, sys, urllib.parse
r = json.load(open(sys.argv[1]))
print(sys.argv[2] + "/index.html#" + urllib.parse.urlencode(
    {"endpoint": r["url"], "accessKeyId": r["accessKeyId"], "secretAccessKey": r["secretAccessKey"]}))
EOF
	)
	"$chromium" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
		--virtual-time-budget=20000 --dump-dom "$url" >"$work/page-$n.html" 2>"$work/chromium-$n.log"
	result=$(python3 -c 'import html, re, sys
m = re.search(r"<pre id=\"result\">(.*?)</pre>", open(sys.argv[1]).read(), re.S)
print(html.unescape(m.group(1)) if m else "{\"ok\": false, \"error\": {\"message\": \"no result on the page\"}}")' "$work/page-$n.html")
	kill -TERM "$pid"
	wait "$pid" || fail "frosty serve exited $? after SIGTERM"
	[[ ! -e $ready ]] || fail "the ready file outlived the server"
}

# check JSON PYTHON_EXPR: PYTHON_EXPR over r, the page's result, must hold.
check() {
	python3 -c 'import json, sys
r = json.loads(sys.argv[1])
sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2" || fail "page reported $1; want $2"
}

result=
open_portal 1 "$site"
check "$result" 'r["ok"] and r["addresses"] == 1 and r["addressId"].startswith("ADID")'
check "$result" 'r["error"]["name"] == "InvalidResourceException" and len(r["error"]["requestId"]) == 36'
echo "ok   allowed origin $site: $result"

open_portal 2 "http://portal.example.com"
check "$result" 'not r["ok"] and "Failed to fetch" in r["error"]["message"]'
echo "ok   origin not allowed: the browser blocked the call: $result"
