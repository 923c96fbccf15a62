#!/usr/bin/env bash
# Benchmark a cold `feedwright build` (and, optionally, Hugo) on generated corpora.
#
#   bench/build.sh [SIZES...]          default: 1000 10000 50000
#
# Prints figures only; never fails because something is slow. It does fail if the build,
# the corpus generator or feedwright itself fails (numbers would be meaningless).
#
# Environment:
#   BENCH_DIR       where corpora and outputs live (default /tmp/feedwright-bench);
#                   corpus-N/ is reused when it was generated with the same seed and generator
#   BENCH_RUNS      runs per size, the first one discarded as warm-up (default 5)
#   BENCH_SEED      generator seed (default 1)
#   BENCH_HUGO      1: also benchmark Hugo (apt-get install hugo if missing);
#                   0: never; unset: only if `hugo` is on PATH
#   BENCH_NO_BUILD  1: skip `cargo build --release` and use the existing binary
#   BENCH_BIN  binary to benchmark (default target/release/feedwright)
#
# What is measured: wall time of the whole process (start, discovery, parsing, rendering,
# writing the feeds, exit) with a warm page cache: nothing is dropped from the OS caches,
# so the content files are read from memory after the first run. The output directory is
# deleted before every run, so every run writes all feeds from scratch. Peak RSS is the
# maximum resident set size (/usr/bin/time %M) over the measured runs.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD

if (($# > 0)); then SIZES=("$@"); else SIZES=(1000 10000 50000); fi
for n in "${SIZES[@]}"; do
    [[ $n =~ ^[0-9]+$ ]] || { echo "build.sh: size '$n' is not a number" >&2; exit 2; }
done
BENCH_DIR=${BENCH_DIR:-/tmp/feedwright-bench}
RUNS=${BENCH_RUNS:-5}
SEED=${BENCH_SEED:-1}
BIN=${BENCH_BIN:-$ROOT/target/release/feedwright}
GEN=$ROOT/bench/gen_corpus.py
((RUNS >= 2)) || { echo "build.sh: BENCH_RUNS must be >= 2 (the first run is a warm-up)" >&2; exit 2; }
mkdir -p "$BENCH_DIR"

log() { printf '%s\n' "$*" >&2; }

# ---------------------------------------------------------------- tools

if [[ ${BENCH_NO_BUILD:-0} != 1 ]]; then
    log "== cargo build --release"
    cargo build --release
fi
[[ -x $BIN ]] || { log "build.sh: no binary at $BIN"; exit 1; }

if [[ ! -x /usr/bin/time ]]; then
    log "== /usr/bin/time missing; installing the 'time' package"
    apt-get install -y time >&2 || log "build.sh: could not install 'time'; peak RSS will read n/a"
fi

HUGO=0
case ${BENCH_HUGO:-} in
    1)
        if ! command -v hugo >/dev/null; then
            log "== hugo missing; apt-get install -y hugo"
            apt-get install -y hugo >&2 || log "build.sh: could not install hugo; skipping it"
        fi
        command -v hugo >/dev/null && HUGO=1
        ;;
    0) ;;
    *) command -v hugo >/dev/null && HUGO=1 ;;
esac

# ---------------------------------------------------------------- helpers

# gen_stamp: what a corpus was generated with; a mismatch regenerates it.
gen_stamp() { # MODE
    printf 'mode=%s seed=%s gen=%s\n' "$1" "$SEED" "$(sha256sum "$GEN" | cut -c1-16)"
}

# ensure_corpus DIR N MODE(plain|hugo): generate DIR unless an identical one exists.
ensure_corpus() {
    local dir=$1 n=$2 mode=$3 stamp="$1.stamp" want
    want=$(gen_stamp "$mode")
    if [[ -d $dir && -f $stamp && $(cat "$stamp") == "$want" ]]; then
        log "   reusing $dir"
        return
    fi
    rm -rf "$dir" "$dir.tmp" "$stamp"
    local args=("$dir.tmp" "$n" --seed "$SEED")
    [[ $mode == hugo ]] && args+=(--hugo)
    local t0 t1
    t0=$(date +%s.%N)
    python3 "$GEN" "${args[@]}"
    t1=$(date +%s.%N)
    mv "$dir.tmp" "$dir"
    printf '%s\n' "$want" >"$stamp"
    log "   generated in $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}') s"
}

# stats FILE: "min median max" of the numbers in FILE, one a line.
stats() {
    sort -g "$1" | awk '{a[NR]=$1} END {
        m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2
        printf "%.3f %.3f %.3f\n", a[1], m, a[NR] }'
}

