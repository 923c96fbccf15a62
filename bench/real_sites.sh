#!/usr/bin/env bash
# Figures for real sites' content folders (issue 14): how many posts `check` and `build`
# see, publish and reject, and why. Prints figures only, never the posts.
#
#   bench/real_sites.sh [--bin BIN] CONTENT_DIR...
#
# Per site: files with an article extension (`.md`, `.markdown`, `.html`, `.mdx`, hidden
# files and folders left out), how many `check` parsed (listing pages such as `_index.md`
# are skipped before that), how many are published, not published (drafts, future, hidden
# by the generator's rules), rejected with an error, and the errors and warnings counted by
# reason (the message with paths, quoted values and numbers blanked). Then what `build`
# wrote (with `feeds.limit` raised so every published post is an entry): the entries of
# the Atom feed, and how many of them are credited to the site's default author.
#
# Environment:
#   REAL_SITES_PERMALINK  `content.permalink` for the run (default `/{year}/{month}/{day}/{slug}/`,
#                         the Jekyll/Hugo dated pattern, so posts that share a slug across
#                         years are not counted as duplicates)
#   REAL_SITES_BASE_URL   `site.base_url` (default https://example.com/)
#   VALIDATE_FEED         the validator wrapper (default ../shared/tools/validate-feed): when
#                         it is there, both feeds are judged with `--strict`, and its errors and
#                         warnings are counted by class
set -euo pipefail

cd "$(dirname "$0")/.."
BIN=target/debug/feedwright
if [[ ${1:-} == --bin ]]; then
    BIN=$2
    shift 2
fi
if (($# == 0)); then
    echo "usage: $0 [--bin BIN] CONTENT_DIR..." >&2
    exit 2
fi
[[ -x $BIN ]] || { echo "no binary at $BIN (cargo build first)" >&2; exit 2; }
# The W3C validator wrapper (../shared/tools/VALIDATOR.md); skipped when not there.
VALIDATE=${VALIDATE_FEED:-../shared/tools/validate-feed}

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
PERMALINK=${REAL_SITES_PERMALINK:-'/{year}/{month}/{day}/{slug}/'}
cat >"$WORK/config.yaml" <<EOF
site:
  title: Real site
  base_url: ${REAL_SITES_BASE_URL:-https://example.com/}
content:
  permalink: "$PERMALINK"
feeds:
  limit: 100000
EOF

# A message reduced to its reason: no path, quoted values, numbers or long tails.
reasons() {
    sed -E -e 's/^.*:[0-9]+:[0-9]+: (error|warning): //' \
        -e 's/`[^`]*`/`…`/g' -e 's/"[^"]*"/"…"/g' -e 's/[0-9]+/N/g' |
        cut -c1-110 | sort | uniq -c | sort -rn | sed 's/^/      /'
}

for dir in "$@"; do
    dir=${dir%/}
    files=$(find "$dir" -name '.*' -prune -o -type f \
        \( -iname '*.md' -o -iname '*.markdown' -o -iname '*.html' -o -iname '*.mdx' \) -print | wc -l)
    set +e
    "$BIN" check --config "$WORK/config.yaml" --content "$dir" >"$WORK/check.out" 2>"$WORK/check.err"
    check_rc=$?
    "$BIN" build --config "$WORK/config.yaml" --content "$dir" --out "$WORK/out" >"$WORK/build.out" 2>"$WORK/build.err"
    build_rc=$?
    set -e
    summary=$(grep '^checked ' "$WORK/check.err" | tail -1)
    parsed=$(sed -E 's/^checked ([0-9]+) file.*/\1/' <<<"$summary")
    published=$(sed -E 's/.*: ([0-9]+) published.*/\1/' <<<"$summary")
    rejected=$(grep -c ': error: ' "$WORK/check.out" || true)
    rejected_files=$({ grep ': error: ' "$WORK/check.out" || true; } | sed -E 's/:[0-9]+:[0-9]+: error: .*//' | sort -u | wc -l)
    duplicates=$(grep -c ': error: duplicate ' "$WORK/check.out" || true)
    warnings=$(grep -c ': warning: ' "$WORK/check.out" || true)
    entries=$(grep -o '<entry>' "$WORK/out/atom.xml" 2>/dev/null | wc -l)
    # Entries whose author is the site default (the config's title): no post author read.
    default_author=$({ grep -o '<entry>.*' "$WORK/out/atom.xml" 2>/dev/null || true; } | sed 's/<entry>/\n<entry>/g' |
        grep -c '<author><name>Real site</name>' || true)
    built=$({ grep -E '^[0-9]+ published' "$WORK/build.err" || echo '? published'; } | sed -E 's/ published.*//')
    # Parsed without error but not published: drafts, future, hidden by a generator rule.
    parse_errors=$((rejected_files - duplicates))
    echo "== $dir"
    echo "   article files: $files   listing pages skipped: $((files - parsed))   read by check: $parsed   published: $published   not published (draft/future/hidden/MDX with JSX): $((parsed - published - rejected_files))"
    echo "   rejected: $rejected_files files ($parse_errors with a parse error, $duplicates duplicate permalink/id)   warnings: $warnings   check exit: $check_rc"
    echo "   build: exit $build_rc, $built published, $entries entries in atom.xml, $default_author of them credited to the site default author"
    if ((rejected > 0)); then
        echo "   errors by reason:"
        grep ': error: ' "$WORK/check.out" | reasons
    fi
    if ((warnings > 0)); then
        echo "   warnings by reason:"
        grep ': warning: ' "$WORK/check.out" | reasons
    fi
    if [[ -x $VALIDATE ]]; then
        for feed in feed.xml atom.xml; do
            [[ -f $WORK/out/$feed ]] || continue
            "$VALIDATE" "$WORK/out/$feed" --strict --base "${REAL_SITES_BASE_URL:-https://example.com/}$feed" \
                >"$WORK/validate.out" 2>&1 || true
            errors=$(grep -c '^ERROR' "$WORK/validate.out" || true)
            warns=$(grep -c '^WARNING' "$WORK/validate.out" || true)
            classes=$({ grep -oE '^(ERROR|WARNING).*\[[A-Za-z]+\]$' "$WORK/validate.out" || true; } |
                sed -E 's/^(ERROR|WARNING).*\[([A-Za-z]+)\]$/\1 \2/' | sort | uniq -c | sed -E 's/^ +//' | paste -sd, -)
            echo "   validator $feed: $errors errors, $warns warnings${classes:+ ($classes)}"
        done
    fi
    rm -rf "$WORK/out"
done
