"""Checks an entity stream's plan and truth against what its scenario declares, with
scipy as the independent reference.

Usage: entity_stats.py TRUTH.json SIGHTINGS.jsonl SPEC.json

SIGHTINGS is the dry run's values (`--format values`), one JSON object per line, with
the fields `entity_id`, `track_id`, `camera_id` and `ts` (epoch milliseconds). SPEC says
what the scenario declares (see tests/it/entities.rs): the start in epoch ms, the
arrivals, dwell and travel distributions (scipy names and parameters in seconds), the
move and entry weights, the miss rate, and the attributes' distributions.

Every statistical test is at alpha = 0.001; the script prints one line per test and
exits 1 if any test rejects or any structural check fails. Structural checks: every
sighting lies inside a visit of its entity with the same camera and track id; a visit's
first sighting is at its enter instant unless the visit missed one; consecutive visits
are moves of the graph; the first visit is at an entry camera.
"""

import json
import math
import sys
from collections import Counter, defaultdict

from scipy import stats

ALPHA = 0.001
failures = []


def check(name, p, detail=""):
    ok = p >= ALPHA
    print(f"{'ok  ' if ok else 'FAIL'} {name}: p = {p:.4g} {detail}")
    if not ok:
        failures.append(name)


def structural(name, ok, detail=""):
    print(f"{'ok  ' if ok else 'FAIL'} {name} {detail}")
    if not ok:
        failures.append(name)


def distribution(spec):
    """A frozen scipy distribution (in seconds) from [name, params...]."""
    kind, *p = spec
    if kind == "expon":
        return stats.expon(scale=p[0])
    if kind == "uniform":
        return stats.uniform(loc=p[0], scale=p[1] - p[0])
    if kind == "lognormal":
        mean, sd = p
        sigma2 = math.log(1 + (sd / mean) ** 2)
        return stats.lognorm(s=math.sqrt(sigma2), scale=mean / math.sqrt(1 + (sd / mean) ** 2))
    raise SystemExit(f"unknown distribution {kind}")


def ks(name, sample, spec):
    if spec[0] == "constant":
        structural(name, all(abs(x - spec[1]) < 1e-6 for x in sample), f"({len(sample)} all {spec[1]} s)")
        return
    if len(sample) < 30:
        structural(name, False, f"only {len(sample)} values")
        return
    result = stats.kstest(sample, distribution(spec).cdf)
    check(name, result.pvalue, f"(KS, n = {len(sample)}, D = {result.statistic:.4f})")


def chi2(name, observed, weights):
    total = sum(observed)
    w = sum(weights)
    expected = [total * x / w for x in weights]
    result = stats.chisquare(observed, expected)
    check(name, result.pvalue, f"(chi-square, n = {total}, observed {observed})")


def main():
    truth = json.load(open(sys.argv[1]))
    sightings = [json.loads(line) for line in open(sys.argv[2])]
    spec = json.load(open(sys.argv[3]))
    start_ms = spec["start_ms"]
    end_us = spec["duration_s"] * 1e6
    entities = truth["entities"]["entities"]
    key = lambda c: str(c)

    # Arrivals: the gaps between entities entering.
    entered = sorted(e["entered_at_us"] for e in entities)
    gaps = [(b - a) / 1e6 for a, b in zip(entered, entered[1:])]
    ks("arrival gaps", gaps, spec["arrivals"])

    # Entry cameras.
    first = Counter(key(e["visits"][0]["camera"]) for e in entities)
    entries = spec["enter"]
    structural("first visits at entry cameras", set(first) <= set(entries), str(dict(first)))
    chi2("entry cameras", [first[c] for c in entries], [entries[c] for c in entries])

    # Dwell per camera (visits cut by the run's end left out).
    dwell = defaultdict(list)
    travel = defaultdict(list)
    moves = defaultdict(Counter)
    for e in entities:
        visits = e["visits"]
        for v in visits:
            if v["leave_us"] < end_us:
                dwell[key(v["camera"])].append((v["leave_us"] - v["enter_us"]) / 1e6)
        for a, b in zip(visits, visits[1:]):
            edge = (key(a["camera"]), key(b["camera"]))
            travel[edge].append((b["enter_us"] - a["leave_us"]) / 1e6)
            moves[edge[0]][edge[1]] += 1
        if e["left_by"] == "exit":
            moves[key(visits[-1]["camera"])]["exit"] += 1
    for camera, sample in sorted(dwell.items()):
        ks(f"dwell at {camera}", sample, spec["dwell_by_camera"].get(camera, spec["dwell"]))
    for edge, dist in spec["travel"].items():
        a, b = edge.split("->")
        ks(f"travel {edge}", travel[(a, b)], dist)
    structural(
        "consecutive visits are moves",
        all(to in spec["moves"].get(frm, {}) for frm, c in moves.items() for to in c),
        str({k: dict(v) for k, v in moves.items()}),
    )
    for frm, weights in spec["moves"].items():
        if len(weights) > 1:
            chi2(f"moves from {frm}", [moves[frm][t] for t in weights], list(weights.values()))

    # Misses: binomial at the declared rate.
    seen = sum(v["sightings"] for e in entities for v in e["visits"])
    missed = sum(v["missed"] for e in entities for v in e["visits"])
    p = stats.binomtest(missed, seen + missed, spec["miss"]).pvalue
    check("misses", p, f"(binomial, {missed} of {seen + missed})")

    # Attributes, once per entity.
    for name, (kind, *params) in spec["attributes"].items():
        values = [e["attributes"][name] for e in entities]
        if kind == "choice":
            counts = Counter(values)
            chi2(f"attribute {name}", [counts[v] for v in params[0]], params[1])
        elif kind == "int":
            lo, hi = params
            counts = Counter(values)
            chi2(f"attribute {name}", [counts[v] for v in range(lo, hi + 1)], [1] * (hi - lo + 1))

    # Every sighting inside its visit; first sightings at enter unless missed.
    visits = {}
    for e in entities:
        for v in e["visits"]:
            visits[(e["entity_id"], v["track_id"])] = v
    outside = 0
    firsts = {}
    for s in sightings:
        v = visits.get((s["entity_id"], s["track_id"]))
        t_us = (s["ts"] - start_ms) * 1000
        if v is None or key(v["camera"]) != key(s["camera_id"]) or not (
            v["enter_us"] // 1000 * 1000 <= t_us < v["leave_us"]
        ):
            outside += 1
            continue
        k = (s["entity_id"], s["track_id"])
        firsts[k] = min(firsts.get(k, t_us), t_us)
    structural("every sighting inside a visit", outside == 0, f"({outside} of {len(sightings)} outside)")
    late = sum(
        1
        for k, v in visits.items()
        if v["missed"] == 0 and v["sightings"] > 0 and firsts.get(k) != v["enter_us"] // 1000 * 1000
    )
    structural("first sightings at enter unless missed", late == 0, f"({late} late)")
    counted = Counter(k for k in ((s["entity_id"], s["track_id"]) for s in sightings))
    wrong = sum(1 for k, v in visits.items() if counted[k] != v["sightings"])
    structural("reported sightings counted per visit", wrong == 0, f"({wrong} visits differ)")

    if failures:
        print(f"{len(failures)} checks failed: {', '.join(failures)}")
        sys.exit(1)
    print("all checks passed")


main()
