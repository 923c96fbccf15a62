#!/usr/bin/env python3
"""Generate a synthetic, deterministic corpus of Markdown articles for benchmarking.

    python3 bench/gen_corpus.py OUT_DIR N [--seed S] [--hugo] [--tags T] [--authors A]

Without --hugo, OUT_DIR becomes a feedwright content directory: N articles of about 6 KB
spread over posts/, notes/, news/<year>/ and guides/<topic>/, named
YYYY-MM-DD-some-slug-N.md, with YAML front matter.

With --tags T, each article's 1-5 tags come from a pool of T generated tags (some
spelled with capitals or accents, so slugs fold them) instead of the fixed list; with
--authors A, every article names one author from a pool of A generated names. Both use their
own random streams, so the rest of each article stays the same.

With --hugo, OUT_DIR becomes a minimal Hugo site holding the same N articles under
content/posts/ (same front matter, `updated` spelled `lastmod`), a config.toml limiting
RSS to 20 items, and an RSS template that emits the full `.Content` of each item.

Every article is generated from its own seeded random.Random(f"{seed}:{i}"), so article i
is byte-for-byte the same for any N and across runs and machines (Python >= 3.2). All text
is assembled from the word lists below; nothing is copied from real articles.
Standard library only.
"""

import argparse
import datetime as dt
import os
import random
import sys

# --------------------------------------------------------------------------- word lists

WORDS = """
about above account across action active actual adapt add address admit adopt advance
after again agent agree ahead allow almost alone along already alter amount angle animal
answer anyone appear apply approach area argue around arrive article aside assume attach
attempt author autumn avoid aware balance basic basket battery become before begin behind
belief below benefit beside better beyond bicycle binary blanket border borrow bottle
branch bread bridge bright bring broad budget buffer build burden button cabin cable
cache camera canvas carbon carry castle casual center chain chance change channel chapter
charge check choice circle claim clean clear climb clock close cloud coast coffee collect
column comfort common compare compile concert confirm connect consider constant contain
content context control corner cotton count course cover craft create credit culture
current custom cycle daily damage danger debate decide declare deep default define degree
delay deliver demand depend deploy design detail device dinner direct discover display
distance divide domain double draft drawer dream drive during early earth easily effect
effort either element empty enable energy engine enough entire entry escape estimate even
evening event exact example except exchange expect explain export extend fabric factor
fairly family famous feature field figure filter final finger finish flavor flight floor
follow forest format forward frame fresh friend front future garden gather gentle global
golden gradual ground growth guard guide habit handle harbor hardly harvest header health
heavy hidden history holiday honest horizon hungry ignore image impact import include
index inside instead island itself journal journey kernel kitchen ladder language large
later launch layer leader lesson letter level library light limit linear listen little
local lovely machine manage manual market matter meadow measure medium memory method
middle minute mirror modern moment morning motion mountain native nature nearly network
neutral notice number object ocean offer office often orange order origin output owner
package paper parallel parent partial pattern pencil people period permit picture pocket
police portion possible powder prefer present pretty prevent printer private process
produce profile project proper public purple puzzle quarter question quiet random rather
reader reason record reduce region remote render repair report rescue result return review
river rocket rough router saddle safety sample schema screen search season second select
sense series server settle shadow shelter signal silver simple single sketch slowly smooth
socket source spring square stable station steady stream street strong studio subject
sudden summer supply switch symbol system table target thread ticket timber token toward
travel trellis tunnel update useful valley vector version vessel village visible volume
wander warm weather window winter wooden worker writer yellow yesterday
""".split()

ACCENTED = """
café crème naïve résumé façade déjà über Straße Grüße smörgåsbord fjörður jalapeño
señora piñata Ångström coöperate Zürich São Paulo Kraków Łódź Brno Plzeň garçon élan
""".split()

CYRILLIC = """
привет город река книга утро вечер дорога ветер окно поезд хлеб вода солнце снег
письмо время дом улица лето зима сад мост
""".split()

CJK = ["東京", "日本語", "中文", "漢字", "新しい", "記事", "ブログ", "한국어", "서울", "春天",
       "咖啡", "図書館", "電車", "山", "海"]

