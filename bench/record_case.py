"""bench/run's case for `simulate record` (issue 27).

2g. `simulate record` of a topic to a file, beside kafka-python reading the same topic
    and writing the same JSON lines (bench/python_recorder.py) and kcat -C -J: messages/s
    from whole-process wall time, every tool stopping at the topic's message count
    (`--max-messages` for ours, as kafka-python stops on its count; Tansu's high
    watermarks lag, so reading to the end would add an idle timeout to every run). Once
    from the embedded cluster served by `simulate broker` (1,000,000 messages, 64
    partitions: the mock cluster keeps about 40,000 messages a partition), once from a local Tansu with memory storage (200,000 messages, 3
    partitions) when one is installed. The runs alternate; record's peak memory too.
"""
import contextlib
import json
import sys
import socket
import statistics
import subprocess
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def embedded(sim, scenario):
    broker = subprocess.Popen([sim, "broker", "--port", "0", "--partitions", "64", "--for", scenario, "-q"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        yield broker.stdout.readline().strip()
    finally:
        broker.terminate()
        broker.wait()


@contextlib.contextmanager
def tansu_broker(tansu):
    port = free_port()
    address = f"127.0.0.1:{port}"
    proc = subprocess.Popen([tansu, "broker", "--listener-url", f"tcp://{address}",
                             "--advertised-listener-url", f"tcp://{address}",
                             "--storage-engine", "memory://tansu/"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            time.sleep(0.1)
        subprocess.run([tansu, "topic", "create", "events", "--broker", f"tcp://{address}",
                        "--partitions", "3"], check=True, capture_output=True)
        yield address
    finally:
        proc.terminate()
        proc.wait()


def measure(h, work, commands, runs, warmup, sim, py, bootstrap, scenario, n, kcat):
    """Sends the scenario's plan to `bootstrap`, then records it with each tool."""
    h.run([sim, scenario, "-b", bootstrap, "--max-speed", "-q"])
    out = work / "recorded.jsonl"
    ours = [sim, "record", "-b", bootstrap, "--topic", "events", "--max-messages", str(n), "-q", "-o", out]
    python = [py, str(h.ROOT / "bench" / "python_recorder.py"), bootstrap, "events", str(n), out]
    tools = {"ours": lambda: h.run(ours), "python": lambda: h.run(python)}
    commands += [ours, python]
    if kcat:
        cmd_kcat = ["kcat", "-C", "-J", "-q", "-e", "-o", "beginning", "-b", bootstrap, "-t", "events"]
        commands.append(cmd_kcat)
        tools["kcat"] = lambda: h.run(cmd_kcat)
    res = h.alternate(tools, runs, warmup)
    lines = sum(1 for _ in open(out))
    if lines != n:
        raise SystemExit(f"the last recording holds {lines} lines, not {n}")
    return res


def case(h, table, work, commands, quick, runs, warmup, sim, py, tansu):
    for where, n, partitions in (("embedded", 50_000 if quick else 1_000_000, 64),
                                 ("tansu", 5_000 if quick else 200_000, 3)):
        if where == "tansu" and not tansu:
            print("case 2g on Tansu not run: no tansu on PATH (.ci/run installs it)", file=sys.stderr)
            continue
        scenario = h.write(work / f"record-{where}.yaml",
                           f"name: record-{where}\nseed: 1\nstart: 2026-01-01T00:00:00Z\n"
                           f"duration: {n * 10 + 5}us\n"
                           "streams:\n  - cameras: {count: 1000, first: 100000}\n"
                           "    inter_arrival: {distribution: constant, interval: 10us}\n")
        n = json.loads(subprocess.run([sim, "stats", scenario, "--json"], check=True,
                                      capture_output=True, text=True).stdout)["events"]
        broker = embedded(sim, scenario) if where == "embedded" else tansu_broker(tansu)
        with broker as bootstrap:
            res = measure(h, work, commands, runs, warmup, sim, py, bootstrap, scenario, n,
                          kcat=where == "embedded")
        rate = {k: [n / r[0] for r in v] for k, v in res.items()}
        med, py_med = statistics.median(rate["ours"]), statistics.median(rate["python"])
        if where == "embedded":
            name = f"record, {n:,} messages ({partitions} partitions) from the embedded cluster to a file"
            target, met = "≥ 200,000/s", None if quick else med >= 200_000
        else:
            name = f"record, {n:,} messages ({partitions} partitions) from a local Tansu (memory storage) to a file"
            target, met = "≥ ½ kafka-python's rate", None if quick else med >= py_med / 2
        table.add(name, "simulate record (JSON lines to a file)", rate["ours"], "messages/s",
                  target=f"{target} ({med / py_med:.1f}× kafka-python)", met=met)
        table.add(name, "kafka-python consumer (the same JSON lines to a file)", rate["python"], "messages/s")
        if "kcat" in rate:
            table.add(name, "kcat -C -J to its end (to /dev/null)", rate["kcat"], "messages/s")
        peak = [r[1] / 1024 for r in res["ours"]]
        table.add("peak memory", f"simulate record, {n:,} messages ({where})", peak, "MB", fmt="{:,.1f}",
                  target="< 100 MB", met=None if quick else statistics.median(peak) < 100)
