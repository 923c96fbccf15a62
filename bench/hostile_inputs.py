#!/usr/bin/env python3
"""Writes the hostile single-file sites bench/hostile.sh times, one folder each under OUT.

    bench/hostile_inputs.py OUT [SIZE_BYTES]     (default 4 MiB, content.max_file_bytes)

Each file is at most SIZE_BYTES, front matter included: the shapes that made a parser
slow or an output blow up (issue 17), plus prose and the largest body of `<` that still
publishes (its rendering just under 2 x SIZE_BYTES), for comparison.
"""

import os
import random
import sys

FRONT = "---\ntitle: Hostile\ndate: 2026-01-01\n---\n"


def shapes(size):
    room = size - len(FRONT) - 64
    random.seed(1)
    words = "the quick brown fox jumps over a lazy dog while feeds go out".split()
    prose = []
    n = 0
    while n < room:
        para = " ".join(random.choice(words) for _ in range(80)) + ".\n\n"
        prose.append(para)
        n += len(para)
    return {
        "prose": ("md", FRONT, "".join(prose)[:room]),
        "lt-md": ("md", FRONT, "<" * room),
        "lt-md-largest-published": ("md", FRONT, "<" * (size // 2 - 4096)),
        "lt-html": ("html", FRONT, "<" * room),
        "amp-hash-md": ("md", FRONT, "&#" * (room // 2)),
        "footnote-refs": ("md", FRONT, "[^a]" * (room // 4 - 8) + "\n\n[^a]: x\n"),
        "more-lines": ("md", FRONT, "<!-- more -->\n" * (room // 14)),
        "empty-comments-html": ("html", FRONT, "<!---->" * (room // 7)),
        "front-matter-brackets": (
            "md",
            "---\ntitle: Hostile\ndate: 2026-01-01\nx: " + "[" * (room // 2) + "\n---\n",
            "body\n",
        ),
    }


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    out = sys.argv[1]
    size = int(sys.argv[2]) if len(sys.argv) == 3 else 4 * 1024 * 1024
    for name, (ext, front, body) in shapes(size).items():
        folder = os.path.join(out, name)
        os.makedirs(folder, exist_ok=True)
        text = (front + body).encode()
        assert len(text) <= size, (name, len(text))
        with open(os.path.join(folder, "a." + ext), "wb") as f:
            f.write(text)
        print(name)


if __name__ == "__main__":
    main()
