#!/usr/bin/env python3
"""A small stream pipeline for the tests of `simulate score`, independent of simulate's
code: it counts clean events per tumbling event-time window and camera.

It reads every message of --topic from the beginning (kafka-python) until nothing new
has come for --idle seconds (never by the end offset: Tansu 0.6.0's high watermark is
wrong), or the values of a dry run (--values FILE, one value a line). What it counts:

- malformed values are skipped: not a JSON object, or (with --schema FILE, the event
  JSON Schema `simulate schema --event SCENARIO` prints) not valid against it; without a
  schema, an object lacking the id, camera or time field, or whose time does not parse;
- each --id-field (event_id) once: duplicates are counted once;
- the window is the event time of --time-field (`YYYY-MM-DD HH:MM:SS` UTC as the default
  payload writes it, RFC 3339, or epoch milliseconds) cut down to the window start.

It writes one JSON object per window and camera, {"window_start", "camera_id", "count"},
to --output-topic and/or --output-file (JSON lines). --bug off-by-one shifts every
window start by one window; --bug duplicates counts duplicates. --partial also writes,
before the final records, a partial count for each window (as a pipeline that emits
updated aggregates does): the later record replaces it.
"""
import argparse
import datetime
import json
import sys
import time


def event_ms(value):
    """The event time in ms since the epoch, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value) if value >= 1e11 else int(value * 1000)
    if not isinstance(value, str):
        return None
    for parse in (
        lambda s: datetime.datetime.strptime(s, "%Y-%m-%d %H:%M:%S").replace(tzinfo=datetime.timezone.utc),
        lambda s: datetime.datetime.fromisoformat(s.replace("Z", "+00:00")),
    ):
        try:
            at = parse(value)
        except ValueError:
            continue
        if at.tzinfo is None:
            at = at.replace(tzinfo=datetime.timezone.utc)
        return round(at.timestamp() * 1000)
    return None


def window_text(ms, fmt):
    if fmt == "ms":
        return ms
    if fmt == "s":
        return ms // 1000
    at = datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.timezone.utc)
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


class Counter:
    def __init__(self, args):
        self.args = args
        self.width = int(args.window * 1000)
        self.seen = set()
        self.counts = {}
        self.malformed = self.duplicates = self.read = 0
        self.validator = None
        if args.schema:
            import jsonschema  # only with --schema

            with open(args.schema) as f:
                self.validator = jsonschema.Draft7Validator(json.load(f))

    def add(self, raw):
        self.read += 1
        a = self.args
        try:
            value = json.loads(raw) if raw else None
        except (ValueError, UnicodeDecodeError):
            value = None
        if not isinstance(value, dict) or (self.validator and not self.validator.is_valid(value)):
            self.malformed += 1
            return
        if a.id_field not in value or a.camera_field not in value:
            self.malformed += 1
            return
        at = event_ms(value.get(a.time_field))
        if at is None:
            self.malformed += 1
            return
        event_id = json.dumps(value[a.id_field])
        if event_id in self.seen:
            self.duplicates += 1
            if a.bug != "duplicates":
                return
        self.seen.add(event_id)
        window = at // self.width * self.width
        if a.bug == "off-by-one":
            window += self.width
        key = (window, json.dumps(value[a.camera_field]))
        self.counts[key] = self.counts.get(key, 0) + 1

    def records(self):
        out = []
        if self.args.partial:
            out += [self.record(k, n // 2) for k, n in sorted(self.counts.items())]
        out += [self.record(k, n) for k, n in sorted(self.counts.items())]
        return out

    def record(self, key, count):
        window, camera = key
        return {
            "window_start": window_text(window, self.args.window_format),
            "camera_id": json.loads(camera),
            "count": count,
        }


def consume(args, counter):
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(
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
        sys.exit(2)
    assignment = [TopicPartition(args.topic, p) for p in sorted(partitions)]
    consumer.assign(assignment)
    consumer.seek_to_beginning(*assignment)
    last = time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - last < args.idle:
        for records in consumer.poll(timeout_ms=200, max_records=10000).values():
            for m in records:
                counter.add(m.value)
                last = time.monotonic()
    consumer.close()


def produce(args, records):
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=args.bootstrap, api_version_auto_timeout_ms=10000)
    for r in records:
        key = str(r["camera_id"]).encode()
        producer.send(args.output_topic, key=key, value=json.dumps(r).encode())
    producer.flush(timeout=60)
    producer.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bootstrap", help="host:port of the broker (with --topic or --output-topic)")
    ap.add_argument("--topic", help="the scenario's topic to read")
    ap.add_argument("--values", help="read a dry run's values (one a line) from FILE instead")
    ap.add_argument("--output-topic")
    ap.add_argument("--output-file")
    ap.add_argument("--schema", help="the event JSON Schema: values not valid are malformed")
    ap.add_argument("--time-field", default="timestamp")
    ap.add_argument("--camera-field", default="camera_id")
    ap.add_argument("--id-field", default="event_id")
    ap.add_argument("--window", type=float, default=60.0, help="window length in seconds")
    ap.add_argument("--window-format", choices=["ms", "s", "rfc3339"], default="ms")
    ap.add_argument("--bug", choices=["off-by-one", "duplicates"])
    ap.add_argument("--partial", action="store_true")
    ap.add_argument("--idle", type=float, default=5.0)
    ap.add_argument("--timeout", type=float, default=120.0)
    args = ap.parse_args()
    if bool(args.topic) == bool(args.values):
        ap.error("give --topic or --values")
    counter = Counter(args)
    if args.values:
        with open(args.values, "rb") as f:
            for line in f:
                counter.add(line.rstrip(b"\n"))
    else:
        consume(args, counter)
    records = counter.records()
    if args.output_file:
        with open(args.output_file, "w") as f:
            for r in records:
                f.write(json.dumps(r) + "\n")
    if args.output_topic:
        produce(args, records)
    print(
        f"read {counter.read} values: {counter.malformed} malformed, {counter.duplicates} duplicates; "
        f"wrote {len(records)} records",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
