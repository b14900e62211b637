"""Reads every partition of a topic from its beginning with kafka-python until it has
seen N messages, writing each as one JSON line with the fields `simulate record` writes
(topic, partition, offset, ts, key, headers, payload; bytes decoded as UTF-8): bench/run's
reference for `simulate record`."""
import json
import sys

from kafka import KafkaConsumer, TopicPartition


def text(b):
    return None if b is None else b.decode("utf-8", errors="replace")


bootstrap, topic, wanted, path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                         consumer_timeout_ms=10_000)
parts = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
consumer.assign(parts)
consumer.seek_to_beginning(*parts)
seen = 0
with open(path, "w", buffering=1 << 16) as out:
    for m in consumer:
        out.write(json.dumps({"topic": m.topic, "partition": m.partition, "offset": m.offset,
                              "ts": m.timestamp, "key": text(m.key),
                              "headers": [[k, text(v)] for k, v in (m.headers or [])],
                              "payload": text(m.value)}, separators=(",", ":")) + "\n")
        seen += 1
        if seen >= wanted:
            break
if seen < wanted:
    sys.exit(f"read {seen} of {wanted} messages")
