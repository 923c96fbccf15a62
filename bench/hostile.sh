#!/usr/bin/env bash
# Times one hostile file of 4 MiB (the default content.max_file_bytes), alone in its site,
# through the whole `feedwright build` and through the daemon's first load, with Hugo
# building the same file beside it (the peer, same machine, same run).
#
#   bench/hostile.sh
#
# Prints figures only; never fails because something is slow. The inputs are the shapes of
# issue 17 (bench/hostile_inputs.py writes them); tests/integration/bad_input.rs holds the
# same shapes under a generous time bound.
#
# Environment:
#   BENCH_DIR       inputs and outputs (default /tmp/feedwright-hostile)
#   BENCH_RUNS      build runs per shape; the median is shown (default 3)
#   BENCH_HUGO      0: no Hugo; otherwise Hugo runs (apt-get install hugo if missing)
#   BENCH_NO_BUILD  1: skip `cargo build --release`
#   BENCH_BIN       binary to time (default target/release/feedwright)
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BENCH_DIR=${BENCH_DIR:-/tmp/feedwright-hostile}
RUNS=${BENCH_RUNS:-3}
BIN=${BENCH_BIN:-$ROOT/target/release/feedwright}
PORT=${BENCH_PORT:-18977}
log() { printf '%s\n' "$*" >&2; }

if [[ ${BENCH_NO_BUILD:-0} != 1 ]]; then
    cargo build --release >&2
fi
[[ -x /usr/bin/time ]] || apt-get install -y time >&2
HUGO=1
if [[ ${BENCH_HUGO:-} == 0 ]]; then
    HUGO=0
elif ! command -v hugo >/dev/null; then
    log "== hugo missing; apt-get install -y hugo"
    apt-get install -y hugo >&2 || { log "no hugo: its column reads n/a"; HUGO=0; }
fi

rm -rf "$BENCH_DIR"
mkdir -p "$BENCH_DIR/in"
mapfile -t SHAPES < <(python3 "$ROOT/bench/hostile_inputs.py" "$BENCH_DIR/in")

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# One `build`: "seconds peak_kib"; the outcome of the last run is left in $BENCH_DIR/build.err.
build_once() {
    local out=$BENCH_DIR/out
    rm -rf "$out"
    /usr/bin/time -f '%e %M' -o "$BENCH_DIR/time" \
        "$BIN" build --content "$1" --out "$out" >/dev/null 2>"$BENCH_DIR/build.err" || true
    cat "$BENCH_DIR/time"
}

# The daemon's first load: the `duration_ms` of its "content loaded" line, and its resident
# memory then.
first_load() {
    local log_file=$BENCH_DIR/daemon.log
    "$BIN" serve --content "$1" --listen "127.0.0.1:$PORT" >"$log_file" 2>&1 &
    local pid=$! ms=n/a rss=n/a
    for _ in $(seq 1 600); do
        if grep -q 'content loaded' "$log_file"; then
            ms=$(grep -o 'duration_ms=[0-9.]*' "$log_file" | head -1 | cut -d= -f2)
            rss=$(awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status")
            break
        fi
        sleep 0.05
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    echo "$ms $rss"
}

hugo_once() {
    local site=$BENCH_DIR/hugo-site
    rm -rf "$site"
    mkdir -p "$site/content/posts"
    cat >"$site/hugo.toml" <<'EOF'
baseURL = "https://example.com/"
title = "Hostile"
[markup.goldmark.renderer]
unsafe = true
EOF
    cp "$1"/* "$site/content/posts/"
    local start end
    start=$(date +%s.%N)
    if timeout 120 hugo --quiet -s "$site" -d "$site/public" >/dev/null 2>&1; then
        end=$(date +%s.%N)
        echo "$end - $start" | bc | awk '{printf "%.2f", $1}'
    else
        echo error
    fi
}

echo "One 4 MiB file per site; $(nproc) cores; load average $(cut -d' ' -f1 /proc/loadavg)"
echo "feedwright $("$BIN" --version | cut -d' ' -f2)${HUGO:+; }$( ((HUGO)) && hugo version | cut -d' ' -f2 || true)"
printf '%-26s %12s %10s %10s %16s %10s %s\n' shape "build s" "peak MiB" "out MiB" "daemon load ms" "hugo s" outcome
for shape in "${SHAPES[@]}"; do
    dir=$BENCH_DIR/in/$shape
    times=()
    peak=0
    for _ in $(seq 1 "$RUNS"); do
        read -r s kib < <(build_once "$dir")
        times+=("$s")
        ((kib > peak)) && peak=$kib
    done
    build_s=$(printf '%s\n' "${times[@]}" | median)
    out_mib=$(du -sm "$BENCH_DIR/out" 2>/dev/null | cut -f1)
    if grep -q ': error:' "$BENCH_DIR/build.err"; then
        outcome="error: $(grep -m1 ': error:' "$BENCH_DIR/build.err" | sed 's/.*: error: //' | cut -c1-60)"
    else
        outcome=published
    fi
    read -r load_ms rss < <(first_load "$dir")
    hugo_s=n/a
    ((HUGO)) && hugo_s=$(hugo_once "$dir")
    printf '%-26s %12s %10s %10s %16s %10s %s\n' "$shape" "$build_s" "$((peak / 1024))" \
        "${out_mib:-0}" "$load_ms (${rss} MiB)" "$hugo_s" "$outcome"
done
