"""Reads topics back with confluent-kafka and decodes every value through a Schema
Registry with confluent-kafka's own deserializers (AvroDeserializer, ProtobufDeserializer
with a protoc-generated module, JSONDeserializer), then compares the decoded values with
the plan's logical values (`simulate --dry-run --format plan`), topic by topic, in order
per key. It also checks the wire bytes: magic byte 0, the id the registry has under the
subject, and for Protobuf the message indexes.

usage: decode_registry.py BOOTSTRAP REGISTRY_URL PLAN_FILE FORMAT SUBJECT_BY_TOPIC_JSON [PB2_DIR MODULE MESSAGE]

Planned malformed messages must be exactly the ones the deserializer refuses. Prints how
many messages were compared; exits non-zero (with the first difference) when anything
differs.
"""

import datetime
import importlib
import json
import sys
import uuid

from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.serialization import MessageField, SerializationContext

bootstrap, url, plan_file, fmt, subjects = sys.argv[1:6]
subjects = json.loads(subjects)
plan = [json.loads(line) for line in open(plan_file) if line.strip()]
registry = SchemaRegistryClient({"url": url})

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def logical(v):
    """A decoded Avro value as the plan's JSON writes it."""
    if isinstance(v, dict):
        return {k: logical(x) for k, x in v.items()}
    if isinstance(v, list):
        return [logical(x) for x in v]
    if isinstance(v, uuid.UUID):
        return str(v)
    if isinstance(v, datetime.datetime):
        return (v - EPOCH) // datetime.timedelta(milliseconds=1)
    return v


def proto_value(message):
    """A Protobuf message as the plan's JSON writes it: optional fields not set are
    null, repeated fields lists, nested messages objects."""
    out = {}
    for field in message.DESCRIPTOR.fields:
        value = getattr(message, field.name)
        # protobuf 7 spells it is_repeated; older ones compare the label.
        repeated = getattr(field, "is_repeated", None)
        if repeated is None:
            repeated = field.label == field.LABEL_REPEATED
        if repeated:
            if field.message_type is not None:
                out[field.name] = [proto_value(x) for x in value]
            else:
                out[field.name] = list(value)
        elif field.has_presence and not message.HasField(field.name):
            out[field.name] = None
        elif field.message_type is not None:
            out[field.name] = proto_value(value)
        else:
            out[field.name] = value
    return out


if fmt == "avro":
    from confluent_kafka.schema_registry.avro import AvroDeserializer

    deserializer = AvroDeserializer(registry)
    convert = logical
elif fmt == "protobuf":
    from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer

    sys.path.insert(0, sys.argv[6])
    module = importlib.import_module(sys.argv[7])
    message_type = getattr(module, sys.argv[8])
    deserializer = ProtobufDeserializer(message_type, {"use.deprecated.format": False})
    convert = proto_value
elif fmt == "json_schema":
    from confluent_kafka.schema_registry.json_schema import JSONDeserializer

    deserializer = None  # built per subject below, from the registered schema
    convert = lambda v: v  # noqa: E731
else:
    sys.exit(f"unknown format {fmt}")

ids = {}
json_deserializers = {}
for topic, subject in subjects.items():
    latest = registry.get_latest_version(subject)
    ids[topic] = latest.schema_id
    if fmt == "json_schema":
        json_deserializers[topic] = JSONDeserializer(
            latest.schema.schema_str, schema_registry_client=registry
        )

compared = 0
for topic in subjects:
    expected, malformed, total = {}, 0, 0
    for line in plan:
        if line["topic"] != topic:
            continue
        total += 1
        if line.get("fault") == "malformed":
            malformed += 1
        else:
            expected.setdefault(line["key"], []).append(line["value"])
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"check-{uuid.uuid4()}",
                         "enable.auto.commit": False, "auto.offset.reset": "earliest"})
    metadata = consumer.list_topics(topic, timeout=10)
    consumer.assign([TopicPartition(topic, p, 0) for p in metadata.topics[topic].partitions])
    # Tansu's high watermarks are not to be trusted (tests/it/real_broker.rs): read until
    # every planned message arrived, or nothing came for 15 s.
    got, undecodable, read, idle = {}, 0, 0, 0
    while read < total and idle < 15:
        msg = consumer.poll(1.0)
        if msg is None:
            idle += 1
            continue
        idle = 0
        if msg.error():
            sys.exit(f"consumer error: {msg.error()}")
        read += 1
        raw = msg.value()
        context = SerializationContext(topic, MessageField.VALUE)
        try:
            if fmt == "json_schema":
                value = json_deserializers[topic](raw, context)
            else:
                value = deserializer(raw, context)
        except Exception as e:  # a planned malformed message: counted below
            undecodable += 1
            print(f"undecodable: {type(e).__name__}: {e}", file=sys.stderr)
            continue
        assert raw[0] == 0, ("magic byte", topic, raw[:6])
        assert int.from_bytes(raw[1:5], "big") == ids[topic], ("schema id", int.from_bytes(raw[1:5], "big"), ids[topic])
        if fmt == "protobuf":
            assert raw[5] == 0, ("message indexes [0] as the single byte 0", raw[:8])
        key = msg.key().decode() if msg.key() is not None else None
        got.setdefault(key, []).append(convert(value))
    consumer.close()
    if read != total:
        sys.exit(f"topic {topic}: {read} messages read, {total} planned")
    if undecodable != malformed:
        sys.exit(f"topic {topic}: {undecodable} messages could not be decoded, {malformed} were planned malformed")
    for key in expected:
        if got.get(key) != expected[key]:
            mine, theirs = got.get(key, []), expected[key]
            for i, (a, b) in enumerate(zip(mine, theirs)):
                if a != b:
                    sys.exit(f"topic {topic} key {key} message {i}: decoded {a!r}, planned {b!r}")
            sys.exit(f"topic {topic} key {key}: {len(mine)} messages decoded, {len(theirs)} planned")
    if set(got) - set(expected):
        sys.exit(f"topic {topic}: unplanned keys {sorted(set(got) - set(expected))[:5]}")
    compared += sum(len(v) for v in expected.values())
print(compared)
