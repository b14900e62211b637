#!/usr/bin/env python3
"""What the original producer script did per event, without Kafka and without sleeping:
build the dict, json.dumps it, write the line. Usage: python_loop.py N > /dev/null"""
import datetime
import json
import random
import sys
import uuid

n = int(sys.argv[1])
out = sys.stdout
cameras = [1000, 1001, 1002]
for _ in range(n):
    event = {
        "event_id": str(uuid.uuid4()),
        "timestamp": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S"),
        "camera_id": random.choice(cameras),
    }
    out.write(json.dumps(event) + "\n")
