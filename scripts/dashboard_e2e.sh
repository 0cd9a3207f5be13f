#!/usr/bin/env bash
# The web dashboard end to end, in headless Chromium: builds frosty, starts
# `frosty serve` on a free port with a new data directory
# (scripts/with_server.sh), installs e2e/dashboard's pinned packages
# (npm ci: playwright-core and the AWS SDK for JavaScript) and runs
# e2e/dashboard/dashboard.test.js against it.
#
# Usage: bash scripts/dashboard_e2e.sh
#
#   ARTIFACTS=DIR       where the screenshots go (default: a new temporary
#                       directory, printed at the end)
#   UPDATE_SCREENSHOT=1 also copies the job page's screenshot to
#                       docs/dashboard.png, the README's
#   CHROMIUM=PATH       the browser (default /usr/bin/chromium)
#
# Needs go, node, npm and Chromium (Debian: apt-get install chromium
# nodejs npm); it fails at once, saying which, when one is missing.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
for tool in go node npm; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "dashboard_e2e.sh: FATAL: $tool is not installed" >&2
		exit 1
	}
done
if [[ ! -x $CHROMIUM ]]; then
	echo "dashboard_e2e.sh: FATAL: no Chromium at $CHROMIUM (apt-get install chromium, or set CHROMIUM)" >&2
	exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/frosty-dashboard-e2e.XXXXXX")
trap 'rm -rf "$work"' EXIT
export ARTIFACTS=${ARTIFACTS:-$(mktemp -d "${TMPDIR:-/tmp}/frosty-dashboard-shots.XXXXXX")}
mkdir -p "$ARTIFACTS"

cd "$root"
go build -o "$work/frosty" ./cmd/frosty
(cd e2e/dashboard && npm ci --no-audit --no-fund --loglevel=error)

# The test reads the server's operator token and the default account's
# keys from its data directory.
bash scripts/with_server.sh "$work/frosty" bash -c '
	set -euo pipefail
	export FROSTY_URL=$FROSTY_ENDPOINT
	eval "$(node -e "
		const fs = require(\"fs\"), d = process.env.FROSTY_DATA;
		const token = JSON.parse(fs.readFileSync(d + \"/secrets.json\")).adminToken;
		const cred = JSON.parse(fs.readFileSync(d + \"/credentials.json\")).find((c) => c.accountId === \"000000000000\");
		console.log(\"export FROSTY_ADMIN_TOKEN=\" + token + \" AWS_ACCESS_KEY_ID=\" + cred.accessKeyId + \" AWS_SECRET_ACCESS_KEY=\" + cred.secretAccessKey);
	")"
	cd e2e/dashboard && node dashboard.test.js
'

echo "dashboard_e2e.sh: screenshots in $ARTIFACTS"
if [[ ${UPDATE_SCREENSHOT:-} == 1 ]]; then
	mkdir -p docs
	cp "$ARTIFACTS/job.png" docs/dashboard.png
	echo "dashboard_e2e.sh: docs/dashboard.png updated"
fi
