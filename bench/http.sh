#!/usr/bin/env bash
# Benchmark feedwright's HTTP serving against nginx serving the very same feed bytes.
#
#   bash bench/http.sh
#
# What it does:
#   1. installs wrk and nginx with apt-get if they are missing, builds the release binary;
#   2. generates a 1,000-article corpus (bench/gen_corpus.py), starts feedwright on it with
#      its default configuration (access log at info level, written to stdout, which goes to
#      /dev/null) and waits for /readyz;
#   3. copies the exact bytes feedwright serves for /feed.xml (identity) and its gzip
#      variant into an nginx root as feed.xml / feed.xml.gz (same mtime as feedwright's
#      Last-Modified) and starts a tuned nginx on them (2 workers, gzip_static, sendfile,
#      open_file_cache, no access log);
#   4. loads both with `wrk -t2 -c64 -d10s --latency`, interleaved per mode (each round
#      starting with the next server): plain GET,
#      `Accept-Encoding: gzip`, and `If-None-Match: <the server's own identity ETag>` (304);
#   5. measures each server's CPU time per request (utime+stime from /proc/PID/stat, summed
#      over nginx's workers) and resident memory, and prints a table.
#
# The table's "floor" row is bench/floor.c (built here with cc): a server that does nothing
# but answer the same bytes (no parsing, no clock, no log). Its CPU per request is what the
# kernel alone spends on a response over loopback on this machine; a server's figure minus
# the floor's is what the server's own work costs. Absolute CPU figures only mean something
# next to it (machines, kernels and firewall rules differ by microseconds per request).
#
# wrk and the servers share the machine's cores, so figures are noisy: compare the servers
# within one run, and check the load line at the top (other work on the machine skews it).
# It never fails because something is slow; it does fail when a server does not answer as
# expected (the figures would be meaningless).
#
# Environment:
#   BENCH_DIR        work directory (default /tmp/feedwright-http-bench)
#   BENCH_ARTICLES   corpus size (default 1000)
#   BENCH_SEED       generator seed (default 1)
#   BENCH_DURATION   wrk duration per run (default 10s)
#   BENCH_THREADS    wrk threads (default 2)
#   BENCH_CONNS      wrk connections (default 64)
#   BENCH_ROUNDS     interleaved rounds; the table shows the median per mode/server (default 3)
#   BENCH_MODES      modes to run, from "plain gzip 304" (default all three)
#   BENCH_FLOOR      1: also run the floor server (default 1; 0 to skip)
#   BENCH_LOG_WARN   1: also run a second feedwright with RUST_LOG=warn (no access log), to
#                    show what the access log costs (default 1; 0 to skip)
#   BENCH_BASELINE_BIN  another feedwright binary (e.g. a build of the previous commit), run
#                    with the default configuration as server "baseline", for A/B figures
#   BENCH_PORT       first of five consecutive ports (default 18080)
#   BENCH_NO_BUILD   1: skip `cargo build --release`
#   BENCH_BIN   binary to benchmark (default target/release/feedwright); other
#                    FEEDWRIGHT_* variables reach the servers as configuration
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD

BENCH_DIR=${BENCH_DIR:-/tmp/feedwright-http-bench}
ARTICLES=${BENCH_ARTICLES:-1000}
SEED=${BENCH_SEED:-1}
DURATION=${BENCH_DURATION:-10s}
THREADS=${BENCH_THREADS:-2}
CONNS=${BENCH_CONNS:-64}
ROUNDS=${BENCH_ROUNDS:-3}
read -r -a MODES <<<"${BENCH_MODES:-plain gzip 304}"
LOG_WARN=${BENCH_LOG_WARN:-1}
PORT=${BENCH_PORT:-18080}
BIN=${BENCH_BIN:-$ROOT/target/release/feedwright}
# feedwright reads every FEEDWRIGHT_* variable as configuration and rejects unknown ones.
FW_PORT=$PORT
NGINX_PORT=$((PORT + 1))
FWW_PORT=$((PORT + 2))
BASE_PORT=$((PORT + 3))
FLOOR_PORT=$((PORT + 4))
FLOOR=${BENCH_FLOOR:-1}
BASE_BIN=${BENCH_BASELINE_BIN:-}
[[ -z $BASE_BIN || -x $BASE_BIN ]] || { echo "http.sh: no binary at $BASE_BIN" >&2; exit 1; }

log() { printf '%s\n' "$*" >&2; }
die() { log "http.sh: $*"; exit 1; }

