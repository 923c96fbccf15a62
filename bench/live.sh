#!/usr/bin/env bash
# Live-update benchmark of the daemon: save-to-served latency per watch mode, and idle CPU.
#
#   bench/live.sh [SIZES...]          default: 1000
#
# For each size and each mode in LIVE_MODES it starts `feedwright serve` on a free port,
# waits for the first load, measures idle CPU (no changes for LIVE_IDLE_SECONDS), then runs
# bench/live_client.py: LIVE_EDITS edits of the newest article's title, saved like an editor
# does (temp file + rename), each timed from the rename until GET /atom.xml (polled every
# 5 ms) shows the new title. Prints one table; never fails because something is slow.
#
# Environment:
#   LIVE_DIR           corpora and logs (default /tmp/feedwright-live); corpus-N/ is reused
#                      when it was generated with the same seed and generator
#   LIVE_MODES         space-separated MODE:MS list (default "notify:200 poll:2000 poll:500");
#                      MS is the debounce (notify) or the poll interval (poll)
#   LIVE_EDITS         edits per run (default 100)
#   LIVE_GAP_MS        pause after each served edit, so edits are not coalesced (default 300);
#                      a random 0..MS ms is added so saves fall uniformly over the poll cycle
#   LIVE_IDLE_SECONDS  idle CPU window (default 10; 0 skips it)
#   LIVE_SEED          generator seed (default 1)
#   LIVE_NO_BUILD      1: skip `cargo build --release`
#   BENCH_BIN     binary (default target/release/feedwright)
#
# The daemon is started by this script and stopped by its PID (SIGTERM, then SIGKILL) on
# exit, whatever happens; nothing else is killed. Daemon logs stay in LIVE_DIR/daemon-*.log;
# their `reloaded ... duration_ms=` lines give the server-side share of each latency.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD

