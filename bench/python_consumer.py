"""Reads every partition of a topic from its beginning with kafka-python until it has
seen N messages (bench/run's reference for `simulate verify`)."""
import sys

from kafka import KafkaConsumer, TopicPartition

bootstrap, topic, wanted = sys.argv[1], sys.argv[2], int(sys.argv[3])
consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                         consumer_timeout_ms=10_000)
parts = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
consumer.assign(parts)
consumer.seek_to_beginning(*parts)
seen = 0
for _ in consumer:
    seen += 1
    if seen >= wanted:
        break
if seen < wanted:
    sys.exit(f"read {seen} of {wanted} messages")
