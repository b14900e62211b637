#!/usr/bin/env python3
"""A confluent_kafka producer sending pre-generated `key<TAB>value` lines as fast as it
can, as a careful Python user would (poll to serve delivery reports, retry on a full
queue, flush at the end), with the same producer settings as the other tools.
Usage: python_producer.py LINES TOPIC key=value..."""
import sys

from confluent_kafka import Producer

path, topic, *props = sys.argv[1:]
config = dict(p.split("=", 1) for p in props)
delivered = failed = 0


def report(err, _msg):
    global delivered, failed
    if err is None:
        delivered += 1
    else:
        failed += 1


producer = Producer(config)
with open(path, "rb") as lines:
    for i, line in enumerate(lines):
        key, _, value = line.rstrip(b"\n").partition(b"\t")
        while True:
            try:
                producer.produce(topic, value=value, key=key, on_delivery=report)
                break
            except BufferError:
                producer.poll(0.01)
        if i % 1000 == 0:
            producer.poll(0)
producer.flush(60)
print(f"delivered {delivered} failed {failed}", file=sys.stderr)
sys.exit(0 if failed == 0 and len(producer) == 0 else 1)
