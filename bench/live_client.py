#!/usr/bin/env python3
"""Save-to-served latency of a running feedwright daemon (standard library only).

    python3 bench/live_client.py --url http://127.0.0.1:PORT --content DIR [--edits 100]
    python3 bench/live_client.py --idle PID --seconds 10

Edit mode: finds the newest article in the served Atom feed (its first <entry>), maps it to
its file under DIR, and does --edits edits. Each edit writes a unique marker into the
article's `title:` line the way editors save (write a temp file in the same folder, fsync,
rename over the original), records t0 just before the rename, then polls GET /atom.xml
every --interval ms (keep-alive connection, no conditional headers) until the marker is in
the body; latency = the time of that response - t0. Between edits it waits --gap ms plus a
random 0..--jitter ms, so that edits are not coalesced by the debouncer and do not
phase-lock to a poll interval. Prints min/p50/p90/p99/max and, with
--json, one JSON line. The original file is restored at the end.

Idle mode: reads utime+stime of PID (and of its threads, for wakeups: the sum of
voluntary + involuntary context switches of every thread, as per-thread deltas) from /proc over --seconds with
nothing changing, and prints CPU % of one core and context switches per second.
"""

import argparse
import http.client
import json
import os
import random
import re
import sys
import time
import urllib.parse


