#!/usr/bin/env bash
# usage: template_syntax_count.sh BINARY CONTENT_DIR [BASE_URL]
# Runs `check` and `build` (every entry in the feeds) on a content folder and prints: posts,
# published entries, check's warnings and errors, and how many entries of the built Atom
# feed still show template syntax (`{%`, `{{<`, `{{%`, `{:`) in their content. With
# KEEP=DIR the built feeds are left in DIR (to validate them).
set -u
bin=$1; dir=$2; base=${3:-https://example.com/}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=${KEEP:-$work/out}
cat >"$work/config.yaml" <<YAML
site: {title: Test, base_url: "$base"}
content: {dir: "$dir"}
feeds: {limit: 100000}
YAML
posts=$(find "$dir" -type f \( -name '*.md' -o -name '*.markdown' -o -name '*.html' \) | wc -l)
"$bin" --config "$work/config.yaml" check >"$work/check.txt" 2>&1
echo "check exit: $?"
warnings=$(grep -c ': warning:' "$work/check.txt")
errors=$(grep -c ': error:' "$work/check.txt")
"$bin" --config "$work/config.yaml" build --out "$out" >"$work/build.txt" 2>&1 || echo "build failed: $(tail -3 "$work/build.txt")"
atom=$(find "$out" -name '*.xml' -o -name '*.atom' | xargs grep -l '<feed' | head -1)
python3 - "$atom" "$posts" "$warnings" "$errors" "$work/check.txt" <<'PY'
import sys, xml.etree.ElementTree as ET, re, collections
atom, posts, warnings, errors, check = sys.argv[1:]
ns = {"a": "http://www.w3.org/2005/Atom"}
entries = ET.parse(atom).getroot().findall("a:entry", ns)
marks = ["{%", "{{<", "{{%", "{:"]
content = lambda e: e.findtext("a:content", "", ns) or ""
showing = [e for e in entries if any(m in content(e) for m in marks)]
# Posts about templates show them in code, as the site did: counted apart.
no_code = lambda c: re.sub(r"(?s)<pre.*?</pre>|<code.*?</code>", "", c)
outside = [e for e in showing if any(m in no_code(content(e)) for m in marks)]
print(f"posts {posts}, published {len(entries)}, check warnings {warnings}, errors {errors}, entries showing template syntax {len(showing)} (outside code: {len(outside)})")
for e in showing[:10]:
    c = e.findtext("a:content", "", ns)
    m = min((c.find(k) for k in marks if k in c))
    print("  ", e.findtext("a:title", "", ns)[:50], "|", c[max(0, m - 30):m + 40].replace("\n", " "))
kinds = collections.Counter(re.sub(r".*: (warning|error): ", r"\1: ", l).split("`")[0] + "`" + (l.split("`")[1] if "`" in l else "") + "`" for l in open(check) if ": warning:" in l or ": error:" in l)
for k, n in kinds.most_common(12):
    print(f"   {n:4} {k[:110]}")
PY
