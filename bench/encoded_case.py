"""bench/run's cases for values encoded by a schema (issue 24).

1e. `--dry-run --encoded` of the ten-field payload as Avro and as Protobuf (the whole
    encoding path: render, encode, frame, base64), in events/s.
2d. `--max-speed` of the same records as Avro and as Protobuf into a 3-broker mock
    cluster through a Schema Registry (`simulate registry`, shared by both tools),
    beside Python confluent-kafka's AvroSerializer/ProtobufSerializer producing the same
    records (bench/python_registry_producer.py); and the registry round trips simulate
    made, from its report (ids cached: one per subject, not per message).
"""
import json
import statistics
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PAYLOAD = (
    "    payload:\n"
    "      event_id: {gen: event_id}\n"
    "      ts: {gen: timestamp, format: epoch_ms}\n"
    "      camera_id: {gen: camera_id}\n"
    "      zone: {gen: camera, attribute: zone}\n"
    "      kind: {gen: choice, values: [motion, person, vehicle], weights: [6, 3, 1]}\n"
    "      confidence: {gen: float, min: 0.5, max: 1.0, decimals: 3}\n"
    "      people: {gen: int, min: 0, max: 12}\n"
    "      temperature_c: {gen: normal, mean: 21, std_dev: 2, decimals: 1}\n"
    "      frame: {gen: sequence}\n"
    "      bbox: {x: {gen: int, min: 0, max: 1919}, y: {gen: int, min: 0, max: 1079}}\n"
)


def scenario(work, fmt, n_events, gap_us, case="dry"):
    """The ten-field payload as `fmt` values, n_events of them (a file per case)."""
    text = ("name: encoded-" + fmt + "\nseed: 1\nstart: 2026-01-01T00:00:00Z\n"
            f"topic: encoded-{fmt}\n"
            f"duration: {n_events * gap_us}us\n"
            "streams:\n  - cameras: [{id: 1000, zone: entrance}, {id: 1001, zone: lobby}, {id: 1002, zone: parking}]\n"
            f"    inter_arrival: {{distribution: uniform, min: 1us, max: {2 * gap_us - 1}us}}\n"
            f"    value: {{format: {fmt}, record_name: Detection, namespace: com.example}}\n" + PAYLOAD)
    path = work / f"encoded-{case}-{fmt}.yaml"
    path.write_text(text)
    return str(path)


def serving(cmd):
    """Starts a serving simulate (`simulate registry`) and returns it with its first
    stdout line (the address)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return proc, proc.stdout.readline().strip()


def dry_run_case(h, table, work, commands, quick, runs, warmup, sim):
    """1e: the encoded dry run, Avro and Protobuf."""
    n = 50_000 if quick else 2_000_000
    cmds = {fmt: [sim, scenario(work, fmt, n, 10), "--dry-run", "--encoded", "--quiet"]
            for fmt in ("avro", "protobuf")}
    commands += list(cmds.values())
    counts = {fmt: sum(1 for _ in subprocess.run(c, check=True, capture_output=True).stdout.splitlines())
              for fmt, c in cmds.items()}
    times = h.alternate({fmt: (lambda c=c: h.run(c)[0]) for fmt, c in cmds.items()}, runs, warmup)
    case = f"dry-run --encoded, ten-field payload, {counts['avro']:,} events to /dev/null"
    for fmt in cmds:
        rate = [counts[fmt] / t for t in times[fmt]]
        med = statistics.median(rate)
        table.add(case, f"simulate, {fmt} (encoded, framed, base64)", rate, "events/s",
                  target="≥ 1,500,000/s", met=med >= 1_500_000)


def max_speed_case(h, table, work, commands, quick, runs, warmup, sim, py, protoc):
    """2d: --max-speed Avro and Protobuf through a registry, beside Python's serializers."""
    n = 20_000 if quick else 300_000
    registry, url = serving([sim, "registry", "--port", "0", "--quiet"])
    try:
        props = [x for k, v in h.PRODUCER.items() for x in ("-X", f"{k}={v}")]
        py_props = ["bootstrap.servers=mock:9092", "test.mock.num.brokers=3",
                    *[f"{k}={v}" for k, v in h.PRODUCER.items()]]
        case = f"--max-speed, ten-field payload encoded by a schema, {n:,} events to a 3-broker mock cluster"
        for fmt in ("avro", "protobuf"):
            path = scenario(work, fmt, n, 10, case="kafka")
            lines = work / f"encoded-{fmt}.lines"
            plan = subprocess.run([sim, path, "--dry-run", "--format", "plan"], check=True,
                                  capture_output=True).stdout
            with open(lines, "wb") as out:
                for raw in plan.splitlines():
                    event = json.loads(raw)
                    out.write(event["key"].encode() + b"\t"
                              + json.dumps(event["value"], separators=(",", ":")).encode() + b"\n")
            flag = "--avro" if fmt == "avro" else "--protobuf"
            printed = subprocess.run([sim, "schema", flag, path], check=True, capture_output=True).stdout
            if fmt == "avro":
                schema = work / "encoded.avsc"
                schema.write_bytes(printed)
                schema_arg = str(schema)
            else:
                (work / "encoded_value.proto").write_bytes(printed)
                subprocess.run([protoc, "--python_out=.", "encoded_value.proto"], cwd=work, check=True)
                schema_arg = f"{work}:encoded_value_pb2:Detection"
            report = work / f"encoded-{fmt}.report.json"
            cmd_ours = [sim, path, "--max-speed", "--quiet", "--bootstrap-servers", "mock:9092", *h.MOCK,
                        *props, "--schema-registry", url, "--report", str(report)]
            cmd_py = [py, str(ROOT / "bench" / "python_registry_producer.py"), str(lines), f"encoded-{fmt}", url, fmt,
                      schema_arg, *py_props]
            commands += [cmd_ours, cmd_py]
            rate = h.events_per_second({"ours": cmd_ours, "python": cmd_py}, n, runs, warmup)
            ours, pyp = statistics.median(rate["ours"]), statistics.median(rate["python"])
            requests = json.loads(report.read_text())["schema_registry"]["requests"]
            table.add(case, f"simulate, {fmt} ({requests} registry request{'s' if requests != 1 else ''} per run)",
                      rate["ours"], "events/s",
                      target=f"≥ 10× Python ({ours / pyp:.1f}×), 1 registry request per subject",
                      met=ours >= 10 * pyp and requests == 1)
            table.add(case, f"Python confluent_kafka, {fmt.capitalize()}Serializer", rate["python"], "events/s")
    finally:
        registry.terminate()
        registry.wait()