for m in "${MODES[@]}"; do
    [[ $m == plain || $m == gzip || $m == 304 ]] || die "unknown mode '$m' (plain, gzip, 304)"
done
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "BENCH_ROUNDS must be a positive number"

# ---------------------------------------------------------------- tools

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || missing+=(nginx)
command -v curl >/dev/null || missing+=(curl)
[[ $FLOOR != 1 ]] || command -v cc >/dev/null || missing+=(gcc)
if ((${#missing[@]})); then
    log "== installing ${missing[*]}"
    apt-get install -y "${missing[@]}" >&2 ||
        { apt-get update >&2 && apt-get install -y "${missing[@]}" >&2; } ||
        die "could not install ${missing[*]}"
fi
NGINX=$(command -v nginx)

if [[ ${BENCH_NO_BUILD:-0} != 1 ]]; then
    log "== cargo build --release"
    cargo build --release >&2
fi
[[ -x $BIN ]] || die "no binary at $BIN"

# ---------------------------------------------------------------- processes and cleanup

FW_PID='' FWW_PID='' BASE_PID='' NGINX_PID='' FLOOR_PID=''
NGINX_DIR=$BENCH_DIR/nginx

stop() { # PID: SIGTERM, then SIGKILL after 5 s
    local pid=$1 i
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    # nginx's master takes its workers down on SIGTERM (fast shutdown).
    stop "$NGINX_PID"
    stop "$FW_PID"
    stop "$FWW_PID"
    stop "$BASE_PID"
    stop "$FLOOR_PID"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- helpers

# cpu_ticks PID...: utime+stime (clock ticks) summed over the given processes. Fields
# after the command name, which is in parentheses and may contain spaces.
cpu_ticks() {
    local pid total=0 rest
    for pid in "$@"; do
        rest=$(sed 's/.*) //' "/proc/$pid/stat")
        # shellcheck disable=SC2086
        set -- $rest
        # after ") ": field 3 is state, so utime (14) and stime (15) are the 12th and 13th
        total=$((total + ${12} + ${13}))
    done
    echo "$total"
}

status_kib() { # PID FIELD -> value in KiB from /proc/PID/status
    awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}

nginx_workers() { # the master's children
    local pid
    for pid in $(ps -o pid= --ppid "$NGINX_PID"); do echo "$pid"; done
}

http_code() { # URL [curl args...]
    local url=$1
    shift
    curl -s -o /dev/null -w '%{http_code}' "$@" "$url"
}

header_of() { # URL HEADER [curl args...]: value of one response header of a HEAD request
    local url=$1 name=$2
    shift 2
    curl -s -I "$@" "$url" | tr -d '\r' | awk -v n="$(tr 'A-Z' 'a-z' <<<"$name")" '
        { split($0, kv, ":"); if (tolower(kv[1]) == n) { sub(/^[^:]*:[ \t]*/, ""); print; exit } }'
}

wait_ready() { # URL PID
    local i
    for ((i = 0; i < 600; i++)); do
        kill -0 "$2" 2>/dev/null || die "server (pid $2) exited before becoming ready"
        [[ $(http_code "$1") == 200 ]] && return 0
        sleep 0.1
    done
    die "$1 not ready after 60 s"
}

start_feedwright() { # PORT RUST_LOG-or-empty [BINARY] -> sets STARTED_PID
    local port=$1 level=$2 bin=${3:-$BIN}
    if [[ -n $level ]]; then
        RUST_LOG=$level "$bin" serve --content "$CORPUS" --listen "127.0.0.1:$port" \
            >/dev/null 2>"$BENCH_DIR/feedwright-$port.err" &
    else
        # The default configuration, as users run it: info level, access log on stdout.
        env -u RUST_LOG "$bin" serve --content "$CORPUS" --listen "127.0.0.1:$port" \
            >/dev/null 2>"$BENCH_DIR/feedwright-$port.err" &
    fi
    STARTED_PID=$!
    wait_ready "http://127.0.0.1:$port/readyz" "$STARTED_PID"
}

# ---------------------------------------------------------------- corpus and servers

mkdir -p "$BENCH_DIR"
CORPUS=$BENCH_DIR/corpus-$ARTICLES
STAMP="$CORPUS.stamp"
WANT="seed=$SEED gen=$(sha256sum "$ROOT/bench/gen_corpus.py" | cut -c1-16)"
if [[ ! -d $CORPUS || ! -f $STAMP || $(cat "$STAMP") != "$WANT" ]]; then
    log "== generating $ARTICLES articles in $CORPUS"
    rm -rf "$CORPUS" "$STAMP"
    python3 "$ROOT/bench/gen_corpus.py" "$CORPUS" "$ARTICLES" --seed "$SEED" >&2
    echo "$WANT" >"$STAMP"
fi

log "== starting feedwright on 127.0.0.1:$FW_PORT (default config, log to /dev/null)"
start_feedwright "$FW_PORT" ''
FW_PID=$STARTED_PID
FW=http://127.0.0.1:$FW_PORT/feed.xml

# The exact bytes feedwright serves, for nginx.
rm -rf "$NGINX_DIR"
mkdir -p "$NGINX_DIR/html" "$NGINX_DIR/logs" "$NGINX_DIR/tmp"
curl -sf -o "$NGINX_DIR/html/feed.xml" "$FW"
curl -sf -H 'Accept-Encoding: gzip' -o "$NGINX_DIR/html/feed.xml.gz" "$FW"
[[ $(header_of "$FW" content-encoding -H 'Accept-Encoding: gzip') == gzip ]] ||
    die "feedwright did not answer Accept-Encoding: gzip with gzip"
gzip -dc "$NGINX_DIR/html/feed.xml.gz" | cmp -s - "$NGINX_DIR/html/feed.xml" ||
    die "feedwright's gzip bytes do not decompress to its identity bytes"
LAST_MODIFIED=$(header_of "$FW" last-modified)
touch -d "$LAST_MODIFIED" "$NGINX_DIR/html/feed.xml" "$NGINX_DIR/html/feed.xml.gz"
FEED_BYTES=$(stat -c %s "$NGINX_DIR/html/feed.xml")
GZ_BYTES=$(stat -c %s "$NGINX_DIR/html/feed.xml.gz")
MAX_AGE=$(header_of "$FW" cache-control | sed -n 's/.*max-age=\([0-9]*\).*/\1/p')

cat >"$NGINX_DIR/nginx.conf" <<EOF
user root;
worker_processes 2;
pid $NGINX_DIR/nginx.pid;
error_log $NGINX_DIR/logs/error.log warn;
events {
    worker_connections 1024;
}
http {
    types { application/rss+xml xml; }
    default_type application/octet-stream;
    charset utf-8;
    charset_types application/rss+xml;
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_requests 100000;
    keepalive_timeout 60s;
    etag on;
    gzip off;
    gzip_static on;
    gzip_vary on;
    open_file_cache max=100 inactive=60s;
    client_body_temp_path $NGINX_DIR/tmp/body;
    proxy_temp_path $NGINX_DIR/tmp/proxy;
    fastcgi_temp_path $NGINX_DIR/tmp/fastcgi;
    uwsgi_temp_path $NGINX_DIR/tmp/uwsgi;
    scgi_temp_path $NGINX_DIR/tmp/scgi;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $NGINX_DIR/html;
        # The same caching headers feedwright sends.
        add_header Cache-Control "public, max-age=${MAX_AGE:-300}";
    }
}
EOF
log "== starting nginx on 127.0.0.1:$NGINX_PORT"
"$NGINX" -t -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" >/dev/null 2>&1 ||
    { "$NGINX" -t -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" || true; die "bad nginx config"; }
"$NGINX" -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" -g 'daemon off;' \
    2>"$NGINX_DIR/logs/stderr" &
NGINX_PID=$!
NG=http://127.0.0.1:$NGINX_PORT/feed.xml
wait_ready "$NG" "$NGINX_PID"
for ((i = 0; i < 50; i++)); do
    (($(nginx_workers | wc -l) >= 2)) && break
    sleep 0.1
done
# A stray server on the port would answer in nginx's place (and this one would have exited).
kill -0 "$NGINX_PID" 2>/dev/null && (($(nginx_workers | wc -l) >= 2)) ||
    die "nginx did not start its 2 workers (port $NGINX_PORT busy?): $(tail -n 2 "$NGINX_DIR/logs/stderr")"

if [[ $LOG_WARN == 1 ]]; then
    log "== starting feedwright with RUST_LOG=warn on 127.0.0.1:$FWW_PORT"
    start_feedwright "$FWW_PORT" warn
    FWW_PID=$STARTED_PID
fi
if [[ -n $BASE_BIN ]]; then
    log "== starting baseline $BASE_BIN on 127.0.0.1:$BASE_PORT"
    start_feedwright "$BASE_PORT" '' "$BASE_BIN"
    BASE_PID=$STARTED_PID
fi
if [[ $FLOOR == 1 ]]; then
    log "== building bench/floor.c, starting it on 127.0.0.1:$FLOOR_PORT"
    cc -O2 -pthread -o "$BENCH_DIR/floor" "$ROOT/bench/floor.c" || die "cannot build bench/floor.c"
    "$BENCH_DIR/floor" "$FLOOR_PORT" "$NGINX_DIR/html/feed.xml" "$NGINX_DIR/html/feed.xml.gz" \
        "$(header_of "$FW" etag)" 2>"$BENCH_DIR/floor.err" &
    FLOOR_PID=$!
    wait_ready "http://127.0.0.1:$FLOOR_PORT/feed.xml" "$FLOOR_PID"
fi

# Same bytes from nginx, and each server's own identity ETag for the 304 mode.
serves_feedwrights_bytes() { # NAME URL: dies unless both encodings are feedwright's bytes
    curl -sf -o "$BENCH_DIR/check.xml" "$2"
    cmp -s "$BENCH_DIR/check.xml" "$NGINX_DIR/html/feed.xml" || die "$1 serves different bytes"
    curl -sf -H 'Accept-Encoding: gzip' -o "$BENCH_DIR/check.xml.gz" "$2"
    cmp -s "$BENCH_DIR/check.xml.gz" "$NGINX_DIR/html/feed.xml.gz" || die "$1 gzip bytes differ"
}
serves_feedwrights_bytes nginx "$NG"
FW_TYPE=$(header_of "$FW" content-type)
NG_TYPE=$(header_of "$NG" content-type)
[[ $FW_TYPE == "$NG_TYPE" ]] || log "note: content types differ: feedwright '$FW_TYPE', nginx '$NG_TYPE'"

declare -A URL ETAG
URL[feedwright]=$FW
URL[nginx]=$NG
SERVERS=(feedwright nginx)
if [[ $LOG_WARN == 1 ]]; then
    URL[feedwright-warn]=http://127.0.0.1:$FWW_PORT/feed.xml
    SERVERS+=(feedwright-warn)
fi
if [[ -n $BASE_BIN ]]; then
    URL[baseline]=http://127.0.0.1:$BASE_PORT/feed.xml
    SERVERS+=(baseline)
fi
if [[ $FLOOR == 1 ]]; then
    URL[floor]=http://127.0.0.1:$FLOOR_PORT/feed.xml
    SERVERS+=(floor)
    serves_feedwrights_bytes "the floor" "${URL[floor]}"
fi
for s in "${SERVERS[@]}"; do
    ETAG[$s]=$(header_of "${URL[$s]}" etag)
    [[ -n ${ETAG[$s]} ]] || die "$s sent no ETag"
    code=$(http_code "${URL[$s]}" -H "If-None-Match: ${ETAG[$s]}")
    [[ $code == 304 ]] || die "$s answered If-None-Match: ${ETAG[$s]} with $code, not 304"
    code=$(http_code "${URL[$s]}" -H 'Accept-Encoding: gzip')
    [[ $code == 200 ]] || die "$s answered the gzip request with $code"
done

pids_of() { # SERVER -> pids whose CPU counts
    case $1 in
        feedwright) echo "$FW_PID" ;;
        feedwright-warn) echo "$FWW_PID" ;;
        baseline) echo "$BASE_PID" ;;
        floor) echo "$FLOOR_PID" ;;
        nginx) nginx_workers ;;
    esac
}