EMOJI = ["🚀", "✨", "🎉", "☕", "📚", "🌍", "🔥", "🐍", "🦀", "💡", "🍞", "🚆", "😀", "👍🏽"]

TAGS = ["rust", "python", "go", "feeds", "rss", "atom", "web", "css", "html", "linux",
        "networking", "databases", "cooking", "bread", "travel", "trains", "photography",
        "music", "books", "reading", "gardening", "cycling", "hiking", "climbing",
        "history", "design", "typography", "performance", "testing", "security", "privacy",
        "open-source", "tools", "editors", "shell", "devops", "kubernetes", "hardware",
        "keyboards", "coffee", "tea", "weekly", "links", "notes", "meta", "writing",
        "café", "日本", "путешествия", "über-alles", "c++", "c#", "año-nuevo", "science",
        "math", "astronomy", "weather", "maps", "accessibility", "i18n"]

AUTHORS = ["Mira Okafor", "Jonas Lindqvist", "Amélie Durand", "Sergei Volkov",
           "Хана Новак", "Tomás Ibáñez", "Yuki Tanaka", "田中 花子", "Priya Raman",
           "Oluwaseun Adeyemi", "Zoë O'Brien", "Mateusz Wiśniewski"]

CODE_LANGS = ["rust", "python", "sh", "yaml", "json", "go", "text"]

OFFSETS = ["Z", "+00:00", "+01:00", "+02:00", "-05:00", "-08:00", "+05:30", "+09:00",
           "-03:30", "+10:00"]

FOLDERS = [("posts", 45), ("notes", 20), ("news", 20), ("guides", 10), ("links", 5)]
GUIDE_TOPICS = ["rust", "web", "ops", "kitchen"]

DATE_MIN = dt.datetime(2012, 1, 1)
DATE_SPAN_DAYS = (dt.datetime(2025, 6, 30) - DATE_MIN).days  # everything is in the past

# --------------------------------------------------------------------------- YAML helpers

YAML_PLAIN_BAD = set(":#&*!|>'\"%@`{}[],?")
YAML_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"}


def yaml_str(s, rnd):
    """A YAML scalar for s: plain when that is safe (and the dice say so), else quoted."""
    plain_ok = (
        s
        and s == s.strip()
        and not any(c in YAML_PLAIN_BAD for c in s)
        and s.lower() not in YAML_RESERVED
        and not s[0].isdigit()
        and not s.startswith(("-", "."))
    )
    style = rnd.random()
    if plain_ok and style < 0.7:
        return s
    if style < 0.85 or '"' in s and "'" not in s:
        return "'" + s.replace("'", "''") + "'"
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --------------------------------------------------------------------------- text helpers


def word(rnd):
    r = rnd.random()
    if r < 0.94:
        return rnd.choice(WORDS)
    if r < 0.97:
        return rnd.choice(ACCENTED)
    if r < 0.985:
        return rnd.choice(CYRILLIC)
    return rnd.choice(CJK)


def words(rnd, n):
    return " ".join(word(rnd) for _ in range(n))


def sentence(rnd, lo=6, hi=18):
    s = words(rnd, rnd.randint(lo, hi))
    s = s[0].upper() + s[1:]
    if rnd.random() < 0.05:
        s += " " + rnd.choice(EMOJI)
    return s + rnd.choice([".", ".", ".", ".", "?", "!"])


def slugify(ws):
    return "-".join(ws)


