#!/usr/bin/env python3
"""Holds COUNT connections that each ask for PATH and never read the answer, then times
/healthz, /readyz and /feed.xml from fresh clients (curl). bench/slow_readers.sh runs it.

    bench/slow_readers.py PORT COUNT PATH
"""

import socket
import subprocess
import sys
import time


def main():
    port, count, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    held = []
    for _ in range(count):
        s = socket.socket()
        # A small window: the answer (several MB) stays in flight.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.settimeout(5)
        try:
            s.connect(("127.0.0.1", port))
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: t\r\n\r\n".encode())
        except OSError:
            s.close()
            continue
        held.append(s)
    time.sleep(1.0)
    for probe in ["/healthz", "/readyz", "/feed.xml"]:
        out = subprocess.run(
            ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{time_total}",
             "--max-time", "40", f"http://127.0.0.1:{port}{probe}"],
            capture_output=True, text=True,
        ).stdout.split()
        status, seconds = (out + ["000", "40"])[:2]
        print(f"  {probe:<10} {status}  {float(seconds) * 1000:9.1f} ms")
    for s in held:
        s.close()


if __name__ == "__main__":
    main()