# ---------------------------------------------------------------- load

TICK=$(getconf CLK_TCK)
RESULTS=$BENCH_DIR/results.tsv
: >"$RESULTS"

# to_ms VALUE-WITH-UNIT (wrk prints 812.00us, 1.23ms, 2.01s)
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0
        if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000
        printf "%.3f", n }'
}

run_one() { # ROUND MODE SERVER
    local round=$1 mode=$2 server=$3 url pids before after out reqs rps p99 errs
    local -a hdr=()
    url=${URL[$server]}
    case $mode in
        gzip) hdr=(-H 'Accept-Encoding: gzip') ;;
        304) hdr=(-H "If-None-Match: ${ETAG[$server]}") ;;
    esac
    read -r -a pids <<<"$(pids_of "$server" | tr '\n' ' ')"
    before=$(cpu_ticks "${pids[@]}")
    out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "${hdr[@]}" "$url")
    after=$(cpu_ticks "${pids[@]}")
    reqs=$(awk '/requests in/ { print $1; exit }' <<<"$out")
    rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
    p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
    errs=$(awk '/Non-2xx or 3xx/ { print $NF } /Socket errors/ { print }' <<<"$out" | paste -sd' ')
    [[ -n $reqs && $reqs -gt 0 ]] || { printf '%s\n' "$out" >&2; die "wrk got no responses from $server"; }
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$mode" "$server" "$reqs" "$rps" "$p99" \
        "$(awk -v t=$((after - before)) -v hz="$TICK" -v n="$reqs" 'BEGIN { printf "%.2f", t * 1e6 / hz / n }')" \
        "${errs:-}" >>"$RESULTS"
    log "   round $round  $(printf '%-5s %-16s' "$mode" "$server") $(printf '%10.0f' "$rps") req/s  p99 ${p99} ms${errs:+  ($errs)}"
}