def inline(rnd, ctx):
    """One inline element: link, emphasis, code span, image, or plain words."""
    r = rnd.random()
    text = words(rnd, rnd.randint(1, 4))
    if r < 0.10:
        return f"[{text}](../{ctx['other_slug']()}/)"
    if r < 0.16:
        return f"[{text}](/{rnd.choice(['posts', 'notes', 'guides/rust'])}/{ctx['other_slug']()}/)"
    if r < 0.26:
        host = rnd.choice(["example.org", "example.com", "docs.example.net", "wiki.example.org"])
        path = "/".join(rnd.choice(WORDS) for _ in range(rnd.randint(1, 3)))
        q = f"?q={rnd.choice(WORDS)}&page={rnd.randint(1, 9)}" if rnd.random() < 0.2 else ""
        return f"[{text}](https://{host}/{path}{q})"
    if r < 0.28:
        return f"<https://example.org/{rnd.choice(WORDS)}>"
    if r < 0.38:
        return f"*{text}*"
    if r < 0.45:
        return f"**{text}**"
    if r < 0.48:
        return f"_{text}_"
    if r < 0.56:
        ident = "_".join(rnd.choice(WORDS) for _ in range(rnd.randint(1, 3)))
        return f"`{ident}()`" if rnd.random() < 0.5 else f"`{ident}`"
    if r < 0.58:
        return f"![{text}]({ctx['image']()})"
    if r < 0.60:
        return rnd.choice(EMOJI)
    if r < 0.62:
        return " ".join(rnd.choice(CYRILLIC) for _ in range(rnd.randint(2, 5)))
    if r < 0.63:
        return "".join(rnd.choice(CJK) for _ in range(rnd.randint(2, 4)))
    return text


def paragraph(rnd, ctx):
    parts = []
    for _ in range(rnd.randint(2, 5)):
        s = sentence(rnd)
        # sprinkle inline elements inside the sentence
        if rnd.random() < 0.8:
            ws = s.split(" ")
            for _ in range(rnd.randint(1, 3)):
                pos = rnd.randint(1, max(1, len(ws) - 1))
                ws.insert(pos, inline(rnd, ctx))
            s = " ".join(ws)
        parts.append(s)
    text = " ".join(parts)
    # wrap at ~90 columns like hand-written Markdown
    out, line = [], ""
    for w in text.split(" "):
        if line and len(line) + 1 + len(w) > 90:
            out.append(line)
            line = w
        else:
            line = f"{line} {w}" if line else w
    out.append(line)
    return "\n".join(out)


def code_block(rnd):
    lang = rnd.choice(CODE_LANGS)
    names = [rnd.choice(WORDS) for _ in range(4)]
    if lang == "rust":
        body = (f"fn {names[0]}_{names[1]}(input: &str) -> Option<usize> {{\n"
                f"    let {names[2]} = input.find(\"{names[3]}\")?;\n"
                f"    // {words(rnd, 5)}\n"
                f"    Some({names[2]} * 2 + 1)\n}}")
    elif lang == "python":
        body = (f"def {names[0]}_{names[1]}(items):\n"
                f"    \"\"\"{sentence(rnd, 4, 8)}\"\"\"\n"
                f"    return [x for x in items if x.{names[2]} > {rnd.randint(1, 99)}]")
    elif lang == "sh":
        body = (f"$ {names[0]} --{names[1]} ./{names[2]}/ | grep -c '{names[3]}'\n"
                f"{rnd.randint(1, 500)}\n$ echo \"done & dusted <ok>\"")
    elif lang == "yaml":
        body = (f"{names[0]}:\n  {names[1]}: {rnd.randint(1, 100)}\n"
                f"  {names[2]}: [\"{names[3]}\", \"{rnd.choice(ACCENTED)}\"]")
    elif lang == "json":
        body = f'{{"{names[0]}": {rnd.randint(1, 9)}, "{names[1]}": ["{names[2]}", "{names[3]}"]}}'
    elif lang == "go":
        body = (f"func {names[0].title()}({names[1]} string) error {{\n"
                f"\treturn fmt.Errorf(\"{names[2]}: %w\", err)\n}}")
    else:
        body = "\n".join(words(rnd, rnd.randint(4, 9)) for _ in range(rnd.randint(2, 4)))
    fence = "```" if rnd.random() < 0.9 else "~~~"
    return f"{fence}{lang}\n{body}\n{fence}"


