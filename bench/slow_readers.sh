#!/usr/bin/env bash
# Every connection slot held by a client that asked for a large feed and does not read it
# (issue 17), then /healthz, /readyz and /feed.xml from a fresh client: feedwright, and
# nginx serving the same files with the same connection limit, in the same run.
# A measurement, not a test.
#
#   bench/slow_readers.sh
#
# Environment:
#   SLOW_COUNT      slow readers (default 1500; both servers keep 1024 connections)
#   SLOW_DIR        work directory (default /tmp/feedwright-slow)
#   BENCH_NO_BUILD  1: skip `cargo build --release`
#   BENCH_BIN       binary (default target/release/feedwright)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
COUNT=${SLOW_COUNT:-1500}
DIR=${SLOW_DIR:-/tmp/feedwright-slow}
BIN=${BENCH_BIN:-$ROOT/target/release/feedwright}
[[ ${BENCH_NO_BUILD:-0} == 1 ]] || cargo build --release >&2
command -v nginx >/dev/null || { apt-get update -qq && apt-get install -y -qq nginx >&2; }
ulimit -n $((COUNT * 2 + 2048))
rm -rf "$DIR"
mkdir -p "$DIR"
# One article whose feeds are 8 MB or more: far more than the socket buffers hold.
python3 "$ROOT/bench/hostile_inputs.py" "$DIR/in" >/dev/null
content=$DIR/in/lt-md-largest-published
"$BIN" build --content "$content" --out "$DIR/out" >/dev/null 2>&1
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

echo "$COUNT clients each holding a request for /atom.xml ($(du -h "$DIR/out/atom.xml" | cut -f1)) unread; $(nproc) cores"
# The server just started in the background ($!) on $port: once it answers, the
# measurement under the heading $1; then the server is stopped.
measure() {
    local pid=$!
    for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.05; done
    echo "$1:"
    python3 "$ROOT/bench/slow_readers.py" "$port" "$COUNT" /atom.xml
    kill "$pid"
    wait "$pid" 2>/dev/null || true
}

port=$(free_port)
RUST_LOG=warn "$BIN" serve --content "$content" --listen "127.0.0.1:$port" >"$DIR/feedwright.log" 2>&1 &
measure "feedwright (server.max_connections 1024)"

port=$(free_port)
cat >"$DIR/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $DIR/nginx.pid;
error_log $DIR/nginx-error.log;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    server {
        listen 127.0.0.1:$port;
        root $DIR/out;
        location = /healthz { return 200 "ok\n"; }
        location = /readyz { return 200 "ready\n"; }
    }
}
EOF
nginx -c "$DIR/nginx.conf" &
measure "nginx $(nginx -v 2>&1 | cut -d/ -f2) (worker_connections 1024)"