log "== load: $(uptime)"
log "   warm-up (2 s per server)"
for s in "${SERVERS[@]}"; do
    wrk -t"$THREADS" -c"$CONNS" -d2s "${URL[$s]}" >/dev/null
done
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
# Each round starts with a different server: on a shared 2-core machine the position in the
# sequence shifts a run's figures by up to ~15 %, which would otherwise always favour the
# same server.
for ((r = 1; r <= ROUNDS; r++)); do
    for mode in "${MODES[@]}"; do
        for ((k = 0; k < ${#SERVERS[@]}; k++)); do
            run_one "$r" "$mode" "${SERVERS[(k + r - 1) % ${#SERVERS[@]}]}"
        done
    done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- report

mem_line() { # LABEL PIDS...: sums VmRSS and VmHWM
    local label=$1 pid rss=0 hwm=0
    shift
    for pid in "$@"; do
        rss=$((rss + $(status_kib "$pid" VmRSS)))
        hwm=$((hwm + $(status_kib "$pid" VmHWM)))
    done
    printf '%-28s RSS %6.1f MiB   peak (VmHWM) %6.1f MiB\n' "$label" \
        "$(awk -v k=$rss 'BEGIN { print k / 1024 }')" "$(awk -v k=$hwm 'BEGIN { print k / 1024 }')"
}

echo
echo "feedwright $("$BIN" --version | awk '{ print $2 }') vs nginx $("$NGINX" -v 2>&1 | sed 's|.*nginx/||')" \
    "| $ARTICLES articles, /feed.xml $FEED_BYTES B identity, $GZ_BYTES B gzip" \
    "| wrk -t$THREADS -c$CONNS -d$DURATION, $ROUNDS round(s), $(nproc) cores"
echo "load average (1/5/15 min): before $LOAD_BEFORE, after $LOAD_AFTER"
python3 - "$RESULTS" "${SERVERS[@]}" <<'PY'
import csv, statistics, sys
path, servers = sys.argv[1], sys.argv[2:]
rows = list(csv.reader(open(path), delimiter="\t"))
modes = []
for r in rows:
    if r[1] not in modes:
        modes.append(r[1])
def med(mode, server, col):
    vals = [float(r[col]) for r in rows if r[1] == mode and r[2] == server]
    return statistics.median(vals) if vals else float("nan")
label = {"plain": "plain", "gzip": "gzip", "304": "304 (INM)"}
print()
print(f"{'mode':<10} {'server':<16} {'req/s':>9} {'p99 ms':>8} {'CPU us/req':>11} {'req/s vs nginx':>15}")
print("-" * 74)
for mode in modes:
    ng = med(mode, "nginx", 4)
    for s in servers:
        rps = med(mode, s, 4)
        ratio = "" if s == "nginx" else f"{rps / ng:.2f}x"
        print(f"{label[mode]:<10} {s:<16} {rps:>9.0f} {med(mode, s, 5):>8.2f} {med(mode, s, 6):>11.1f} {ratio:>15}")
errs = [r for r in rows if r[7]]
for r in errs:
    print(f"note: round {r[0]} {r[1]} {r[2]}: {r[7]}")
print("(medians over rounds; CPU = server process utime+stime / requests; nginx = its workers)")
if "floor" in servers:
    print("(floor = bench/floor.c: no parsing, clock or log; what the kernel alone costs here)")
PY
echo
mem_line "feedwright (default)" "$FW_PID"
[[ -n $FWW_PID ]] && mem_line "feedwright (RUST_LOG=warn)" "$FWW_PID"
[[ -n $BASE_PID ]] && mem_line "baseline (default)" "$BASE_PID"
mapfile -t WORKERS < <(nginx_workers)
mem_line "nginx (${#WORKERS[@]} workers)" "${WORKERS[@]}"
echo "raw results: $RESULTS"
