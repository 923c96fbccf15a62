#!/usr/bin/env bash
# Benchmark media downloads: feedwright serving a podcast episode's file at /media/ against
# nginx serving the very same file, in the same run.
#
#   bash bench/media.sh
#
# What it does:
#   1. installs nginx, curl, sox and lame with apt-get if they are missing, builds the release
#      binary;
#   2. makes a BENCH_SIZE_MB episode file (a 10 s, 320 kbit/s CBR MP3 made with sox and
#      lame, repeated: MP3 frames concatenate into one valid file) in a podcast section
#      (`podcast.section: episodes`, an article with `enclosure: ep1.mp3`), starts feedwright
#      with that configuration (the real keys: nothing test-only), and takes the media URL
#      from the `<enclosure>` of the podcast feed, as a podcast app would;
#   3. checks that both servers send the exact bytes (whole file and a range);
#   4. downloads the file with BENCH_CLIENTS concurrent curl clients from each server in
#      turn, BENCH_ROUNDS interleaved rounds (each round starting with the other server),
#      and reports each server's throughput (total bytes / wall time of the round), its CPU
#      time per GB sent, and feedwright's resident memory: idle, and the peak while serving
#      (sampled from /proc every 50 ms).
#
# The file is read once beforehand, so both servers send from the page cache: the figures are
# what serving costs, not what the disk can do. curl and the servers share the machine's
# cores; compare the servers within one run. It never fails because something is slow; it
# fails when a server does not send the right bytes (the figures would be meaningless).
#
# Environment:
#   BENCH_DIR        work directory (default /tmp/feedwright-media-bench)
#   BENCH_SIZE_MB    size of the episode file in MB (default 500)
#   BENCH_CLIENTS    concurrent downloads per round (default 10)
#   BENCH_ROUNDS     interleaved rounds; the table shows the median (default 3)
#   BENCH_PORT       first of two consecutive ports (default 18180)
#   BENCH_NO_BUILD   1: skip `cargo build --release`
#   BENCH_BIN        binary to benchmark (default target/release/feedwright)
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD

BENCH_DIR=${BENCH_DIR:-/tmp/feedwright-media-bench}
SIZE_MB=${BENCH_SIZE_MB:-500}
CLIENTS=${BENCH_CLIENTS:-10}
ROUNDS=${BENCH_ROUNDS:-3}
PORT=${BENCH_PORT:-18180}
BIN=${BENCH_BIN:-$ROOT/target/release/feedwright}
FW_PORT=$PORT
NGINX_PORT=$((PORT + 1))

log() { printf '%s\n' "$*" >&2; }
die() { log "media.sh: $*"; exit 1; }

missing=()
for tool in nginx curl sox lame; do
    command -v "$tool" >/dev/null || missing+=("$tool")
