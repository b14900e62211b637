"""bench/run's reference for `simulate fit`: what a user does by hand in Python. Reads a
recording (one JSON object per line, `ts` in ms), takes the gaps between consecutive
messages, and fits the eight families `simulate fit` considers with scipy's maximum
likelihood (`scipy.stats.*.fit`, location fixed at 0 as gaps start at 0), printing each
family's log-likelihood. Gaps only: no cameras, no rate profile, no payload."""
import json
import sys

import numpy as np
from scipy import stats

ts = []
with open(sys.argv[1]) as f:
    for line in f:
        ts.append(json.loads(line)["ts"])
ts.sort()
gaps = np.diff(np.asarray(ts, dtype=np.float64)) / 1000.0
gaps = gaps[gaps > 0]
families = {
    "uniform": (stats.uniform, {}),
    "exponential": (stats.expon, {"floc": 0}),
    "normal": (stats.norm, {}),
    "lognormal": (stats.lognorm, {"floc": 0}),
    "gamma": (stats.gamma, {"floc": 0}),
    "weibull": (stats.weibull_min, {"floc": 0}),
    "pareto": (stats.pareto, {"floc": 0}),
}
for name, (family, fixed) in families.items():
    params = family.fit(gaps, **fixed)
    print(name, float(np.sum(family.logpdf(gaps, *params))))
print("constant", "inf" if np.all(gaps == gaps[0]) else "-inf")
