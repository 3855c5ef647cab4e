"""The CSF benchmark's series by numpy's closed form, timed, and compared with itdose's solver.

The scenario of examples/pk_bench.rs: 30 days on a 1-minute grid (43,201 points), 1 mg/day from
t = 0 and 0.1 mg over 30 min (4.8 mg/day) at 02:00, 10:00 and 18:00 every day. Each input is
superposed in closed form over the whole grid at once (numpy arrays):
- one compartment (t½ 3 h, V 140 mL; k = ln 2 / t½): an infusion of R per hour from a to b adds
  R/(k V) (1 − e^{−k(t−a)}) for a ≤ t ≤ b, and R/(k V) (e^{−k(t−b)} − e^{−k(t−a)}) after b, i.e.
  R/(k V) (e^{−k max(t−b, 0)} − e^{−k max(t−a, 0)}), one broadcast over inputs × times;
- two compartments (V 140 mL, k10 0.2, k12 0.3, k21 0.1 per hour; α, β the roots of
  s² − (k10 + k12 + k21) s + k10 k21): the central unit impulse response is
  ((α − k21) e^{−αt} + (k21 − β) e^{−βt}) / (α − β), integrated the same way per exponential.

Usage: python3 scripts/pk_numpy.py DIR RUNS, where DIR holds one.f64 and two.f64 (little-endian
f64 series written by `cargo run --release --example pk_bench -- DIR`). Prints one line per model:
milliseconds per series (mean of RUNS) and the largest relative difference from itdose's series
(relative to the series' peak).
"""
import math
import sys
import time

import numpy as np

DAYS = 30


def inputs():
    out = [(0.0, DAYS * 24.0, 1.0 / 24.0)]
    for day in range(DAYS):
        for start in (2.0, 10.0, 18.0):
            a = day * 24.0 + start
            out.append((a, a + 0.5, 4.8 / 24.0))
    return out


def infusion(t, a, b, rate, lam):
    """Amount from infusions of `rate` per hour over [a, b] (arrays, one per input) under a unit
    response e^{-lam t}, summed: rate/lam (e^{-lam max(t-b, 0)} - e^{-lam max(t-a, 0)}) is 0 before
    a, rate/lam (1 - e^{-lam (t-a)}) during, rate/lam (e^{-lam (t-b)} - e^{-lam (t-a)}) after b.
    One broadcast over (inputs x times)."""
    tt = t[np.newaxis, :]
    late = np.exp(-lam * np.maximum(tt - b[:, np.newaxis], 0.0))
    early = np.exp(-lam * np.maximum(tt - a[:, np.newaxis], 0.0))
    return (rate[:, np.newaxis] / lam * (late - early)).sum(axis=0)


def arrays():
    a, b, r = (np.array(column) for column in zip(*inputs()))
    return a, b, r


def one(t):
    k = math.log(2.0) / 3.0
    return infusion(t, *arrays(), k) / 140.0


def two(t):
    k10, k12, k21 = 0.2, 0.3, 0.1
    s = k10 + k12 + k21
    root = math.sqrt(s * s - 4.0 * k10 * k21)
    alpha, beta = (s + root) / 2.0, (s - root) / 2.0
    ca, cb = (alpha - k21) / (alpha - beta), (k21 - beta) / (alpha - beta)
    a, b, r = arrays()
    return (ca * infusion(t, a, b, r, alpha) + cb * infusion(t, a, b, r, beta)) / 140.0


def main():
    directory, runs = sys.argv[1], int(sys.argv[2])
    t = np.arange(DAYS * 24 * 60 + 1, dtype=np.float64) / 60.0
    for name, f in (("one compartment", one), ("two compartments", two)):
        start = time.perf_counter()
        for _ in range(runs):
            series = f(t)
        ms = (time.perf_counter() - start) * 1000.0 / runs
        ours = np.fromfile(f"{directory}/{name.split()[0]}.f64", dtype="<f8")
        difference = float(np.max(np.abs(ours - series)) / np.max(np.abs(series)))
        print(f"numpy {np.__version__}, {name}: {ms:.2f} ms per series (mean of {runs}); largest difference from itdose {difference:.1e} of the peak")


main()
