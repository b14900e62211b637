"""bench/run's case for the other side of the pipe (issue 26).

2f. `simulate verify` of 2,000,000 messages (10,000 cameras, keyed, 64 partitions) in
    the embedded cluster served by `simulate broker`, beside kafka-python's consumer and
    kcat reading the same topic to its end: messages/s from whole-process wall time
    (verify's includes rendering the plan, comparing every message, and the one second
    it reads on after the plan's last message for copies behind it), and verify's peak
    memory. The runs alternate.
"""
import json
import statistics
import subprocess


def case(h, table, work, commands, quick, runs, warmup, sim, py):
    planned = 50_000 if quick else 2_000_000
    scenario = h.write(work / "verify.yaml",
                       "name: verify-bench\nseed: 1\nstart: 2026-01-01T00:00:00Z\n"
                       f"duration: {planned * 10 + 10}us\n"
                       "streams:\n  - cameras: {count: 10000, first: 100000}\n"
                       "    inter_arrival: {distribution: constant, interval: 10us}\n")
    n = json.loads(subprocess.run([sim, "stats", scenario, "--json"], check=True,
                                  capture_output=True, text=True).stdout)["events"]
    broker = subprocess.Popen([sim, "broker", "--port", "0", "--partitions", "64", "--for", scenario, "-q"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        bootstrap = broker.stdout.readline().strip()
        h.run([sim, scenario, "-b", bootstrap, "--max-speed", "-q"])
        ours = [sim, "verify", scenario, "-b", bootstrap, "--idle-timeout", "5s", "-q"]
        reader = [py, str(h.ROOT / "bench" / "python_consumer.py"), bootstrap, "events", str(n)]
        kcat = ["kcat", "-C", "-q", "-e", "-o", "beginning", "-b", bootstrap, "-t", "events"]
        commands += [ours, reader, kcat]
        res = h.alternate({"ours": lambda: h.run(ours), "python": lambda: h.run(reader),
                           "kcat": lambda: h.run(kcat)}, runs, warmup)
    finally:
        broker.terminate()
        broker.wait()
    rate = {k: [n / r[0] for r in v] for k, v in res.items()}
    peak = [r[1] / 1024 for r in res["ours"]]
    med = statistics.median(rate["ours"])
    name = f"verify, {n:,} messages (10,000 keys, 64 partitions) from the embedded cluster"
    table.add(name, "simulate verify (reads, renders the plan, compares)", rate["ours"], "messages/s",
              target=f"≥ 300,000/s ({med / statistics.median(rate['python']):.1f}× kafka-python)",
              met=None if quick else med >= 300_000)
    table.add(name, "kafka-python consumer (reads and counts)", rate["python"], "messages/s")
    table.add(name, "kcat -C to its end (reads and prints)", rate["kcat"], "messages/s")
    table.add("peak memory", f"simulate verify, {n:,} messages", peak, "MB", fmt="{:,.1f}",
              target="< 100 MB", met=None if quick else statistics.median(peak) < 100)