def percentile(sorted_values, p):
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    k = max(1, min(len(sorted_values), int(-(-p * len(sorted_values) // 100))))
    return sorted_values[k - 1]


class Client:
    def __init__(self, url):
        u = urllib.parse.urlsplit(url)
        self.host, self.port = u.hostname, u.port or 80
        self.conn = None

    def get(self, path):
        for attempt in (0, 1):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
                self.conn.request("GET", path)
                resp = self.conn.getresponse()
                body = resp.read()
                return resp.status, body
            except (http.client.HTTPException, OSError):
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                if attempt:
                    raise
        raise AssertionError("unreachable")


def newest_source(client, content_dir, atom_path):
    """The file of the first entry in the Atom feed, found by its title."""
    status, body = client.get(atom_path)
    if status != 200:
        sys.exit(f"live_client: GET {atom_path} answered {status}")
    text = body.decode("utf-8")
    m = re.search(r"<entry>.*?<title[^>]*>(.*?)</title>", text, re.S)
    if not m:
        sys.exit("live_client: no <entry> in the Atom feed")
    import html

    title = html.unescape(m.group(1))
    # The feed's first entry is the newest published; find the file whose title matches.
    best = None
    for dirpath, _dirs, files in os.walk(content_dir):
        for name in files:
            if not name.endswith(".md"):
                continue
            path = os.path.join(dirpath, name)
            with open(path, encoding="utf-8") as f:
                head = f.read(4096)
            tm = re.search(r"^title:\s*(.*)$", head, re.M)
            if not tm:
                continue
            raw = tm.group(1).strip()
            if raw[:1] in "'\"" and raw[-1:] == raw[:1]:
                raw = raw[1:-1]
                raw = raw.replace("''", "'") if tm.group(1).strip()[0] == "'" else raw.replace('\\"', '"')
            if raw == title:
                if best is not None:
                    sys.exit(f"live_client: two files have the title {title!r}")
                best = path
    if best is None:
        sys.exit(f"live_client: no file under {content_dir} has the title {title!r}")
    return best


def with_marker(original, marker):
    """The article text with `marker` put into its (plain, unquoted) title."""
    lines = original.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("title:"):
            lines[i] = f"title: Live bench edit {marker}"
            return "\n".join(lines)
    sys.exit("live_client: no title: line")


def save_like_an_editor(path, text):
    """Write a temp file next to it, fsync, rename over (what vim/VS Code/most editors do).
    Returns the time just before the rename (the instant the new content becomes visible)."""
    tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".live-tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    t0 = time.monotonic()
    os.rename(tmp, path)
    return t0


def edits(args):
    client = Client(args.url)
    path = newest_source(client, args.content, args.atom_path)
    with open(path, encoding="utf-8") as f:
        original = f.read()
    print(f"live_client: editing {os.path.relpath(path, args.content)}", file=sys.stderr)
    run_id = f"{os.getpid()}x{int(time.time())}"
    rng = random.Random(args.seed)
    latencies = []
    polls = []
    timeouts = 0
    try:
        for n in range(args.edits):
            marker = f"M{run_id}n{n}"
            needle = marker.encode()
            t0 = save_like_an_editor(path, with_marker(original, marker))
            deadline = t0 + args.timeout
            count = 0
            while True:
                _status, body = client.get(args.atom_path)
                t = time.monotonic()
                count += 1
                if needle in body:
                    latencies.append(t - t0)
                    polls.append(count)
                    break
                if t > deadline:
                    timeouts += 1
                    print(f"live_client: edit {n}: marker not served after {args.timeout} s", file=sys.stderr)
                    break
                time.sleep(args.interval / 1000.0)
            # A random extra pause spreads the saves uniformly over the watcher's cycle (poll
            # interval, debouncer tick); a fixed gap would phase-lock them to it.
            time.sleep((args.gap + rng.uniform(0, args.jitter)) / 1000.0)
    finally:
        save_like_an_editor(path, original)

    lat = sorted(x * 1000.0 for x in latencies)
    result = {
        "label": args.label,
        "edits": args.edits,
        "served": len(lat),
        "timeouts": timeouts,
        "min_ms": round(lat[0], 1) if lat else None,
        "p50_ms": round(percentile(lat, 50), 1) if lat else None,
        "p90_ms": round(percentile(lat, 90), 1) if lat else None,
        "p99_ms": round(percentile(lat, 99), 1) if lat else None,
        "max_ms": round(lat[-1], 1) if lat else None,
        "mean_polls": round(sum(polls) / len(polls), 1) if polls else None,
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"{args.label}: {result['served']}/{args.edits} served, {timeouts} timeouts; "
            f"save-to-served ms: min {result['min_ms']}  p50 {result['p50_ms']}  "
            f"p90 {result['p90_ms']}  p99 {result['p99_ms']}  max {result['max_ms']}"
        )
    return 0 if timeouts == 0 else 1


def proc_cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # After ")": state is fields[0]; utime is stat field 14 -> index 11, stime 15 -> 12.
    return int(fields[11]) + int(fields[12])


def proc_switches(pid):
    """Context switches (voluntary + involuntary) of each thread of PID, by thread id."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                out[tid] = sum(
                    int(line.split()[1])
                    for line in f
                    if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches"))
                )
        except FileNotFoundError:
            pass
    return out


def switches_between(before, after):
    """Switches during the window: per-thread deltas (a thread that exited in between, e.g.
    an idle tokio blocking-pool thread, would otherwise subtract its whole history)."""
    return sum(n - before.get(tid, 0) for tid, n in after.items())


def idle(args):
    hz = os.sysconf("SC_CLK_TCK")
    pid = args.idle
    c0 = proc_cpu_ticks(pid)
    s0 = proc_switches(pid)
    t0 = time.monotonic()
    time.sleep(args.seconds)
    c1 = proc_cpu_ticks(pid)
    s1 = proc_switches(pid)
    threads = len(s1)
    wall = time.monotonic() - t0
    cpu_s = (c1 - c0) / hz
    result = {
        "label": args.label,
        "seconds": round(wall, 2),
        "cpu_seconds": cpu_s,
        "cpu_percent": round(100.0 * cpu_s / wall, 3),
        "context_switches_per_s": round(switches_between(s0, s1) / wall, 1),
        "threads": threads,
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"{args.label}: idle {wall:.1f} s: cpu {cpu_s:.2f} s ({result['cpu_percent']}% of a core, "
            f"tick {1000 // hz} ms), {result['context_switches_per_s']} context switches/s over {threads} threads"
        )
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", help="daemon base URL, e.g. http://127.0.0.1:8080")
    ap.add_argument("--content", help="the daemon's content directory")
    ap.add_argument("--atom-path", default="/atom.xml")
    ap.add_argument("--edits", type=int, default=100)
    ap.add_argument("--interval", type=float, default=5.0, help="ms between polls")
    ap.add_argument("--gap", type=float, default=300.0, help="ms to wait after each edit is served")
    ap.add_argument("--jitter", type=float, default=0.0,
                    help="extra random pause after each edit, uniform in [0, JITTER] ms (use the poll interval)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the jitter")
    ap.add_argument("--timeout", type=float, default=30.0, help="s to wait for one edit")
    ap.add_argument("--label", default="live")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--idle", type=int, metavar="PID", help="measure idle CPU of PID instead")
    ap.add_argument("--seconds", type=float, default=10.0)
    args = ap.parse_args()
    if args.idle:
        return idle(args)
    if not args.url or not args.content:
        ap.error("--url and --content are required for edits")
    return edits(args)


if __name__ == "__main__":
    sys.exit(main())
