#!/usr/bin/env bash
# Group-feed bounds (SPEC §12, issue 16 item 5): a 10,000-article corpus with 2,000 tags and
# 50 authors (bench/gen_corpus.py --tags --authors), served by the daemon.
#
#   bench/groups.sh [N TAGS AUTHORS]        default: 10000 2000 50
#
# Prints: the first load (the daemon's `site feeds served` and `content loaded` durations,
# the wall time from start until /readyz answers 200 and until every feed is served, and its
# CPU time), resident memory (VmRSS, VmHWM from /proc) after the
# load and after every group feed was fetched once in identity, gzip and br (which makes
# their compressed forms), and the republish time of single edits (the `reloaded
# duration_ms` of GROUPS_EDITS edits of an article's body, each in several tag feeds; the
# edited tag feed is fetched after each to check it changed).
#
# Environment: GROUPS_DIR (corpora and logs, default /tmp/feedwright-groups), GROUPS_EDITS
# (default 10), GROUPS_LOG_LEVEL (`debug` adds each publish step's time), BENCH_BIN (default target/release/feedwright; build it first). The daemon
# is stopped by its PID on exit; nothing else is killed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
N=${1:-10000}
TAGS=${2:-2000}
AUTHORS=${3:-50}
DIR=${GROUPS_DIR:-/tmp/feedwright-groups}
EDITS=${GROUPS_EDITS:-10}
BIN=$(realpath "${BENCH_BIN:-target/release/feedwright}")
mkdir -p "$DIR"

corpus=$DIR/corpus-$N-$TAGS-$AUTHORS
if [[ ! -f $corpus/.complete ]]; then
    rm -rf "$corpus"
    python3 "$ROOT/bench/gen_corpus.py" "$corpus" "$N" --seed 1 --tags "$TAGS" --authors "$AUTHORS"
    touch "$corpus/.complete"
fi
work=$DIR/work
rm -rf "$work"
cp -r "$corpus" "$work"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
log=$DIR/daemon.log
pid=
cleanup() {
    if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid"; sleep 1; kill -9 "$pid" 2>/dev/null || true
    fi
}
trap cleanup EXIT

start=$(date +%s.%N)
FEEDWRIGHT_LOG_LEVEL=${GROUPS_LOG_LEVEL:-info} "$BIN" serve --content "$work" --listen "127.0.0.1:$port" --base-url "http://127.0.0.1:$port/" >"$log" 2>&1 &
pid=$!
until curl -sf -o /dev/null "http://127.0.0.1:$port/readyz"; do sleep 0.02; done
ready=$(date +%s.%N)
# A large site's group feeds and archives come after the site feeds (`content loaded`).
until grep -q 'content loaded' "$log"; do sleep 0.02; done
complete=$(date +%s.%N)
mem() { awk '/^VmRSS|^VmHWM/ {printf "%s %.1f MiB  ", $1, $2/1024}' "/proc/$pid/status"; echo; }

echo "corpus: $N articles, $TAGS tags, $AUTHORS authors ($(du -sh "$corpus" | cut -f1))"
echo "first load, site feeds served: $(grep -o 'site feeds served.*' "$log" | grep -o 'duration_ms=[0-9.]*' || echo 'n/a (one publish)'), wall to /readyz 200: $(python3 -c "print(f'{($ready-$start)*1000:.0f} ms')")"
echo "first load, every feed: $(grep -o 'content loaded.*' "$log" | grep -o 'duration_ms=[0-9.]*'), wall: $(python3 -c "print(f'{($complete-$start)*1000:.0f} ms')")"
echo "CPU of the first load (user, system): $(awk '{printf "%.2f s, %.2f s", $14/100, $15/100}' "/proc/$pid/stat")"
echo "after load:        $(mem)"
curl -s "http://127.0.0.1:$port/tags/" | grep -o 'href="[^"]*/tags/[^"]*/\(feed\|atom\).xml"' | sed 's/href="//; s/"$//' | sort -u >"$DIR/tag-urls"
curl -s "http://127.0.0.1:$port/authors/" | grep -o 'href="[^"]*/authors/[^"]*/\(feed\|atom\).xml"' | sed 's/href="//; s/"$//' | sort -u >>"$DIR/tag-urls"
echo "group feeds: $(wc -l <"$DIR/tag-urls") documents"
fetch_start=$(date +%s.%N)
python3 - "$DIR/tag-urls" <<'PY'
import sys, urllib.request
urls = [u.strip() for u in open(sys.argv[1]) if u.strip()]
for enc in ("identity", "gzip", "br"):
    for u in urls:
        req = urllib.request.Request(u, headers={"Accept-Encoding": enc})
        with urllib.request.urlopen(req) as r:
            r.read()
PY
fetch_end=$(date +%s.%N)
echo "fetched every group feed in identity, gzip and br: $(python3 -c "print(f'{($fetch_end-$fetch_start):.1f} s')")"
echo "after fetching:    $(mem)"

# Edits: an article with several tags, its body changed each time.
target=$(grep -l '^tags: \[[^]]*,[^]]*,' -r "$work" --include='*.md' | sort | head -1 || true)
tag=$(sed -n 's/^tags: \[\([^],]*\),.*/\1/p' "$target" | tr -d "'\"")
slug=$(python3 -c "import sys,re,unicodedata; t=unicodedata.normalize('NFKD',sys.argv[1]).encode('ascii','ignore').decode().lower(); print(re.sub('[^a-z0-9]+','-',t).strip('-'))" "$tag")
for i in $(seq 1 "$EDITS"); do
    before=$(grep -c 'reloaded' "$log" || true)
    printf '\nEdit number %s of this article.\n' "$i" >>"$target"
    until (( $(grep -c 'reloaded' "$log" || true) > before )); do sleep 0.01; done
    curl -s -o "$DIR/tag-feed" "http://127.0.0.1:$port/tags/$slug/feed.xml"
    grep -q "Edit number $i of this article" "$DIR/tag-feed" || echo "edit $i: tag feed /tags/$slug/ not updated" >&2
    sleep 0.3
done
echo "republish after one edit (ms, $EDITS edits): $(grep -o 'reloaded.*' "$log" | grep -o 'duration_ms=[0-9.]*' | cut -d= -f2 | sort -n | tr '\n' ' ')"
echo "after edits:       $(mem)"
if grep -q '"rendered"\|rendered ' "$log"; then
    echo "last publish, by step (GROUPS_LOG_LEVEL=debug):"
    grep -E ' (rendered|snapshot built)' "$log" | tail -2 | sed 's/^[^ ]* *[A-Z]* *//'
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
