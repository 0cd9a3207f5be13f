#!/usr/bin/env bash
# Builds Frosty's container image from ./Dockerfile and calls the API in a
# running container with a real client.
#
# Usage: bash scripts/container_test.sh
#
#  1. Builds a static frosty (CGO_ENABLED=0) on this machine and the image
#     with podman, taking that binary (--target prebuilt): no registry is
#     reachable here, so the Go image of the build stage cannot be pulled.
#  2. Checks the image: a non-root user, the /data volume, a HEALTHCHECK
#     that runs `frosty health`, its size.
#  3. Runs it with its data in a new volume, a credentials file mounted
#     read-only (FROSTY_CREDENTIALS), the admin token in FROSTY_ADMIN_TOKEN,
#     the manual lifecycle, and port 4590 published on a free 127.0.0.1 port
#     that FROSTY_PUBLIC_URL names. Waits until the image's healthcheck
#     passes in the container.
#  4. scripts/container_session.py (boto3): address, job, operator advance
#     to WithCustomer, GetJobManifest and the presigned download through the
#     published port (it must start with FROSTYMF).
#  5. Stops the container (SIGTERM: it must exit 0), starts a new one on
#     the same volume and checks that the job and its manifest are there.
#
# Everything it creates (containers, volume, images, files) is removed at
# the end. Without podman it fails under CI=true and otherwise skips,
# saying so. PYTHON (default /usr/bin/python3) must import boto3.
#
# This machine's needs, not a user's: the CONTAINERS_CONF below (default
# ulimits fail in this sandbox) and --runtime /usr/sbin/runc (crun's cgroup
# handling fails here); set PODMAN_RUNTIME= to use podman's default.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v podman >/dev/null 2>&1; then
	if [[ ${CI:-} == true ]]; then
		echo "FATAL: podman is not installed; CI must build and run the container image (apt-get install podman runc)" >&2
		exit 1
	fi
	echo "SKIP: podman is not installed (apt-get install podman runc); the container image was not tested" >&2
	exit 0
fi

PYTHON=${PYTHON:-/usr/bin/python3}
run_id=frosty-ci-$$-$RANDOM
work=$(mktemp -d "${TMPDIR:-/tmp}/$run_id.XXXXXX")
image=localhost/frosty:$run_id
volume=$run_id
containers=()

printf '[containers]\ndefault_ulimits = []\n' >"$work/containers.conf"
export CONTAINERS_CONF=$work/containers.conf
runtime=${PODMAN_RUNTIME-/usr/sbin/runc}
podman_run=(podman run)
if [[ -n $runtime ]]; then
	podman_run=(podman --runtime "$runtime" run)
fi

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [[ $rc -ne 0 ]]; then
		for c in "${containers[@]}"; do
			echo "---- podman logs $c ----" >&2
			podman logs "$c" >&2 2>&1 || true
		done
	fi
	for c in "${containers[@]}"; do
		podman rm -f -t 0 "$c" >/dev/null 2>&1 || true
	done
	podman volume rm -f "$volume" >/dev/null 2>&1 || true
	# The final image and every intermediate one of this build carry the label.
	local ids
	ids=$(podman images -aq --filter "label=frosty.ci=$run_id" 2>/dev/null || true)
	if [[ -n $ids ]]; then
		# shellcheck disable=SC2086
		podman rmi -f $ids >/dev/null 2>&1 || true
	fi
	rm -rf "$work"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

now() { date +%s.%N; }
elapsed() { echo "$(now) $1" | awk '{printf "%.1f s", $1 - $2}'; }
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

podman --version

# 1. The binary, as the image's build stage builds it, and the image.
start=$(now)
ctx=$work/context
mkdir -p "$ctx/dist/data"
install -d -m 1777 "$ctx/dist/tmp"
CGO_ENABLED=0 go build -trimpath -ldflags=-s -o "$ctx/dist/frosty" ./cmd/frosty
cp /etc/ssl/certs/ca-certificates.crt "$ctx/dist/"
echo "ok   static binary built ($(elapsed "$start"))"

