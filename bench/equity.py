"""Equity benchmark: does the leaders' equity audit find an injected inequity, stay quiet
without one, and does the "did a change help?" interval cover the truth 95% of the time?

Simulation (``tandem_engine.equity`` does the statistics, exactly as the leaders' pages call
it). A school of 600 students with OneRoster-style demographics: sex, race (six categories),
Hispanic or Latino, English learner (more often among Hispanic students, as in US schools), IEP
and 504. Per student: practice items (Poisson, about 80), a share of them below and above grade
level (Beta propensities, mean 0.20 and 0.15), a pace in competencies mastered per week (Gamma,
mean 1.0, CV 0.35), and whether a teacher checked in (60%). Groups under the small-cell
threshold (10) are left out, as on the pages. The audit compares every group with the rest on
the four measures and flags with Holm's correction at 0.05.

* ``inequity``: English learners are routed to below-grade work 15 percentage points more
  often (half the schools) or paced 20% slower (the other half). Detected when that group is
  flagged on that measure in the right direction.
* ``fair``: no injected difference; a false alarm is any flag at all in the school.
* ``did``: in every school a random 30% of students is touched by a change; six weeks of
  weekly mastered counts before and after (Poisson around each student's own rate, a common
  trend after the start), true effect 0.15 per week in half the schools and 0 in the others.
  Coverage is the share of 95% intervals holding the true effect.

Writes ``var/bench/equity.json``.

    .venv/bin/python bench/equity.py [--schools 200] [--students 600] [--seed 14]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from machine import machine  # noqa: E402
from tandem_engine.equity import audit, difference_in_differences  # noqa: E402

SMALL_CELL = 10
RACES = ["white", "black", "asian", "two_or_more", "american_indian", "pacific_islander"]
RACE_P = [0.50, 0.20, 0.12, 0.10, 0.05, 0.03]
TARGET = "English learner"
BELOW, PACE = "share of practice below grade", "competencies per week"


def _beta(rng: np.random.Generator, mean: NDArray[np.float64], strength: float) -> NDArray:
    mean = np.clip(mean, 0.01, 0.99)
    return rng.beta(mean * strength, (1 - mean) * strength)


def simulate_school(
    rng: np.random.Generator, n: int, inequity: str | None
) -> tuple[dict[str, NDArray], dict[str, NDArray], dict[str, NDArray[np.bool_]]]:
    """One school's per-student measures and group masks."""
    female = rng.random(n) < 0.5
    race = rng.choice(len(RACES), size=n, p=RACE_P)
    hispanic = rng.random(n) < 0.30
    learner = rng.random(n) < np.where(hispanic, 0.35, 0.06)
    iep = rng.random(n) < 0.12
    plan504 = (rng.random(n) < 0.05) & ~iep
    groups: dict[str, NDArray[np.bool_]] = {
        "Female": female,
        "Male": ~female,
        "Hispanic or Latino": hispanic,
        TARGET: learner,
        "IEP": iep,
        "504 plan": plan504,
    }
    for k, name in enumerate(RACES):
        groups[name] = race == k
    groups = {g: m for g, m in groups.items() if m.sum() >= SMALL_CELL and (~m).sum() >= SMALL_CELL}

    items = rng.poisson(80, n) + 10
    below_p = np.full(n, 0.20) + np.where(learner & (inequity == "below"), 0.15, 0.0)
    below = rng.binomial(items, _beta(rng, below_p, 8.0)) / items
    above = rng.binomial(items, _beta(rng, np.full(n, 0.15), 8.0)) / items
    pace_mean = np.where(learner & (inequity == "pace"), 0.8, 1.0)
    pace = rng.gamma(1 / 0.35**2, pace_mean * 0.35**2)
    checked_in = rng.random(n) < 0.6
    means = {BELOW: below, "share of practice above grade": above, PACE: pace}
    return means, {"had a teacher check-in": checked_in}, groups


def simulate_change(rng: np.random.Generator, n: int, effect: float) -> tuple[bool, float]:
    """One change's DiD: whether its 95% interval holds ``effect``, and the interval width."""
    touched = rng.random(n) < 0.3
    rate = rng.gamma(4.0, 0.25, n)  # each student's own weekly rate, mean 1.0
    weeks = 6
    before = rng.poisson(rate[:, None], (n, weeks)).mean(axis=1)
    after_rate = rate * 1.1 + np.where(touched, effect, 0.0)
    after = rng.poisson(np.clip(after_rate, 0, None)[:, None], (n, weeks)).mean(axis=1)
    result = difference_in_differences(
        before[touched], after[touched], before[~touched], after[~touched], smallest_effect=0.1
    )
    return bool(result.low <= effect <= result.high), result.high - result.low


def run(schools: int, students: int, seed: int) -> dict[str, object]:
    rng = np.random.default_rng(seed)
    detected = {"below": 0, "pace": 0}
    alarms = 0
    covered = 0
    widths: list[float] = []
    comparisons = 0
    for s in range(schools):
        kind = "below" if s % 2 == 0 else "pace"
        means, shares, groups = simulate_school(rng, students, kind)
        measure = BELOW if kind == "below" else PACE
        sign = 1.0 if kind == "below" else -1.0
        found = audit(means=means, shares=shares, groups=groups)
        detected[kind] += any(
            c.flagged and c.group == TARGET and c.measure == measure and sign * c.difference > 0
            for c in found
        )
        means, shares, groups = simulate_school(rng, students, None)
        found = audit(means=means, shares=shares, groups=groups)
        comparisons += len(found)
        alarms += any(c.flagged for c in found)
        for effect in (0.15, 0.0):
            hit, width = simulate_change(rng, students, effect)
            covered += hit
            widths.append(width)
    n_did = 2 * schools
    per_kind = schools // 2 + schools % 2, schools // 2
    return {
        "n_schools": schools,
        "students_per_school": students,
        "detection_rate": (detected["below"] + detected["pace"]) / schools,
        "detection_rate_below_grade_15pp": detected["below"] / per_kind[0],
        "detection_rate_pace_20pct_slower": detected["pace"] / max(per_kind[1], 1),
        "false_alarm_rate": alarms / schools,
        "comparisons_per_school": comparisons / schools,
        "did_coverage": covered / n_did,
        "did_intervals": n_did,
        "did_coverage_binomial_se": math.sqrt(0.95 * 0.05 / n_did),
        "did_mean_interval_width": float(np.mean(widths)),
        "seed": seed,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, default=200)
    parser.add_argument("--students", type=int, default=600)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--out", type=Path, default=REPO / "var" / "bench" / "equity.json")
    args = parser.parse_args()
    started = time.perf_counter()
    result = run(args.schools, args.students, args.seed)
    result["seconds"] = round(time.perf_counter() - started, 1)
    result["targets"] = {
        "detection_rate": ">= 0.9",
        "false_alarm_rate": "<= 0.05",
        "did_coverage": "0.93 to 0.97",
    }
    result["machine"] = machine()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "machine"}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