if (($# > 0)); then SIZES=("$@"); else SIZES=(1000); fi
for n in "${SIZES[@]}"; do
    [[ $n =~ ^[0-9]+$ ]] || { echo "live.sh: size '$n' is not a number" >&2; exit 2; }
done
LIVE_DIR=${LIVE_DIR:-/tmp/feedwright-live}
MODES=(${LIVE_MODES:-notify:200 poll:2000 poll:500})
EDITS=${LIVE_EDITS:-100}
GAP=${LIVE_GAP_MS:-300}
IDLE=${LIVE_IDLE_SECONDS:-10}
SEED=${LIVE_SEED:-1}
BIN=${BENCH_BIN:-$ROOT/target/release/feedwright}
GEN=$ROOT/bench/gen_corpus.py
CLIENT=$ROOT/bench/live_client.py
mkdir -p "$LIVE_DIR"

log() { printf '%s\n' "$*" >&2; }

DAEMON_PID=
stop_daemon() {
    if [[ -n $DAEMON_PID ]]; then
        kill -TERM "$DAEMON_PID" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$DAEMON_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$DAEMON_PID" 2>/dev/null || true
        wait "$DAEMON_PID" 2>/dev/null || true
        DAEMON_PID=
    fi
}
trap stop_daemon EXIT
trap 'exit 130' INT TERM

if [[ ${LIVE_NO_BUILD:-0} != 1 ]]; then
    log "== cargo build --release"
    cargo build --release
fi
[[ -x $BIN ]] || { log "live.sh: no binary at $BIN"; exit 1; }

ensure_corpus() { # DIR N
    local dir=$1 n=$2 stamp="$1.stamp" want
    want="seed=$SEED gen=$(sha256sum "$GEN" | cut -c1-16)"
    if [[ -d $dir && -f $stamp && $(cat "$stamp") == "$want" ]]; then
        log "   reusing $dir"
        return
    fi
    rm -rf "$dir" "$dir.tmp" "$stamp"
    python3 "$GEN" "$dir.tmp" "$n" --seed "$SEED" >&2
    mv "$dir.tmp" "$dir"
    printf '%s\n' "$want" >"$stamp"
}

# start_daemon CORPUS LOG MODE MS: starts the daemon, sets DAEMON_PID and URL, waits until
# the first load is done and the watcher is running ("content loaded", "watching" lines).
start_daemon() {
    local corpus=$1 logf=$2 mode=$3 ms=$4
    local -a env=(FEEDWRIGHT_WATCH_MODE="$mode" RUST_LOG=info)
    if [[ $mode == notify ]]; then
        env+=(FEEDWRIGHT_WATCH_DEBOUNCE_MS="$ms")
    else
        env+=(FEEDWRIGHT_WATCH_POLL_INTERVAL_MS="$ms")
    fi
    : >"$logf"
    env "${env[@]}" "$BIN" --content "$corpus" --listen 127.0.0.1:0 >"$logf" 2>&1 &
    DAEMON_PID=$!
    URL=
    for _ in $(seq 600); do
        kill -0 "$DAEMON_PID" 2>/dev/null || { log "live.sh: daemon exited:"; tail -n 20 "$logf" >&2; exit 1; }
        if [[ -z $URL ]]; then
            URL=$(grep -o 'listening on http://[0-9.:]*' "$logf" | head -n 1 | sed 's/listening on //' || true)
        fi
        # Ready once the first load is served and the watcher runs (it starts after the load).
        if [[ -n $URL ]] && grep -q 'content loaded' "$logf" && grep -q 'watching ' "$logf"; then
            return
        fi
        sleep 0.1
    done
    log "live.sh: daemon not ready after 60 s"
    tail -n 20 "$logf" >&2
    exit 1
}

# reload_stats LOG: "n p50 p99 max" of the daemon's reload durations (ms), from its log.
reload_stats() {
    grep -o 'duration_ms=[0-9.]*' "$1" | tail -n +2 | cut -d= -f2 | sort -g | awk '
        {a[NR]=$1} END { if (NR == 0) { print "0 - - -"; exit }
        i50 = int((NR * 50 + 99) / 100); i99 = int((NR * 99 + 99) / 100)
        printf "%d %.1f %.1f %.1f\n", NR, a[i50], a[i99], a[NR] }'
}

RESULTS=$LIVE_DIR/.results
: >"$RESULTS"
log "== feedwright live-update benchmark"
log "   binary:  $BIN ($(stat -c '%y' "$BIN" | cut -d. -f1))"
log "   cpu:     $(nproc) x $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo 2>/dev/null || echo '?')"
log "   sizes:   ${SIZES[*]}; modes: ${MODES[*]}; $EDITS edits each, ${GAP} ms apart; idle window ${IDLE} s"
log "   load:    $(cut -d' ' -f1-3 /proc/loadavg)"

for n in "${SIZES[@]}"; do
    corpus=$LIVE_DIR/corpus-$n
    log "== $n articles"
    ensure_corpus "$corpus" "$n"
    for spec in "${MODES[@]}"; do
        mode=${spec%%:*}
        ms=${spec#*:}
        label="$n $mode $ms"
        logf=$LIVE_DIR/daemon-$n-$mode-$ms.log
        log "-- $label: starting the daemon"
        start_daemon "$corpus" "$logf" "$mode" "$ms"
        actual=$(grep -o 'mode="\?[a-z]*' "$logf" | head -n 1 | cut -d= -f2 | tr -d '"' || true)
        [[ $actual == "$mode" ]] || log "live.sh: asked for $mode, daemon says '${actual:-?}'"
        load1=$(cut -d' ' -f1 /proc/loadavg)
        idle_cpu=- idle_cs=-
        if [[ $IDLE != 0 ]]; then
            sleep 1 # let the first load's stragglers settle
            idle_json=$(python3 "$CLIENT" --idle "$DAEMON_PID" --seconds "$IDLE" --label "$label" --json)
            log "   idle: $idle_json"
            idle_cpu=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["cpu_percent"])' "$idle_json")
            idle_cs=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["context_switches_per_s"])' "$idle_json")
        fi
        status=0
        lat_json=$(python3 "$CLIENT" --url "$URL" --content "$corpus" --edits "$EDITS" \
            --gap "$GAP" --jitter "$ms" --label "$label" --json) || status=$?
        log "   edits: $lat_json"
        ((status == 0)) || log "live.sh: some edits were never served (see above)"
        read -r reloads r50 r99 rmax < <(reload_stats "$logf")
        stop_daemon
        python3 - "$lat_json" "$n" "$mode" "$ms" "$idle_cpu" "$idle_cs" "$reloads" "$r50" "$r99" "$load1" >>"$RESULTS" <<'EOF'
import json, sys
r = json.loads(sys.argv[1])
n, mode, ms, cpu, cs, reloads, r50, r99, load = sys.argv[2:]
print(n, mode, ms, r["served"], r["p50_ms"], r["p99_ms"], r["max_ms"], reloads, r50, r99, cpu, cs, load)
EOF
    done
done

echo
echo "Save-to-served: rename of the edited file -> first GET /atom.xml (polled every 5 ms) showing it."
echo "reload ms: the daemon's own 'reloaded' durations (read + publish, after the watcher fired)."
echo "idle: CPU of the daemon over ${IDLE} s with no changes (% of one core) and context switches/s, all threads."
printf '%8s %-6s %6s %6s %8s %8s %8s %7s %9s %9s %8s %8s %6s\n' \
    articles mode ms served "p50 ms" "p99 ms" "max ms" reloads "rld p50" "rld p99" "idle %" "idle cs" load1
while read -r n mode ms served p50 p99 max reloads r50 r99 cpu cs load; do
    printf '%8s %-6s %6s %6s %8s %8s %8s %7s %9s %9s %8s %8s %6s\n' \
        "$n" "$mode" "$ms" "$served/$EDITS" "$p50" "$p99" "$max" "$reloads" "$r50" "$r99" "$cpu" "$cs" "$load"
done <"$RESULTS"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
