"""bench/run's case for entity streams (issue 25).

1f. `--dry-run` of an entity stream on 1,000 cameras in a 25 × 40 grid (each camera's
    moves: its four neighbours, weight 1, and `exit`, weight 1; entries on the grid's
    border), 200 entities entering per second on average, `sightings: {every: 1s}`,
    over 1 h, in events/s to /dev/null; and the peak memory of the same over 1 h and
    over 24 h (the plan keeps only the entities inside the site).
"""
import json
import statistics
import subprocess

ROWS, COLS = 25, 40


def grid(duration):
    """The grid scenario, `duration` long."""
    cam = lambda r, c: 1 + r * COLS + c
    lines = [
        "name: grid-walk", "seed: 1", "start: 2026-01-01T00:00:00Z", f"duration: {duration}",
        "topic: detections", "streams:", "  - name: walkers",
        f"    cameras: [{', '.join(str(cam(r, c)) for r in range(ROWS) for c in range(COLS))}]",
        "    entities:",
        "      arrivals: {distribution: exponential, mean: 5ms}",
    ]
    border = [cam(r, c) for r in range(ROWS) for c in range(COLS)
              if r in (0, ROWS - 1) or c in (0, COLS - 1)]
    lines.append(f"      enter: [{', '.join(map(str, border))}]")
    # One travel time for every move: the first move defines it, the others name it (a
    # YAML alias keeps the file under the 256 KiB limit).
    lines.append("      moves:")
    first = True
    for r in range(ROWS):
        for c in range(COLS):
            near = [cam(r + dr, c + dc) for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1))
                    if 0 <= r + dr < ROWS and 0 <= c + dc < COLS]
            travels = []
            for n in near:
                travels.append(f"{{to: {n}, travel: &walk {{distribution: uniform, min: 2s, max: 8s}}}}" if first
                               else f"{{to: {n}, travel: *walk}}")
                first = False
            moves = ", ".join(travels)
            lines.append(f"        {cam(r, c)}: [{moves}, {{to: exit}}]")
    lines += [
        "      dwell: {distribution: uniform, min: 5s, max: 15s}",
        "      sightings: {every: 1s}",
        "      miss: 0.05",
        "      max_visits: 50",
        "      attributes:",
        "        kind: {gen: choice, values: [person, vehicle], weights: [9, 1]}",
        "    payload:",
        "      event_id: {gen: event_id}",
        "      ts: {gen: timestamp, format: epoch_ms}",
        "      camera_id: {gen: camera_id}",
        "      entity_id: {gen: entity_id}",
        "      track_id: {gen: track_id}",
        "      kind: {gen: entity, attribute: kind}",
    ]
    return "\n".join(lines) + "\n"


def case(h, table, work, commands, quick, runs, warmup, sim):
    short, long_ = ("2m", "20m") if quick else ("1h", "24h")
    path = lambda d: h.write(work / f"grid-walk-{d}.yaml", grid(d))
    p_short, p_long = path(short), path(long_)
    stats = json.loads(subprocess.run([sim, "stats", p_short, "--json"], check=True,
                                      capture_output=True, text=True).stdout)
    n = stats["events"]
    cmd = [sim, p_short, "--dry-run"]
    commands.append(cmd)
    rate = h.events_per_second({"ours": cmd}, n, runs, warmup)
    med = statistics.median(rate["ours"])
    case_name = f"dry-run, entity stream: 1,000 cameras in a grid, 200 entities/s, sightings every 1 s, {short} ({n:,} events) to /dev/null"
    table.add(case_name, "simulate", rate["ours"], "events/s",
              target="≥ 2,000,000/s", met=None if quick else med >= 2_000_000)
    cmd_long = [sim, p_long, "--dry-run"]
    commands.append(cmd_long)
    res = h.alternate({"short": lambda: h.run(cmd)[1] / 1024,
                       "long": lambda: h.run(cmd_long)[1] / 1024}, 1 if quick else min(runs, 3), 0)
    s_med, l_med = statistics.median(res["short"]), statistics.median(res["long"])
    table.add("peak memory", f"entity grid, {short}, dry run", res["short"], "MB", fmt="{:,.1f}")
    table.add("peak memory", f"entity grid, {long_}, dry run", res["long"], "MB", fmt="{:,.1f}",
              target=f"within 10 % of {short} ({(l_med / s_med - 1) * 100:+.1f} %)",
              met=None if quick else abs(l_med / s_med - 1) <= 0.10)
