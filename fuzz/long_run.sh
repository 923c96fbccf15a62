#!/usr/bin/env bash
# The long fuzzing run (see README.md): every target for MINUTES minutes, in two lanes at
# nice 19, libFuzzer in fork mode so a crash, timeout or OOM is saved and the run goes on.
# Working corpora go to corpus-run/<target> (seeded from corpus/<target>), findings to
# artifacts/<target>/, each target's log to logs/<target>.log. Expects built targets
# (`cargo fuzz build -s none`, or .ci/run's build). The run of 2026-12-06 had no
# dictionaries in its first pass (see README.md).
set -euo pipefail
cd "$(dirname "$0")"
MINUTES=${MINUTES:-17}
BIN=${BIN:-target/x86_64-unknown-linux-gnu/release}
lanes=("article render_html config" "render_markdown http dates")

run_target() {
  local target=$1 dict=()
  case $target in
    article | config | http) dict=(-dict="dicts/$target.dict") ;;
    render_*) dict=(-dict=dicts/markup.dict) ;;
  esac
  mkdir -p "corpus-run/$target" "artifacts/$target" logs
  nice -n 19 "$BIN/$target" "corpus-run/$target" "corpus/$target" "${dict[@]}" \
    -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -max_total_time=$((MINUTES * 60)) -timeout=10 -rss_limit_mb=1536 -max_len=65536 \
    -artifact_prefix="artifacts/$target/" >"logs/$target.log" 2>&1 || true
}

for lane in "${lanes[@]}"; do
  (for target in $lane; do run_target "$target"; done) &
done
wait
for log in logs/*.log; do
  echo "== $log"
  grep -E '^#[0-9]+: cov' "$log" | tail -n 1
  grep -E '^INFO: exiting|^INFO: fuzzed for' "$log" | tail -n 1
done
