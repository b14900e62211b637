#!/usr/bin/env python3
"""A confluent_kafka producer of schema-encoded values, as a careful Python user would
write one: each record (pre-generated `key<TAB>json` lines, the same records simulate
sends) serialized by confluent-kafka's own AvroSerializer or ProtobufSerializer through a
Schema Registry (ids cached by the serializer), then produced as fast as the queue takes
it, with delivery reports served and a flush at the end.

Usage: python_registry_producer.py LINES TOPIC REGISTRY_URL avro SCHEMA_FILE key=value...
       python_registry_producer.py LINES TOPIC REGISTRY_URL protobuf PB2_DIR:MODULE:MESSAGE key=value...
"""
import importlib
import json
import sys

from confluent_kafka import Producer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.serialization import MessageField, SerializationContext

path, topic, url, fmt, schema, *props = sys.argv[1:]
config = dict(p.split("=", 1) for p in props)
registry = SchemaRegistryClient({"url": url})
if fmt == "avro":
    from confluent_kafka.schema_registry.avro import AvroSerializer

    serializer = AvroSerializer(registry, open(schema).read())

    def record(value):
        return value
elif fmt == "protobuf":
    from google.protobuf import json_format
    from confluent_kafka.schema_registry.protobuf import ProtobufSerializer

    directory, module, message = schema.split(":")
    sys.path.insert(0, directory)
    message_type = getattr(importlib.import_module(module), message)
    serializer = ProtobufSerializer(message_type, registry, {"use.deprecated.format": False})

    def record(value):
        return json_format.ParseDict(value, message_type())
else:
    sys.exit(f"unknown format {fmt}")

delivered = failed = 0


def report(err, _msg):
    global delivered, failed
    if err is None:
        delivered += 1
    else:
        failed += 1


producer = Producer(config)
context = SerializationContext(topic, MessageField.VALUE)
with open(path, "rb") as lines:
    for i, line in enumerate(lines):
        key, _, text = line.rstrip(b"\n").partition(b"\t")
        value = serializer(record(json.loads(text)), context)
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
