#!/usr/bin/env python3
"""Soak load for a running feedwright daemon (standard library only).

    python3 bench/soak_client.py --url http://127.0.0.1:PORT --content DIR --pid PID \
        --seconds 3600 [--clients 200] [--poll 1.0] [--edit-every 1.0] [--hup-every 60]

Runs, all at once, for --seconds:
  - --clients polling clients, one thread and one keep-alive connection each, every --poll
    seconds a conditional GET of one of the feeds (If-None-Match: the ETag it last saw,
    Accept-Encoding: gzip). Every response is checked: 200 (the gzip body must decompress
    and parse as XML, or as HTML for /) or 304 (no body, same ETag); anything else, a
    broken body or a failed connection counts as an error (a connection the server closed
    while idle is reopened once and not counted: keep-alive servers may do that).
  - an editor saving one article every --edit-every seconds (temp file + rename, as editors
    do), rotating over 20 articles, each save a new body;
  - SIGHUP to --pid every --hup-every seconds (a full rescan);
  - the daemon's resident memory (VmRSS) sampled every 5 s.
Prints a summary and one JSON line; exits 1 if any response was wrong or if resident
memory after warm-up (the first --warmup seconds, default 10 % of the run) grew by more
than 5 % from its post-warm-up median of the first minute to the last minute's median.
"""

import argparse
import gzip
import http.client
import json
import os
import random
import signal
import statistics
import sys
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET

ROUTES = ["/feed.xml", "/atom.xml", "/rss.xml", "/"]


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Counters:
    def __init__(self):
        self.lock = threading.Lock()
        self.by_status = {}
        self.errors = []
        self.requests = 0

    def ok(self, status):
        with self.lock:
            self.requests += 1
            self.by_status[status] = self.by_status.get(status, 0) + 1

    def error(self, what):
        with self.lock:
            self.requests += 1
            if len(self.errors) < 20:
                self.errors.append(what)
            self.by_status["error"] = self.by_status.get("error", 0) + 1


def check_body(route, body):
    if route == "/":
        if b"<html" not in body.lower():
            raise ValueError("index is not HTML")
    else:
        ET.fromstring(body)


def poller(host, port, deadline, poll, counters, rng):
    route = rng.choice(ROUTES)
    etag = None
    conn = None
    while time.monotonic() < deadline:
        headers = {"Accept-Encoding": "gzip"}
        if etag:
            headers["If-None-Match"] = etag
        for attempt in (0, 1):
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(host, port, timeout=10)
                conn.request("GET", route, headers=headers)
                resp = conn.getresponse()
                body = resp.read()
                break
            except (ConnectionError, http.client.HTTPException, OSError) as e:
                if conn is not None:
                    conn.close()
                conn = None
                if attempt == 1:
                    counters.error(f"{route}: {e!r}")
                    body = None
        if body is None:
            time.sleep(poll)
            continue
        try:
            if resp.status == 200:
                if resp.getheader("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                check_body(route, body)
                etag = resp.getheader("ETag")
            elif resp.status == 304:
                if body:
                    raise ValueError("304 with a body")
            else:
                raise ValueError(f"status {resp.status}")
            counters.ok(resp.status)
        except Exception as e:  # any wrong answer is an error of the run
            counters.error(f"{route}: {e!r}")
        time.sleep(poll * (0.5 + rng.random()))
    if conn is not None:
        conn.close()


def editor(content, deadline, every, stop):
    paths = []
    for root, _, files in os.walk(content):
        for name in sorted(files):
            if name.endswith(".md"):
                paths.append(os.path.join(root, name))
    paths = sorted(paths)[-20:]
    originals = {p: open(p, encoding="utf-8").read() for p in paths}
    n = 0
    try:
        while time.monotonic() < deadline and not stop.is_set():
            p = paths[n % len(paths)]
            text = originals[p] + f"\n\nSoak edit {n}.\n"
            tmp = p + ".soak.tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.rename(tmp, p)
            n += 1
            time.sleep(every)
    finally:
        for p, text in originals.items():
            with open(p, "w", encoding="utf-8") as f:
                f.write(text)
    return n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--content", required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--seconds", type=float, default=3600)
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--poll", type=float, default=1.0)
    ap.add_argument("--edit-every", type=float, default=1.0)
    ap.add_argument("--hup-every", type=float, default=60)
    ap.add_argument("--warmup", type=float, default=None)
    a = ap.parse_args()
    u = urllib.parse.urlparse(a.url)
    start = time.monotonic()
    deadline = start + a.seconds
    warmup = a.warmup if a.warmup is not None else a.seconds * 0.1
    counters = Counters()
    threads = [
        threading.Thread(target=poller, args=(u.hostname, u.port, deadline, a.poll, counters,
                                              random.Random(i)), daemon=True)
        for i in range(a.clients)
    ]
    for t in threads:
        t.start()
    stop = threading.Event()
    edits = [0]
    ed = threading.Thread(target=lambda: edits.__setitem__(0, editor(a.content, deadline, a.edit_every, stop)))
    ed.start()
    samples = []  # (seconds since start, KiB)
    hups = 0
    next_hup = start + a.hup_every
    while time.monotonic() < deadline:
        now = time.monotonic()
        samples.append((now - start, rss_kib(a.pid)))
        if now >= next_hup:
            os.kill(a.pid, signal.SIGHUP)
            hups += 1
            next_hup += a.hup_every
        time.sleep(min(5.0, max(0.0, deadline - time.monotonic())))
    stop.set()
    for t in threads:
        t.join(timeout=15)
    ed.join(timeout=15)
    after = [(t, k) for t, k in samples if t >= warmup]
    window = max(60.0, (a.seconds - warmup) * 0.1)
    first = [k for t, k in after if t < warmup + window] or [after[0][1]]
    last = [k for t, k in after if t >= a.seconds - window] or [after[-1][1]]
    first_med, last_med = statistics.median(first), statistics.median(last)
    growth = (last_med - first_med) / first_med * 100 if first_med else 0.0
    result = {
        "seconds": a.seconds, "clients": a.clients, "requests": counters.requests,
        "statuses": {str(k): v for k, v in sorted(counters.by_status.items(), key=str)},
        "errors": counters.by_status.get("error", 0), "edits": edits[0], "sighups": hups,
        "rss_kib_peak": max(k for _, k in samples),
        "rss_kib_after_warmup_first": first_med, "rss_kib_last": last_med,
        "rss_growth_percent": round(growth, 2),
    }
    print(f"requests {counters.requests}, statuses {result['statuses']}, edits {edits[0]}, "
          f"SIGHUPs {hups}")
    print(f"resident memory: peak {result['rss_kib_peak'] / 1024:.1f} MiB; after warm-up "
          f"{first_med / 1024:.1f} MiB -> last {last_med / 1024:.1f} MiB ({growth:+.1f} %)")
    for e in counters.errors:
        print("error:", e)
    print(json.dumps(result))
    return 1 if counters.by_status.get("error") or growth > 5.0 else 0


if __name__ == "__main__":
    sys.exit(main())