def block(rnd, ctx):
    r = rnd.random()
    if r < 0.50:
        return paragraph(rnd, ctx)
    if r < 0.60:
        return ("## " if rnd.random() < 0.7 else "### ") + sentence(rnd, 2, 6).rstrip(".?!")
    if r < 0.70:
        marker = rnd.choice(["-", "*", "1."])
        items = []
        for k in range(rnd.randint(2, 6)):
            m = f"{k + 1}." if marker == "1." else marker
            items.append(f"{m} {words(rnd, rnd.randint(2, 8))} {inline(rnd, ctx)}")
        return "\n".join(items)
    if r < 0.77:
        q = paragraph(rnd, ctx).split("\n")
        return "\n".join("> " + line for line in q)
    if r < 0.87:
        return code_block(rnd)
    if r < 0.92:
        alt = words(rnd, rnd.randint(2, 6))
        title = f' "{sentence(rnd, 2, 5)}"' if rnd.random() < 0.3 else ""
        return f"![{alt}]({ctx['image']()}{title})"
    if r < 0.95:
        # a small non-ASCII paragraph in another script
        pick = rnd.choice([CYRILLIC, CJK, ACCENTED])
        sep = "" if pick is CJK else " "
        return sep.join(rnd.choice(pick) for _ in range(rnd.randint(8, 20))) + (
            "。" if pick is CJK else ".")
    if r < 0.97:
        return "---"
    return paragraph(rnd, ctx)


# --------------------------------------------------------------------------- one article


def tag_pool(n):
    """n distinct tags: word-word-k, every seventh capitalised, every eleventh accented."""
    pool = []
    for k in range(n):
        t = f"{WORDS[k % len(WORDS)]}-{WORDS[(k * 7 + 3) % len(WORDS)]}-{k}"
        if k % 7 == 0:
            t = t.title()
        if k % 11 == 0:
            t = t.replace("e", "é", 1)
        pool.append(t)
    return pool


def author_pool(n):
    firsts = [a.split()[0] for a in AUTHORS]
    lasts = [a.split()[-1] for a in AUTHORS]
    return [f"{firsts[k % len(firsts)]} {lasts[(k // len(firsts)) % len(lasts)]} {k}" for k in range(n)]


def regroup(fm, seed, i, tags, authors):
    """Replaces the tags (and author) of article i with ones from the pools."""
    rnd = random.Random(f"{seed}:{i}:groups")
    out = []
    for key, value in fm:
        if key == "tags" and tags:
            picked = rnd.sample(tags, rnd.randint(1, 5))
            value = "[" + ", ".join(yaml_flow_item(t) for t in picked) + "]"
        if key in ("author", "authors") and authors:
            continue
        out.append((key, value))
    if authors:
        out.append(("author", yaml_str(rnd.choice(authors), rnd)))
    return out


