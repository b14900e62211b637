"""bench/run's case for `simulate fit` (issue 27).

2h. `simulate fit` of a recording of 1,000,000 detections (a shared stream of 20
    cameras, gamma gaps, a daily rate profile over three days, a ten-field payload),
    beside a Python script that fits only the gaps with scipy (bench/python_fit.py):
    whole-process wall time, and fit's peak memory beside that of a recording of
    100,000 from the same scenario (what a message more costs). The runs
    alternate. The recording is made from the scenario's plan (`--format plan`), in the
    lines `simulate record` writes.
"""
import json
import statistics
import subprocess

SCENARIO = """name: fit-bench
seed: 1
start: 2026-01-01T00:00:00Z
duration: {duration}
topic: detections
streams:
  - cameras: {{count: 20, first: 1000}}
    inter_arrival: {{distribution: gamma, shape: 2, mean: {mean}}}
    rate: {{points: [{{at: 0h, factor: 0.5}}, {{at: 8h, factor: 2}}, {{at: 18h, factor: 1}}], repeat: 24h}}
    payload:
      event_id: {{gen: event_id}}
      ts: {{gen: timestamp, format: epoch_ms}}
      camera_id: {{gen: camera_id}}
      kind: {{gen: choice, values: [motion, person, vehicle], weights: [6, 3, 1]}}
      confidence: {{gen: float, min: 0.5, max: 1.0, decimals: 3}}
      people: {{gen: int, min: 0, max: 12}}
      temperature_c: {{gen: normal, mean: 21, std_dev: 2, decimals: 1}}
      frame: {{gen: sequence, start: 0}}
      schema_version: 2
      bbox: {{x: {{gen: int, min: 0, max: 1919}}, y: {{gen: int, min: 0, max: 1079}}}}
"""


def recording(h, work, sim, events):
    """A recording of about `events` messages over three days; returns (path, lines)."""
    mean_ms = 3 * 86_400_000 / events * 1.0833  # the profile's mean factor over a day
    scenario = h.write(work / f"fit-{events}.yaml", SCENARIO.format(duration="72h", mean=f"{mean_ms:.4f}ms"))
    path = work / f"fit-{events}.jsonl"
    plan = subprocess.Popen([sim, scenario, "--dry-run", "--format", "plan"], stdout=subprocess.PIPE, text=True)
    n = 0
    with open(path, "w", buffering=1 << 20) as out:
        for line in plan.stdout:
            event = json.loads(line)
            out.write(json.dumps({"topic": event["topic"], "partition": 0, "offset": n, "tstype": "create",
                                  "ts": event["timestamp_ms"], "key": event["key"], "headers": [],
                                  "payload": json.dumps(event["value"], separators=(",", ":"))},
                                 separators=(",", ":")) + "\n")
            n += 1
    if plan.wait() != 0:
        raise SystemExit("the fit case's scenario did not plan")
    return path, n


def case(h, table, work, commands, quick, runs, warmup, sim, py):
    big, small = (20_000, 5_000) if quick else (1_000_000, 100_000)
    peaks = {}
    for events in (big, small):
        path, n = recording(h, work, sim, events)
        ours = [sim, "fit", path, "-o", work / f"fitted-{events}.yaml"]
        commands.append(ours)
        tools = {"ours": lambda: h.run(ours)}
        if events == big:
            reference = [py, str(h.ROOT / "bench" / "python_fit.py"), path]
            commands.append(reference)
            tools["scipy"] = lambda: h.run(reference)
        res = h.alternate(tools, runs, warmup)
        peaks[events] = [r[1] / 1024 for r in res["ours"]]
        if events != big:
            continue
        seconds = [r[0] for r in res["ours"]]
        name = f"fit, a recording of {n:,} detections (20 cameras, 3 days, ten fields)"
        table.add(name, "simulate fit (cameras, arrivals, gaps, rate profile, payload)", seconds, "s",
                  fmt="{:,.2f}", target="< 10 s", met=None if quick else statistics.median(seconds) < 10)
        table.add(name, "Python + scipy, the gaps' eight fits only", [r[0] for r in res["scipy"]], "s",
                  fmt="{:,.2f}")
    growth = (statistics.median(peaks[big]) - statistics.median(peaks[small])) * 2**20 / (big - small)
    table.add("peak memory", f"simulate fit, {big:,} events", peaks[big], "MB", fmt="{:,.1f}",
              target=f"< 100 MB ({growth:.0f} bytes more a message than at {small:,})",
              met=None if quick else statistics.median(peaks[big]) < 100)
    table.add("peak memory", f"simulate fit, {small:,} events", peaks[small], "MB", fmt="{:,.1f}")
