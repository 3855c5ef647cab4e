#!/usr/bin/env python3
"""Independent reference for itdose's CSF model solver (issue 5).

Integrates the same linear one- and two-compartment models with scipy's solve_ivp (DOP853,
rtol 1e-13, atol 1e-18), restarting the integration at every input discontinuity, and writes the
central concentration on a 30-day, 1-minute grid as little-endian float64 (43,201 values per
model) to tests/fixtures/. The Rust test tests/pk_reference.rs compares against these files.

Scenario (chosen to exercise both slow build-up and sharp peaks):
  continuous infusion 1 mg/day at the tip from t = 0, plus three boluses a day of 0.1 mg each over
  30 minutes, starting at 02:00, 10:00 and 18:00 (hours after t = 0) every day.
  one compartment: half-life 3 h, volume 140 mL
  two compartments: central volume 140 mL, k10 = 0.2 /h, k12 = 0.3 /h, k21 = 0.1 /h

Run:  python3 tools/pk_fixture.py   (needs numpy and scipy; pip install numpy scipy)
"""
import math
import pathlib

import numpy as np
from scipy.integrate import solve_ivp

DAYS = 30
GRID = np.arange(0, DAYS * 24 * 60 + 1) / 60.0  # hours, every minute
BASAL = 1.0 / 24.0  # mg per hour
BOLUS_RATE = 0.1 / 0.5  # 0.1 mg over 0.5 h
BOLUS_STARTS = [d * 24.0 + h for d in range(DAYS) for h in (2.0, 10.0, 18.0)]


def rate(t):
    r = BASAL
    for s in BOLUS_STARTS:
        if s <= t < s + 0.5:
            r += BOLUS_RATE
    return r


def breakpoints():
    edges = {0.0, DAYS * 24.0}
    for s in BOLUS_STARTS:
        edges.add(s)
        edges.add(s + 0.5)
    return sorted(e for e in edges if e <= DAYS * 24.0)


def integrate(rhs, y0, volume):
    out = np.zeros_like(GRID)
    y = np.array(y0, dtype=float)
    edges = breakpoints()
    for a, b in zip(edges[:-1], edges[1:]):
        r = rate((a + b) / 2.0)
        mask = (GRID >= a) & (GRID <= b)
        sol = solve_ivp(lambda t, x: rhs(x, r), (a, b), y, method="DOP853", rtol=1e-13, atol=1e-18,
                        t_eval=GRID[mask], dense_output=False)
        out[mask] = sol.y[0] / volume
        y = solve_ivp(lambda t, x: rhs(x, r), (a, b), y, method="DOP853", rtol=1e-13, atol=1e-18).y[:, -1]
    return out


def main():
    here = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures"
    here.mkdir(parents=True, exist_ok=True)
    k = math.log(2) / 3.0
    one = integrate(lambda x, r: [r - k * x[0]], [0.0], 140.0)
    k10, k12, k21 = 0.2, 0.3, 0.1
    two = integrate(lambda x, r: [r - (k10 + k12) * x[0] + k21 * x[1], k12 * x[0] - k21 * x[1]], [0.0, 0.0], 140.0)
    one.astype("<f8").tofile(here / "pk_one_compartment.f64")
    two.astype("<f8").tofile(here / "pk_two_compartment.f64")
    print(f"wrote {len(one)} values per model to {here}")


if __name__ == "__main__":
    main()