def article(seed, i):
    """Returns (relative_dir, file_name, front_matter_fields, body) for article i."""
    rnd = random.Random(f"{seed}:{i}")

    when = DATE_MIN + dt.timedelta(days=rnd.randrange(DATE_SPAN_DAYS),
                                   minutes=rnd.randrange(24 * 60))
    # Stay away from 02:00-03:59 so local times never fall in a DST gap if a time zone is set.
    if 2 <= when.hour < 4:
        when = when.replace(hour=when.hour + 8)

    folder_r = rnd.randrange(100)
    acc = 0
    for name, weight in FOLDERS:
        acc += weight
        if folder_r < acc:
            folder = name
            break
    if folder == "news":
        rel_dir = f"news/{when.year}"
    elif folder == "guides":
        rel_dir = f"guides/{rnd.choice(GUIDE_TOPICS)}"
    else:
        rel_dir = folder

    slug_words = [rnd.choice(WORDS) for _ in range(rnd.randint(2, 5))]
    slug = f"{slugify(slug_words)}-{i}"
    file_name = f"{when:%Y-%m-%d}-{slug}.md"

    # title
    tw = [word(rnd) for _ in range(rnd.randint(3, 9))]
    tw[0] = tw[0][:1].upper() + tw[0][1:]
    title = " ".join(tw)
    tr = rnd.random()
    if tr < 0.15:
        title = f"{title}: {words(rnd, rnd.randint(2, 4))}"
    elif tr < 0.25:
        title = f"{title} & {rnd.choice(WORDS)}"
    elif tr < 0.32:
        title = f'The "{rnd.choice(WORDS)}" {title.lower()}'
    elif tr < 0.37:
        title = f"{title}, it's {rnd.choice(WORDS)}"
    elif tr < 0.45:
        title = f"{title} — {rnd.choice(CYRILLIC)} → {rnd.choice(CJK)}"
    elif tr < 0.48:
        title = f"{title} {rnd.choice(EMOJI)}"
    elif tr < 0.50:
        title = f"{title} <{rnd.choice(WORDS)}> vs. #{rnd.randint(1, 99)}"

    fm = []  # (key, yaml text) in order
    fm.append(("title", yaml_str(title, rnd)))

    dr = rnd.random()
    if dr < 0.35:
        date_text = f"{when:%Y-%m-%d}"
    elif dr < 0.65:
        date_text = f"{when:%Y-%m-%d %H:%M}"
    else:
        off = rnd.choice(OFFSETS)
        date_text = f"{when:%Y-%m-%dT%H:%M:%S}{off}"
    fm.append(("date", date_text))

    if rnd.random() < 0.15:
        upd = when + dt.timedelta(days=rnd.randint(1, 400), hours=rnd.randint(0, 23))
        fm.append(("updated", f"{upd:%Y-%m-%dT%H:%M:%S}{rnd.choice(OFFSETS)}"))

    tags = rnd.sample(TAGS, rnd.randint(1, 5))
    if rnd.random() < 0.6:
        fm.append(("tags", "[" + ", ".join(yaml_flow_item(t) for t in tags) + "]"))
    else:
        fm.append(("tags", "\n" + "\n".join(f"  - {yaml_flow_item(t)}" for t in tags)))

    if rnd.random() < 0.35:
        s = sentence(rnd, 10, 30)
        if rnd.random() < 0.3:
            s = s.rstrip(".?!") + f": {words(rnd, 4)}."
        if rnd.random() < 0.2:
            fm.append(("summary", ">-\n  " + s))
        else:
            fm.append(("summary", yaml_str(s, rnd)))

    ar = rnd.random()
    if ar < 0.15:
        fm.append(("author", yaml_str(rnd.choice(AUTHORS), rnd)))
    elif ar < 0.25:
        name = rnd.choice(AUTHORS)
        user = "".join(c for c in name.split()[0].lower() if c.isascii() and c.isalpha()) or "author"
        fm.append(("author", f"\n  name: {yaml_str(name, rnd)}\n  email: {user}@example.org"))
    elif ar < 0.28:
        names = rnd.sample(AUTHORS, 2)
        fm.append(("authors", "[" + ", ".join(yaml_str(n, rnd) for n in names) + "]"))

    if rnd.random() < 0.02:
        fm.append(("draft", "true"))

    # body: ~6 KB in total (4.5-7.5 KB), a `<!-- more -->` marker in about a third
    ctx = {
        "other_slug": lambda: f"{slugify(rnd.choice(WORDS) for _ in range(2))}-{rnd.randrange(max(i, 1) + 1)}",
        "image": lambda: (f"images/{rnd.choice(WORDS)}-{rnd.randint(1, 99)}.{rnd.choice(['jpg', 'png', 'webp'])}"
                          if rnd.random() < 0.7 else
                          f"https://img.example.net/{rnd.choice(WORDS)}/{rnd.randint(100, 999)}.jpg"),
    }
    target = rnd.randint(4500, 7500)
    blocks = [paragraph(rnd, ctx)]
    if rnd.random() < 0.5:
        blocks.append(paragraph(rnd, ctx))
    if rnd.random() < 0.33:
        blocks.append("<!-- more -->")
    size = sum(len(b.encode()) + 2 for b in blocks)
    while size < target:
        b = block(rnd, ctx)
        if b == "---" and blocks[-1] == "---":
            continue
        blocks.append(b)
        size += len(b.encode()) + 2
    if blocks[-1] == "---":
        blocks.pop()
    body = "\n\n".join(blocks) + "\n"
    return rel_dir, file_name, fm, body


def yaml_flow_item(s):
    """A scalar safe inside a flow sequence `[a, b]` and as a block item."""
    if any(c in YAML_PLAIN_BAD for c in s) or s.lower() in YAML_RESERVED or s[0].isdigit():
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return s


def render(fm, body, hugo=False):
    lines = ["---"]
    for key, value in fm:
        if hugo and key == "updated":
            key = "lastmod"
        sep = "" if value.startswith("\n") else " "
        lines.append(f"{key}:{sep}{value}")
    lines.append("---")
    return "\n".join(lines) + "\n" + body


