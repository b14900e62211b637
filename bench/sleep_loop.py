#!/usr/bin/env python3
"""The original script's pacing: send, then time.sleep(gap), so every event's delay adds
to the next. Here the gap is a fixed 1/RATE and nothing is sent; it prints the lateness
of each send against its planned instant (i / RATE after the start) as percentiles and
the drift at the end, in microseconds, as JSON. It stops after SECONDS of wall time even
if it has not sent all RATE x SECONDS events (at high rates it cannot keep up).
Usage: sleep_loop.py RATE SECONDS"""
import json
import sys
import time

rate, seconds = float(sys.argv[1]), float(sys.argv[2])
gap = 1.0 / rate
n = int(rate * seconds)
late = []
start = time.perf_counter()
for i in range(n):
    now = time.perf_counter()
    if now - start > seconds:
        break
    late.append((now - (start + i * gap)) * 1e6)
    time.sleep(gap)
last = late[-1] if late else 0.0
late.sort()
print(json.dumps({
    "p50_us": late[len(late) // 2],
    "p99_us": late[min(len(late) - 1, int(len(late) * 0.99))],
    "max_us": late[-1],
    "end_drift_us": last,
    "events": len(late),
    "planned": n,
}))
