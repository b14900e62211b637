#!/usr/bin/env python3
"""A pipeline that adds a known delay, for the tests of `--latency-topic`.

Reads --input (every partition, from the beginning), holds each message until --delay-ms
after it received it, then writes {"event_id": ...} (the input's event_id) to --output.
Values that are not JSON objects with an event_id are skipped. confluent-kafka
(librdkafka, independent of simulate's code), with fetch.wait.max.ms lowered as
simulate's own consumer lowers it: Tansu holds every fetch that long.

Prints `ready` on stdout once it reads; stops after --expect outputs, or when nothing
new arrived for --idle seconds after the first, or after --timeout seconds in all.
"""
import argparse
import collections
import json
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("--output", required=True)
    ap.add_argument("--delay-ms", type=float, default=200.0)
    ap.add_argument("--expect", type=int, required=True)
    ap.add_argument("--idle", type=float, default=15.0)
    ap.add_argument("--timeout", type=float, default=120.0)
    args = ap.parse_args()

    consumer = Consumer({
        "bootstrap.servers": args.bootstrap,
        "group.id": "delay-pipeline",
        "enable.auto.commit": False,
        "fetch.wait.max.ms": 10,
    })
    producer = Producer({"bootstrap.servers": args.bootstrap, "linger.ms": 0})
    metadata = consumer.list_topics(args.input, timeout=10)
    partitions = sorted(metadata.topics[args.input].partitions)
    consumer.assign([TopicPartition(args.input, p, OFFSET_BEGINNING) for p in partitions])
    consumer.poll(0.2)
    print("ready", flush=True)

    delay = args.delay_ms / 1000.0
    held = collections.deque()  # (due, event_id), in the order received
    written = 0
    deadline = time.monotonic() + args.timeout
    last = None
    while written < args.expect and time.monotonic() < deadline:
        now = time.monotonic()
        if last is not None and now - last > args.idle and not held:
            break
        while held and held[0][0] <= now:
            _, event_id = held.popleft()
            producer.produce(args.output, json.dumps({"event_id": event_id}).encode())
            written += 1
        producer.poll(0)
        wait = min(0.01, max(0.0, held[0][0] - now)) if held else 0.01
        m = consumer.poll(wait)
        if m is None or m.error():
            continue
        received = time.monotonic()
        last = received
        try:
            event_id = json.loads(m.value())["event_id"]
        except (ValueError, TypeError, KeyError):
            continue
        held.append((received + delay, event_id))
    producer.flush(10)
    consumer.close()
    print(f"wrote {written} outputs", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
