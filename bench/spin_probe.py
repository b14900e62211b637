#!/usr/bin/env python3
"""The machine's floor for pacing: an ideal pacer that does nothing but busy-wait for
each planned instant (i / RATE after the start) and note how late it woke, with no
event to build or send. Its lateness is what the machine itself adds (the hypervisor
taking the CPU away, other processes, interrupts), so a pacer doing real work cannot
beat it. Prints p50, p99 and max lateness and the drift at the end, in microseconds,
and how much of the run was lost in stalls of over 1 ms, as JSON.
Usage: spin_probe.py RATE SECONDS"""
import json
import sys
import time
from array import array

rate, seconds = float(sys.argv[1]), float(sys.argv[2])
n = int(rate * seconds)
gap_ns = 1e9 / rate
late = array("d")
clock = time.perf_counter_ns
start = clock()
stalled_ns = 0
last = start
for i in range(n):
    deadline = start + int(i * gap_ns)
    now = clock()
    while now < deadline:
        if now - last > 1_000_000:
            stalled_ns += now - last
        last = now
        now = clock()
    if now - last > 1_000_000:
        stalled_ns += now - last
    last = now
    late.append((now - deadline) / 1e3)
end_drift = late[-1] if late else 0.0
ordered = sorted(late)
print(json.dumps({
    "p50_us": ordered[len(ordered) // 2],
    "p99_us": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
    "max_us": ordered[-1],
    "end_drift_us": end_drift,
    "stalled_ms": stalled_ns / 1e6,
    "events": len(ordered),
}))