start=$(now)
podman build -q --format docker --label "frosty.ci=$run_id" --target prebuilt \
	-f Dockerfile -t "$image" "$ctx" >"$work/build.log" 2>&1 || {
	cat "$work/build.log" >&2
	fail "podman build"
}
echo "ok   image $image built ($(elapsed "$start"))"

# 2. What the image promises.
user=$(podman image inspect -f '{{.Config.User}}' "$image")
[[ -n $user && $user != 0* && $user != root* ]] || fail "the image runs as user '$user', want a non-root user"
volumes=$(podman image inspect -f '{{json .Config.Volumes}}' "$image")
[[ $volumes == *'"/data"'* ]] || fail "the image's volumes are $volumes, want /data"
health=$(podman image inspect -f '{{json .HealthCheck}}' "$image")
[[ $health == *'"CMD","/frosty","health"'* ]] || fail "the image's healthcheck is $health, want CMD /frosty health"
size=$(podman image inspect -f '{{.Size}}' "$image")
((size < 40 * 1024 * 1024)) || fail "the image is $size bytes, more than 40 MiB"
echo "ok   image: user $user, volume /data, healthcheck /frosty health, $((size / 1024 / 1024)) MiB"

# 3. Run it.
port=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
endpoint=http://127.0.0.1:$port
token=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
secret=$(od -An -N30 -tx1 /dev/urandom | tr -d ' \n')
creds=$work/credentials.json
printf '[{"accountId": "123456789012", "accessKeyId": "AKIAFROSTYCONTAINER", "secretAccessKey": "%s"}]\n' "$secret" >"$creds"
chmod 0644 "$creds" # the container's user must read it
podman volume create "$volume" >/dev/null

start_container() { # start_container NAME: runs the image, waits for its healthcheck
	local name=$1 t0 cid
	t0=$(now)
	# podman logs each healthcheck timer it cannot hand to systemd (none
	# here); the runs below do not need one.
	cid=$("${podman_run[@]}" -d --name "$name" \
		-p "127.0.0.1:$port:4590" -v "$volume:/data" -v "$creds:/etc/frosty/credentials.json:ro" \
		-e FROSTY_CREDENTIALS=/etc/frosty/credentials.json -e FROSTY_ADMIN_TOKEN="$token" \
		-e FROSTY_PUBLIC_URL="$endpoint" -e FROSTY_LIFECYCLE=manual \
		"$image" 2>"$work/run-$name.log") || {
		cat "$work/run-$name.log" >&2
		fail "podman run"
	}
	containers+=("$name")
	for _ in $(seq 100); do # 100 × 0.2 s: about 20 s
		if [[ $(podman inspect -f '{{.State.Running}}' "$name") != true ]]; then
			fail "container $name exited before it was healthy"
		fi
		if podman healthcheck run "$name" >/dev/null 2>&1; then
			echo "ok   container $name (${cid:0:12}) healthy at $endpoint ($(elapsed "$t0"))"
			return 0
		fi
		sleep 0.2
	done
	fail "container $name not healthy after ~20 s"
}

stop_container() { # stop_container NAME: SIGTERM, must exit 0 and say so
	local name=$1 code
	podman stop -t 10 "$name" >/dev/null 2>&1
	code=$(podman inspect -f '{{.State.ExitCode}}' "$name")
	[[ $code == 0 ]] || fail "container $name exited $code after SIGTERM, want 0"
	podman logs "$name" 2>&1 | grep -q 'msg="frosty stopped"' || fail "container $name did not log that it stopped"
	echo "ok   container $name stopped cleanly"
}

start_container "$run_id-1"
curl -fsS --max-time 5 "$endpoint/_frosty/health" >/dev/null || fail "GET $endpoint/_frosty/health from the host"

# 4. A real client.
jobfile=$work/job
start=$(now)
"$PYTHON" scripts/container_session.py --endpoint "$endpoint" --credentials "$creds" --admin-token "$token" --save "$jobfile"
echo "ok   boto3 session ($(elapsed "$start"))"

# 5. The volume outlives the container.
stop_container "$run_id-1"
start_container "$run_id-2"
"$PYTHON" scripts/container_session.py --endpoint "$endpoint" --credentials "$creds" --admin-token "$token" --check "$jobfile"
stop_container "$run_id-2"
echo "container test passed"
