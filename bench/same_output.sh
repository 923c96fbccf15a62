#!/usr/bin/env bash
# Byte-identity check for refactors: runs two feedwright binaries over the same inputs and
# diffs everything a user can see — `build --out` files, `check` output and exit codes, HTTP
# status lines, headers and bodies (identity, gzip, br, conditional and error answers, over
# HTTP/1.1 and h2c), and the log lines — after masking only what differs between any two
# runs of one binary (wall-clock times, durations, the ephemeral port).
#
#   bench/same_output.sh BEFORE_BIN AFTER_BIN      prints IDENTICAL, or the diff and exits 1
#
# Inputs: the bundled sample content, a generated 1k corpus (bench/gen_corpus.py, seed 1)
# and a small set of broken articles written below.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BEFORE=$(realpath "$1")
AFTER=$(realpath "$2")
WORK=${SAME_OUTPUT_DIR:-$(mktemp -d /tmp/feedwright-same.XXXXXX)}
mkdir -p "$WORK"

corpus=$WORK/corpus-1000
if [[ ! -f $corpus/.complete ]]; then
    rm -rf "$corpus"
    python3 "$ROOT/bench/gen_corpus.py" "$corpus" 1000 --seed 1 >/dev/null
    touch "$corpus/.complete"
fi

bad=$WORK/bad
rm -rf "$bad"; mkdir -p "$bad/posts" "$bad/_drafts" "$bad/notes/trip"
cat >"$bad/posts/2024-01-02-ok.md" <<'MD'
---
title: "Using <em>Option<T></em> &amp; friends"
tags: "rust, async"
author: {name: Ada, email: ada@example.com, uri: https://example.com/ada}
image: cover.png
lang: en_US
unknown_key: 1
---
Text with a [link](../other/) and ![img](pic.png) and $x^2$ math.

<!-- more -->

<script>alert(1)</script><iframe src="https://www.youtube.com/embed/abc" title="Clip"></iframe>
<img src="data:x" data-src="/real.jpg"> [^1]

[^1]: A footnote.
MD
printf -- '---\ntitle: Paris : été\ndate: 2024-01-01\n---\nbody\n' >"$bad/posts/colon.md"
printf -- '---\ntitle: x\n' >"$bad/posts/unterminated.md"
printf -- '---\ntitle: "a\\x01b"\ndate: 2024-02-30\n---\nbody\n' >"$bad/posts/escapes.md"
printf -- '---\ntitle: ctl\ndate: 2024-03-01\nid: "not a uri"\n---\nbad \001 char\n' >"$bad/posts/ctl.md"
printf -- '---\ntitle: Future\ndate: 2999-01-01\n---\nlater\n' >"$bad/posts/future.md"
printf -- '---\ntitle: Draft\ndate: 2024-01-01\n---\ndraft\n' >"$bad/_drafts/d.md"
printf -- '---\ntitle: Pod\ndate: 2024-01-05\nenclosure: a.mp3\ndraft: yes\n---\nx\n' >"$bad/posts/pod.md"
printf -- '---\ntitle: Bundle\ndate: 2024-01-06 10:00:00 +0100\nupdated: 2024-01-01\n---\n<p>html body <b>x</b><math><mi>x</mi></math></p>\n' >"$bad/notes/trip/index.html"
printf '' >"$bad/posts/empty.md"
printf -- '+++\ntitle = "toml"\n+++\n' >"$bad/posts/toml.md"
printf -- '---\ntitle: Dup\ndate: 2024-01-02\nslug: ok\n---\nsame permalink\n' >"$bad/posts/dup.md"

mask() {
    sed -E \
        -e 's/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z/TIME/' \
        -e 's/"timestamp":"[^"]*"/"timestamp":"TIME"/' \
        -e 's/(duration_(ms|us)[=":]+)[0-9.]+/\1N/g' \
        -e 's/127\.0\.0\.1:[0-9]+/127.0.0.1:PORT/g' \
        -e 's/^date: .*/date: DATE/I' \
        -e 's/user_agent="[^"]*"/user_agent=UA/' \
        -e "s#$WORK/(before|after)/#OUT/#g"
}

# One binary's whole visible behaviour into dir $2.
observe() {
    local bin=$1 out=$2
    rm -rf "$out"; mkdir -p "$out"
    local name dir
    for name in sample corpus bad; do
        case $name in sample) dir=$ROOT/content ;; corpus) dir=$corpus ;; bad) dir=$bad ;; esac
        for strict in "" --strict; do
            set +e
            "$bin" check $strict --content "$dir" --base-url https://example.com/blog/ \
                >"$out/check-$name$strict.out" 2>"$out/check-$name$strict.err"
            echo "exit $?" >>"$out/check-$name$strict.out"
            set -e
            mask <"$out/check-$name$strict.err" >"$out/check-$name$strict.err.m" && mv "$out/check-$name$strict.err.m" "$out/check-$name$strict.err"
        done
        set +e
        "$bin" build --content "$dir" --base-url https://example.com/blog/ --out "$out/build-$name" \
            >"$out/build-$name.out" 2>"$out/build-$name.err"
        echo "exit $?" >>"$out/build-$name.out"
        set -e
        mask <"$out/build-$name.err" >"$out/build-$name.err.m" && mv "$out/build-$name.err.m" "$out/build-$name.err"
        serve "$bin" "$dir" "$out/serve-$name" text
    done
    serve "$bin" "$ROOT/content" "$out/serve-json" json nobase
}