done
if ((${#missing[@]})); then
    log "== apt-get install ${missing[*]}"
    SUDO=$( ((EUID == 0)) || echo sudo)
    $SUDO apt-get install -y "${missing[@]}" >&2 || die "could not install ${missing[*]}"
fi
NGINX=$(command -v nginx)

if [[ ${BENCH_NO_BUILD:-0} != 1 ]]; then
    log "== cargo build --release"
    cargo build --release >&2
fi
[[ -x $BIN ]] || die "no binary at $BIN"

# ---------------------------------------------------------------- processes and cleanup

FW_PID='' NGINX_PID='' SAMPLER_PID=''
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
    stop "$SAMPLER_PID"
    stop "$NGINX_PID"
    stop "$FW_PID"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- helpers

cpu_ticks() { # PID...: utime+stime (clock ticks) summed over the processes
    local pid total=0 rest
    for pid in "$@"; do
        rest=$(sed 's/.*) //' "/proc/$pid/stat")
        # shellcheck disable=SC2086
        set -- $rest
        total=$((total + ${12} + ${13}))
    done
    echo "$total"
}

rss_kib() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status"; }

nginx_workers() {
    local pid
    for pid in $(ps -o pid= --ppid "$NGINX_PID"); do echo "$pid"; done
}

wait_for() { # URL PID [PATTERN]: until URL answers 200 (and its body contains PATTERN)
    local i body
    for ((i = 0; i < 600; i++)); do
        kill -0 "$2" 2>/dev/null || die "server (pid $2) exited: $(tail -n 3 "$BENCH_DIR/feedwright.err")"
        if body=$(curl -sf "$1") && [[ -z ${3:-} || $body == *"$3"* ]]; then
            return 0
        fi
        sleep 0.1
    done
    die "$1 not ready after 60 s"
}

# ---------------------------------------------------------------- the episode

CONTENT=$BENCH_DIR/content
MEDIA=$CONTENT/episodes/ep1.mp3
mkdir -p "$CONTENT/episodes" "$NGINX_DIR/logs"
WANT_BYTES=$((SIZE_MB * 1000 * 1000))
if [[ ! -f $MEDIA ]] || (($(stat -c %s "$MEDIA") < WANT_BYTES)); then
    log "== making a ${SIZE_MB} MB MP3"
    sox -n -r 44100 -c 2 "$BENCH_DIR/clip.wav" synth 10 sine 440 sine 660
    lame --quiet -t --cbr -b 320 "$BENCH_DIR/clip.wav" "$BENCH_DIR/clip.mp3"
    # 25 clips (~10 MB) at a time, until the size is reached.
    for ((i = 0; i < 25; i++)); do cat "$BENCH_DIR/clip.mp3"; done >"$BENCH_DIR/block.mp3"
    : >"$MEDIA.part"
    while (($(stat -c %s "$MEDIA.part") < WANT_BYTES)); do
        cat "$BENCH_DIR/block.mp3" >>"$MEDIA.part"
    done
    # An old file: published at once, whatever podcast.media_settle_ms is.
    touch -d '1 hour ago' "$MEDIA.part"
    mv "$MEDIA.part" "$MEDIA"
fi
SIZE=$(stat -c %s "$MEDIA")
cat >"$CONTENT/episodes/ep1.md" <<'EOF_MD'
---
title: Episode 1
date: 2024-01-01T10:00:00Z
enclosure: ep1.mp3
episode: 1
---
Show notes.
EOF_MD
cat >"$BENCH_DIR/feedwright.yaml" <<EOF_YAML
site:
  title: Media bench
  base_url: http://127.0.0.1:$FW_PORT/
content:
  dir: $CONTENT
server:
  listen: 127.0.0.1:$FW_PORT
podcast:
  section: episodes
  path: /podcast.xml
  author: Bench
  owner: {name: Bench, email: bench@example.com}
  categories: [Technology]
EOF_YAML
# Into the page cache, for both servers alike.
cat "$MEDIA" >/dev/null

# ---------------------------------------------------------------- servers

log "== starting feedwright on 127.0.0.1:$FW_PORT"
env -u RUST_LOG "$BIN" serve --config "$BENCH_DIR/feedwright.yaml" \
    >/dev/null 2>"$BENCH_DIR/feedwright.err" &
FW_PID=$!
wait_for "http://127.0.0.1:$FW_PORT/podcast.xml" "$FW_PID" "ep1.mp3"
ENCLOSURE=$(curl -s "http://127.0.0.1:$FW_PORT/podcast.xml" |
    grep -o '<enclosure [^>]*>' | head -n 1)
FW_URL=$(sed -n 's/.*url="\([^"]*\)".*/\1/p' <<<"$ENCLOSURE")
[[ $FW_URL == "http://127.0.0.1:$FW_PORT/media/"* ]] || die "unexpected enclosure: $ENCLOSURE"
[[ $ENCLOSURE == *"length=\"$SIZE\""* ]] || die "enclosure length is not $SIZE: $ENCLOSURE"
NG_URL="http://127.0.0.1:$NGINX_PORT/media/${FW_URL#*/media/}"

cat >"$NGINX_DIR/nginx.conf" <<EOF_NGINX
user root;
worker_processes 2;
pid $NGINX_DIR/nginx.pid;
error_log $NGINX_DIR/logs/error.log warn;
events { worker_connections 1024; }
http {
    types { audio/mpeg mp3; }
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    open_file_cache max=100;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location /media/ { alias $CONTENT/; }
    }
}
EOF_NGINX
log "== starting nginx on 127.0.0.1:$NGINX_PORT"
"$NGINX" -t -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" >/dev/null 2>&1 ||
    { "$NGINX" -t -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" || true; die "bad nginx config"; }
"$NGINX" -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" -g 'daemon off;' \
    2>"$NGINX_DIR/logs/stderr" &
NGINX_PID=$!
for ((i = 0; i < 50; i++)); do
    (($(nginx_workers | wc -l) >= 2)) && break
    sleep 0.1
done
kill -0 "$NGINX_PID" 2>/dev/null || die "nginx did not start: $(tail -n 2 "$NGINX_DIR/logs/stderr")"

# ---------------------------------------------------------------- same bytes

log "== checking both servers send the file's exact bytes"
for url in "$FW_URL" "$NG_URL"; do
    curl -sf "$url" | cmp -s - "$MEDIA" || die "$url: body differs from the file"
    curl -sf -r 1000000-1999999 "$url" | cmp -s - <(tail -c +1000001 "$MEDIA" | head -c 1000000) ||
        die "$url: range differs"
done

# ---------------------------------------------------------------- rounds

declare -A MBPS CPU
FW_IDLE_KIB=$(rss_kib "$FW_PID")
FW_PEAK_KIB=$FW_IDLE_KIB

round() { # SERVER URL -> appends to MBPS[SERVER], CPU[SERVER]
    local server=$1 url=$2 pids=() start end ticks0 ticks1 sizes i bad=0
    local procs
    if [[ $server == feedwright ]]; then procs=$FW_PID; else procs=$(nginx_workers | tr '\n' ' '); fi
    # shellcheck disable=SC2086
    ticks0=$(cpu_ticks $procs)
    if [[ $server == feedwright ]]; then
        (while :; do rss_kib "$FW_PID"; sleep 0.05; done >"$BENCH_DIR/rss.samples") &
        SAMPLER_PID=$!
    fi
    start=$(date +%s.%N)
    for ((i = 0; i < CLIENTS; i++)); do
        curl -s -o /dev/null -w '%{size_download}\n' "$url" >"$BENCH_DIR/size.$i" &
        pids+=($!)
    done
    wait "${pids[@]}"
    end=$(date +%s.%N)
    # shellcheck disable=SC2086
    ticks1=$(cpu_ticks $procs)
    if [[ $server == feedwright ]]; then
        stop "$SAMPLER_PID"
        SAMPLER_PID=''
        local peak
        peak=$(sort -n "$BENCH_DIR/rss.samples" | tail -n 1)
        ((peak > FW_PEAK_KIB)) && FW_PEAK_KIB=$peak
    fi
    for ((i = 0; i < CLIENTS; i++)); do
        sizes=$(cat "$BENCH_DIR/size.$i")
        [[ $sizes == "$SIZE" ]] || bad=1
    done
    ((bad == 0)) || die "$server: a client got fewer than $SIZE bytes"
    MBPS[$server]+="$(awk -v b="$((SIZE * CLIENTS))" -v s="$start" -v e="$end" \
        'BEGIN { printf "%.0f", b / (e - s) / 1e6 }') "
    CPU[$server]+="$(awk -v t="$((ticks1 - ticks0))" -v hz="$(getconf CLK_TCK)" \
        -v b="$((SIZE * CLIENTS))" 'BEGIN { printf "%.2f", t / hz / (b / 1e9) }') "
    log "   $server: $(awk '{ print $NF }' <<<"${MBPS[$server]}") MB/s"
}

median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

for ((r = 0; r < ROUNDS; r++)); do
    log "== round $((r + 1)) of $ROUNDS: $CLIENTS clients x ${SIZE_MB} MB"
    if ((r % 2 == 0)); then
        round feedwright "$FW_URL"
        round nginx "$NG_URL"
    else
        round nginx "$NG_URL"
        round feedwright "$FW_URL"
    fi
done
FW_AFTER_KIB=$(rss_kib "$FW_PID")

# ---------------------------------------------------------------- table

FW_MED=$(median <<<"${MBPS[feedwright]}")
NG_MED=$(median <<<"${MBPS[nginx]}")
echo
echo "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $CLIENTS clients each downloading $SIZE bytes, $ROUNDS rounds"
echo
echo "| server | MB/s per round | median MB/s | CPU s per GB sent (median) |"
echo "|---|---|---|---|"
for s in feedwright nginx; do
    printf '| %s | %s | %s | %s |\n' "$s" "$(xargs <<<"${MBPS[$s]}")" \
        "$(median <<<"${MBPS[$s]}")" "$(median <<<"${CPU[$s]}")"
done
echo
awk -v f="$FW_MED" -v n="$NG_MED" 'BEGIN { printf "feedwright / nginx throughput: %.1f %%\n", 100 * f / n }'
echo "feedwright resident memory: idle $((FW_IDLE_KIB / 1024)) MiB, peak while serving $((FW_PEAK_KIB / 1024)) MiB, after $((FW_AFTER_KIB / 1024)) MiB"
