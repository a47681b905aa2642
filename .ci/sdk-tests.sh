#!/usr/bin/env bash
# Runs the boto3 and AWS CLI suite in tests/sdk against a server started here on a free
# loopback port with a temporary database, then stops the server. The last line of output is
# pytest's summary line; the exit status is pytest's.
# Arguments are passed on to pytest, such as `-k delete` or `-vv`.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv-sdk
# The command that starts the server; its flags follow. This is the only place naming it.
server=(target/debug/facestore serve)

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/sdk/requirements.txt
cargo build --quiet --bin facestore

work=$(mktemp -d)
server_pid=
stop_server() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 100); do
            kill -0 "$server_pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$server_pid" 2>/dev/null; then
            echo "sdk-tests: the server ignored SIGTERM for 10 s; killing it" >&2
            kill -KILL "$server_pid" 2>/dev/null || true
        fi
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap stop_server EXIT

"${server[@]}" --listen 127.0.0.1:0 --db "$work/sdk.redb" 2>"$work/server.log" &
server_pid=$!

address=
for _ in $(seq 600); do
    address=$(grep -m1 -o 'listening address=127\.0\.0\.1:[0-9]*' "$work/server.log" | cut -d= -f2 || true)
    [ -n "$address" ] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$address" ]; then
    echo "sdk-tests: the server did not start within 60 s; its log:" >&2
    cat "$work/server.log" >&2
    exit 1
fi

unset HTTP_PROXY HTTPS_PROXY ALL_PROXY http_proxy https_proxy all_proxy
export NO_PROXY=127.0.0.1 no_proxy=127.0.0.1
export FACESTORE_ENDPOINT="http://$address"

status=0
timeout 900 "$venv/bin/python" -m pytest tests/sdk -p no:cacheprovider -q -rfE "$@" || status=$?
exit "$status"