# bench NAME N OUT CMD...: runs CMD $RUNS times (first discarded) with OUT deleted before
# each run; appends a row "name n median min max peak_mib" to $RESULTS.
bench() {
    local name=$1 n=$2 out=$3
    shift 3
    local times=$BENCH_DIR/.times rss=$BENCH_DIR/.rss cpu=$BENCH_DIR/.cpu err=$BENCH_DIR/.stderr
    : >"$times"
    : >"$rss"
    : >"$cpu"
    local i t0 t1 status
    for ((i = 0; i < RUNS; i++)); do
        rm -rf "$out"
        t0=$(date +%s.%N)
        status=0
        if [[ -x /usr/bin/time ]]; then
            /usr/bin/time -f '%M %U %S' -o "$BENCH_DIR/.rss1" "$@" >/dev/null 2>"$err" || status=$?
        else
            "$@" >/dev/null 2>"$err" || status=$?
        fi
        t1=$(date +%s.%N)
        if ((status != 0)); then
            log "build.sh: $name failed on $n articles (exit $status):"
            tail -n 20 "$err" >&2
            exit 1
        fi
        ((i == 0)) && continue # warm-up
        awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.6f\n", b-a}' >>"$times"
        if [[ -s $BENCH_DIR/.rss1 ]]; then
            tail -n 1 "$BENCH_DIR/.rss1" | awk -v r="$rss" -v c="$cpu" '{print $1 >> r; printf "%.2f\n", $2 + $3 >> c}'
        fi
    done
    local min med max peak cpu_med=n/a _
    read -r min med max < <(stats "$times")
    if [[ -s $rss ]]; then
        peak=$(sort -n "$rss" | tail -n 1 | awk '{printf "%.1f", $1/1024}')
        read -r _ cpu_med _ < <(stats "$cpu")
        cpu_med=$(printf '%.2f' "$cpu_med")
    else
        peak=n/a
    fi
    log "   $name: median ${med}s  min ${min}s  max ${max}s  peak ${peak} MiB  cpu ${cpu_med}s  (last stderr: $(wc -l <"$err") lines)"
    printf '%s %s %s %s %s %s %s\n' "$name" "$n" "$med" "$min" "$max" "$peak" "$cpu_med" >>"$RESULTS"
}

# ---------------------------------------------------------------- header

RESULTS=$BENCH_DIR/.results
: >"$RESULTS"
log "== feedwright build benchmark"
log "   binary:  $BIN ($(stat -c '%y' "$BIN" | cut -d. -f1))"
log "   cpu:     $(nproc) x $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo 2>/dev/null || echo '?')"
log "   kernel:  $(uname -sr)"
((HUGO)) && log "   hugo:    $(hugo version 2>/dev/null | head -n 1)"
log "   sizes:   ${SIZES[*]}; $RUNS runs each, first discarded; warm page cache"
log "   dir:     $BENCH_DIR"

# ---------------------------------------------------------------- runs

for n in "${SIZES[@]}"; do
    corpus=$BENCH_DIR/corpus-$n
    log "== $n articles"
    ensure_corpus "$corpus" "$n" plain
    bench feedwright "$n" "$BENCH_DIR/out-$n" \
        "$BIN" build --content "$corpus" --out "$BENCH_DIR/out-$n"
    if ((HUGO)); then
        site=$BENCH_DIR/hugo-$n
        ensure_corpus "$site" "$n" hugo
        bench hugo "$n" "$BENCH_DIR/hugo-out-$n" \
            hugo --quiet -s "$site" -d "$BENCH_DIR/hugo-out-$n"
    fi
done

# ---------------------------------------------------------------- table

echo
echo "Cold build, warm page cache; $((RUNS - 1)) measured runs per row (first of $RUNS discarded)."
echo "cpu s = median user+sys CPU seconds (all threads); cpu s / median s ~ cores kept busy."
printf '%-10s %9s %10s %9s %9s %10s %8s %11s\n' tool articles "median s" "min s" "max s" "peak MiB" "cpu s" "µs/article"
printf '%-10s %9s %10s %9s %9s %10s %8s %11s\n' ---------- --------- ---------- --------- --------- ---------- -------- -----------
while read -r name n med min max peak cpu; do
    per=$(awk -v m="$med" -v n="$n" 'BEGIN{ if (n > 0) printf "%.1f", m * 1e6 / n; else print "-" }')
    printf '%-10s %9s %10s %9s %9s %10s %8s %11s\n' "$name" "$n" "$med" "$min" "$max" "$peak" "$cpu" "$per"
done <"$RESULTS"