serve() {
    local bin=$1 dir=$2 out=$3 format=$4 nobase=${5:-}
    mkdir -p "$out"
    local log=$out/log.raw args=(--content "$dir")
    # Without a base URL the feeds link to the listening address: one fixed port for both.
    if [[ -n $nobase ]]; then args+=(--listen "127.0.0.1:$FIXED_PORT"); else
        args+=(--listen 127.0.0.1:0 --base-url https://example.com/blog/); fi
    FEEDWRIGHT_LOG_FORMAT=$format "$bin" serve "${args[@]}" >"$log" 2>&1 &
    local pid=$!
    local addr="" i
    for ((i = 0; i < 100; i++)); do
        addr=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" 2>/dev/null | head -1 || true)
        # Ready when the first load is logged (polling /readyz would add log lines).
        [[ -n $addr ]] && grep -q 'content loaded' "$log" && break
        sleep 0.1
    done
    [[ -n $addr ]] || { echo "no listen line from $bin" >&2; kill $pid; return 1; }
    local n=0 path
    req() { # name, curl args...
        n=$((n + 1))
        local tag; tag=$(printf '%02d-%s' "$n" "$1"); shift
        curl -s -D "$out/$tag.head" -o "$out/$tag.body" "$@" || echo "curl exit $?" >>"$out/$tag.head"
        mask <"$out/$tag.head" | tr -d '\r' >"$out/$tag.h" && rm "$out/$tag.head"
        # curl --head writes the head as the body too.
        if [[ $tag == *-head_* ]]; then mask <"$out/$tag.body" >"$out/$tag.b" && mv "$out/$tag.b" "$out/$tag.body"; fi
    }
    for path in / /feed.xml /rss.xml /atom.xml /healthz /readyz /nope; do
        local p=${path//\//_}
        req "get$p" "$addr$path"
        req "gzip$p" -H 'Accept-Encoding: gzip' "$addr$path"
        req "br$p" -H 'Accept-Encoding: br;q=1, gzip;q=0.5' "$addr$path"
        req "head$p" -I "$addr$path"
    done
    local etag lm
    etag=$(curl -s -D - -o /dev/null "$addr/atom.xml" | tr -d '\r' | sed -n 's/^etag: //Ip')
    lm=$(curl -s -D - -o /dev/null "$addr/atom.xml" | tr -d '\r' | sed -n 's/^last-modified: //Ip')
    req inm -H "If-None-Match: $etag" "$addr/atom.xml"
    req inm-weak -H "If-None-Match: W/$etag, \"x\"" "$addr/atom.xml"
    req inm-star -H 'If-None-Match: *' "$addr/atom.xml"
    req ims -H "If-Modified-Since: $lm" "$addr/atom.xml"
    req ims-old -H 'If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT' "$addr/atom.xml"
    req ims-850 -H 'If-Modified-Since: Sunday, 06-Nov-94 08:49:37 GMT' "$addr/atom.xml"
    req ims-asctime -H 'If-Modified-Since: Sun Nov  6 08:49:37 1994' "$addr/atom.xml"
    req ims-bad -H 'If-Modified-Since: yesterday' "$addr/atom.xml"
    req im-miss -H 'If-Match: "nope"' "$addr/atom.xml"
    req im-hit -H "If-Match: $etag" "$addr/atom.xml"
    req ius-old -H 'If-Unmodified-Since: Sun, 06 Nov 1994 08:49:37 GMT' "$addr/atom.xml"
    req ae-none -H 'Accept-Encoding: identity;q=0, *;q=0' "$addr/atom.xml"
    req post -X POST "$addr/atom.xml"
    req options -X OPTIONS "$addr/"
    req badhost -H 'Host: bad host' "$addr/atom.xml"
    req query "$addr/atom.xml?x=1"
    req h2 --http2-prior-knowledge -H 'Accept-Encoding: gzip' "$addr/feed.xml"
    req h2-inm --http2-prior-knowledge -H "If-None-Match: $etag" "$addr/atom.xml"
    curl -s "$addr/metrics" | grep '^#' >"$out/metrics-names" || true
    sleep 0.5 # let the last client connection close, so the shutdown line counts none
    kill -TERM $pid; wait $pid || true
    grep -v '"/metrics"\|path="/metrics"' "$log" | mask >"$out/log"
    rm "$log"
}

FIXED_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
observe "$BEFORE" "$WORK/before"
observe "$AFTER" "$WORK/after"
if diff -r "$WORK/before" "$WORK/after"; then
    echo IDENTICAL
else
    echo "DIFFERENT (outputs kept in $WORK)" >&2
    exit 1
fi
