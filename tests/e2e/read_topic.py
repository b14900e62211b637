#!/usr/bin/env python3
"""Read a Kafka topic back with an independent client (kafka-python, pure Python).

Prints one JSON object per message: partition, offset, key, value, timestamp (ms),
timestamp_type, headers (a list of [name, value] pairs, in order). Stops after --expect messages, or when nothing new arrived for
--idle seconds, or after --timeout seconds in all: it never waits forever.

Reading stops on a count, not on the end offset, because Tansu 0.6.0 with memory
storage reports a wrong high watermark from ListOffsets.
"""
import argparse
import json
import os
import sys
import time

from kafka import KafkaConsumer, TopicPartition


def line(m) -> str:
    return json.dumps({
        "partition": m.partition,
        "offset": m.offset,
        "key": None if m.key is None else m.key.decode("utf-8"),
        "value": None if m.value is None else m.value.decode("utf-8"),
        "timestamp": m.timestamp,
        "timestamp_type": m.timestamp_type,
        "headers": [[k, None if v is None else v.decode("utf-8")] for k, v in (m.headers or [])],
    }, separators=(",", ":")) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--expect", type=int, required=True)
    ap.add_argument("--idle", type=float, default=5.0)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--security-protocol", default="PLAINTEXT",
                    help="PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL")
    ap.add_argument("--sasl-mechanism", help="e.g. SCRAM-SHA-512")
    ap.add_argument("--username")
    ap.add_argument("--cafile", help="PEM file of the CA that issued the broker's certificate")
    ap.add_argument("--certfile", help="client certificate (mutual TLS)")
    ap.add_argument("--keyfile", help="client key (mutual TLS)")
    args = ap.parse_args()

    security = {"security_protocol": args.security_protocol}
    if args.sasl_mechanism:
        # The password comes from the environment, never from the command line.
        security.update(sasl_mechanism=args.sasl_mechanism, sasl_plain_username=args.username,
                        sasl_plain_password=os.environ["READ_TOPIC_PASSWORD"])
    if args.cafile:
        security.update(ssl_cafile=args.cafile, ssl_check_hostname=True)
    if args.certfile:
        security.update(ssl_certfile=args.certfile, ssl_keyfile=args.keyfile)

    consumer = KafkaConsumer(
        **security,
        bootstrap_servers=args.bootstrap,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        group_id=None,
        api_version_auto_timeout_ms=10000,
        request_timeout_ms=30000,
    )
    deadline = time.monotonic() + args.timeout
    partitions = None
    while partitions is None and time.monotonic() < deadline:
        partitions = consumer.partitions_for_topic(args.topic)
        if partitions is None:
            time.sleep(0.2)
    if not partitions:
        print(f"topic {args.topic} not found", file=sys.stderr)
        return 2
    assignment = [TopicPartition(args.topic, p) for p in sorted(partitions)]
    consumer.assign(assignment)
    consumer.seek_to_beginning(*assignment)

    count = 0
    last = time.monotonic()
    out = sys.stdout
    while count < args.expect and time.monotonic() < deadline and time.monotonic() - last < args.idle:
        batch = consumer.poll(timeout_ms=200, max_records=10000)
        for records in batch.values():
            for m in records:
                out.write(line(m))
                count += 1
                last = time.monotonic()
    # A moment more, so that duplicates beyond the expected count show up too.
    grace = time.monotonic() + 1.0
    while time.monotonic() < grace:
        batch = consumer.poll(timeout_ms=200)
        for records in batch.values():
            for m in records:
                out.write(line(m))
                count += 1
    consumer.close()
    print(f"read {count} messages", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