# --------------------------------------------------------------------------- Hugo site

HUGO_CONFIG = """\
# Generated by bench/gen_corpus.py --hugo: a minimal site that only renders RSS.
baseURL = "https://example.org/"
title = "feedwright bench"
languageCode = "en"
disableKinds = ["taxonomy", "term", "sitemap", "robotsTXT", "404"]
# rssLimit = 20 is the pre-0.114 spelling; [services.rss] limit is the current one. The RSS
# template below also takes only the first 20 items, so either way 20 items are emitted.
[services.rss]
  limit = 20
[outputs]
  home = ["RSS"]
  section = ["RSS"]
  page = []
[markup.goldmark.renderer]
  unsafe = true
# Articles are not rendered as HTML pages (only their .Content inside the feeds); `_build`
# is accepted by Hugo before and after its 0.123 rename to `build`.
[[cascade]]
  [cascade._build]
    render = "never"
    list = "always"
  [cascade._target]
    kind = "page"
"""

HUGO_RSS = """\
{{- $pages := .RegularPages -}}
{{- if .IsHome }}{{ $pages = .Site.RegularPages }}{{ end -}}
{{- printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\" standalone=\\"yes\\"?>" | safeHTML }}
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>{{ .Site.Title }}</title>
    <link>{{ .Permalink }}</link>
    <description>{{ .Site.Title }}</description>
    {{- with .OutputFormats.Get "RSS" }}
    <atom:link href="{{ .Permalink }}" rel="self" type="application/rss+xml" />
    {{- end }}
    {{- range first 20 $pages.ByDate.Reverse }}
    <item>
      <title>{{ .Title }}</title>
      <link>{{ .Permalink }}</link>
      <pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" | safeHTML }}</pubDate>
      <guid>{{ .Permalink }}</guid>
      <description>{{ .Summary | plainify | html }}</description>
      <content:encoded xmlns:content="http://purl.org/rss/1.0/modules/content/">{{ .Content | html }}</content:encoded>
    </item>
    {{- end }}
  </channel>
</rss>
"""


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--hugo", action="store_true",
                    help="write a Hugo site (content/posts/*.md) instead of a feedwright content dir")
    ap.add_argument("--tags", type=int, default=0,
                    help="draw tags from a pool of this many generated tags")
    ap.add_argument("--authors", type=int, default=0,
                    help="give every article one author from a pool of this many")
    args = ap.parse_args(argv)
    tags = tag_pool(args.tags)
    authors = author_pool(args.authors)
    if args.n < 0:
        ap.error("N must be >= 0")

    out = args.out_dir
    if args.hugo:
        os.makedirs(os.path.join(out, "content", "posts"), exist_ok=True)
        os.makedirs(os.path.join(out, "layouts", "_default"), exist_ok=True)
        with open(os.path.join(out, "config.toml"), "w", encoding="utf-8") as f:
            f.write(HUGO_CONFIG)
        with open(os.path.join(out, "layouts", "_default", "rss.xml"), "w", encoding="utf-8") as f:
            f.write(HUGO_RSS)
    else:
        os.makedirs(out, exist_ok=True)

    total = drafts = 0
    made_dirs = set()
    for i in range(args.n):
        rel_dir, name, fm, body = article(args.seed, i)
        if tags or authors:
            fm = regroup(fm, args.seed, i, tags, authors)
        if any(k == "draft" for k, _ in fm):
            drafts += 1
        text = render(fm, body, hugo=args.hugo)
        d = os.path.join(out, "content", "posts") if args.hugo else os.path.join(out, rel_dir)
        if d not in made_dirs:
            os.makedirs(d, exist_ok=True)
            made_dirs.add(d)
        data = text.encode("utf-8")
        total += len(data)
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    kind = "Hugo site" if args.hugo else "content dir"
    print(f"gen_corpus: {args.n} articles ({drafts} drafts), {total / 1e6:.1f} MB, "
          f"avg {total / max(args.n, 1) / 1024:.1f} KiB -> {kind} {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
