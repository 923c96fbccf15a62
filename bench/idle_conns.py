#!/usr/bin/env python3
"""Opens N keep-alive connections to the daemon, each answered once and then left idle,
holds them, then closes them all; prints the daemon's resident memory at each step.
Used by bench/idle_conns.sh (which also runs wrk while they are held)."""
import argparse
import resource
import socket
import subprocess
import sys
import time


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def report(pid, label):
    print(f"{label}: {rss_kib(pid) / 1024:.1f} MiB", flush=True)


def open_idle(host, port, count):
    conns = []
    request = b"GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n"
    for _ in range(count):
        s = socket.create_connection((host, port), timeout=10)
        s.sendall(request)
        conns.append(s)
    # Read every answer, so each connection is idle (answered, nothing pending).
    for s in conns:
        data = b""
        while b"\r\n\r\nok\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                raise SystemExit("idle_conns.py: a connection closed before its answer")
            data += chunk
    return conns


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--wrk", default="", help="wrk command to run while they are held")
    args = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, args.count + 1024)), hard))
    report(args.pid, "before")
    for round_ in range(1, args.rounds + 1):
        started = time.monotonic()
        conns = open_idle("127.0.0.1", args.port, args.count)
        took = time.monotonic() - started
        report(args.pid, f"round {round_}: {len(conns)} idle connections held ({took:.1f} s to open)")
        if args.wrk:
            out = subprocess.run(args.wrk, shell=True, capture_output=True, text=True).stdout
            for line in out.splitlines():
                line = line.strip()
                if line.startswith(("50%", "99%", "Requests/sec", "Non-2xx", "Socket errors")):
                    print(f"  wrk {line}", flush=True)
            report(args.pid, f"round {round_}: after wrk, idle connections still held")
        alive = 0
        for s in conns:
            s.setblocking(False)
            try:
                alive += s.recv(1) != b""
            except BlockingIOError:
                alive += 1
            except OSError:
                pass
        print(f"  {alive} of {len(conns)} idle connections still open", flush=True)
        for s in conns:
            s.close()
        conns = None
        time.sleep(2)
        report(args.pid, f"round {round_}: 2 s after closing them")
        time.sleep(8)
        report(args.pid, f"round {round_}: 10 s after closing them")


if __name__ == "__main__":
    sys.exit(main())
