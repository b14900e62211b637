#!/usr/bin/env python3
"""The ten-field payload of bench/run's payload case, built per event the way a Python
generator would: a dict from `random`, `uuid` and the clock, then json.dumps, one line
each. Usage: python_payload.py N > /dev/null"""
import json
import random
import sys
import time
import uuid

n = int(sys.argv[1])
out = sys.stdout
cameras = [1000, 1001, 1002]
zones = {1000: "entrance", 1001: "lobby", 1002: "parking"}
kinds = ["motion", "person", "vehicle"]
for frame in range(n):
    camera = random.choice(cameras)
    event = {
        "event_id": str(uuid.uuid4()),
        "ts": time.time_ns() // 1_000_000,
        "camera_id": camera,
        "zone": zones[camera],
        "kind": random.choices(kinds, weights=(6, 3, 1))[0],
        "confidence": round(random.uniform(0.5, 1.0), 3),
        "people": random.randint(0, 12),
        "temperature_c": round(random.gauss(21, 2), 1),
        "frame": frame,
        "bbox": {"x": random.randint(0, 1919), "y": random.randint(0, 1079)},
    }
    out.write(json.dumps(event) + "\n")
