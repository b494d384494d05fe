"""Leaders' pages timed on a generated district of 2,000 students (by default), server time in
process (Django's test client, no network), with their query counts.

Uses the database in ``$DATABASE_URL`` (PostgreSQL advised; the Makefile target uses a
throwaway ``tandem_leaders`` database) and generates the district there first when it is not
(``tandem.core.district``: grades 6-8, simulated practice answers and every estimate's history),
then gives every generated student OneRoster demographics (random: no planted inequity).

Two things are timed apart. "compute": working out one scope's figures from its whole history
and storing them, as the background worker does when they are missing or older than the
setting (``--compute-repeat`` times, for the whole district and for one school). "pages": each
leader page asked ``--repeat`` times against those stored figures, as every request is, and the
other pages a leader opens (the changes and one change's result, on a change touching a third of
the classes; credit by class, the credit rules, the transcript CSV, one report card): their p50
and p95 are compared with the 300 ms budget. Writes ``var/bench/leaders.json``.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tandem_leaders \\
        .venv/bin/python bench/leaders.py [--students 2000] [--statements 1000000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path

from machine import machine  # bench/machine.py

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "var" / "bench" / "leaders.json"
BUDGET_MS = 300
PAGES = {
    "growth": "/lead/",
    "equity": "/lead/equity/",
    "equity CSV": "/lead/equity.csv",
    "screen time": "/lead/time/",
}


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=2_000)
    parser.add_argument("--statements", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--compute-repeat", type=int, default=2)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        sys.path.insert(0, str(REPO / "bench"))
        from district import _create_postgres_database

        _create_postgres_database(url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    sys.path.insert(0, str(REPO / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from tandem.core.district import district_exists, district_seed
    from tandem.core.startup import migrations_pending, static_files_collect, static_files_stale
    from tandem.evidence.models import Statement
    from tandem.interop.models import Demographics
    from tandem.leaders.selectors import Scope, leader_scope
    from tandem.leaders.services import change_create, figures_compute
    from tandem.roster.constants import OrgType, Role
    from tandem.roster.models import Org, SchoolClass, User

    if migrations_pending():
        call_command("migrate", interactive=False, verbosity=0)
    if static_files_stale():
        static_files_collect()
    if not district_exists():
        print(f"generating the district ({args.students:,} students, {args.statements:,} answers)")
        print(district_seed(students=args.students, statements=args.statements).summary())
    rng = random.Random(14)
    missing = User.objects.filter(role=Role.STUDENT).exclude(
        sourced_id__in=Demographics.objects.values("sourced_id")
    )
    races = ["white", "blackOrAfricanAmerican", "asian", "demographicRaceTwoOrMoreRaces"]
    Demographics.objects.bulk_create(
        [
            Demographics(
                sourced_id=sid,
                sex=rng.choice(["female", "male"]),
                fields={race: str(race == rng.choice(races)).lower() for race in races}
                | {"hispanicOrLatinoEthnicity": str(rng.random() < 0.3).lower()},
            )
            for sid in missing.values_list("sourced_id", flat=True)
        ],
        batch_size=2000,
    )
    admin = User.objects.filter(role=Role.ADMINISTRATOR).first() or User.objects.create(
        username="leader-bench", sourced_id="leader-bench", role=Role.ADMINISTRATOR
    )
    school = Org.objects.filter(type=OrgType.SCHOOL).order_by("pk").first()
    size = {
        "database": connection.vendor,
        "students": User.objects.filter(role=Role.STUDENT).count(),
        "statements": Statement.objects.count(),
        "schools": Org.objects.filter(type=OrgType.SCHOOL).count(),
    }
    print(f"district: {size}")
    # A change touching a third of the classes, begun six weeks ago (three weeks each side).
    classes = list(SchoolClass.objects.order_by("pk"))
    change, _ = change_create(
        leader=admin,
        title="Bench: a new schedule",
        start_date=timezone.now().date() - dt.timedelta(weeks=6),
        weeks=3,
        classes=classes[: max(1, len(classes) // 3)],
        now=timezone.now(),
        idempotency_key="bench-leaders-change",
    )
    student = User.objects.filter(role=Role.STUDENT).order_by("pk").first()
    assert student is not None
    pages = PAGES | {
        "changes": "/lead/changes/",
        "a change's result": f"/lead/changes/{change.pk}/",
        "credit: classes": "/credit/",
        "credit: rules": "/credit/rules/",
        "credit: transcript CSV": "/credit/transcript.csv",
        "report card": f"/credit/report/{student.pk}/",
    }
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(admin)
    everywhere = leader_scope(None)
    scopes = [("district", everywhere, "")]
    if school is not None:
        scopes.append(("one school", Scope(school, everywhere.schools), f"?school={school.pk}"))
    # Working the figures out: what the background worker does, once per scope and refresh.
    compute = {}
    for scope_name, scope, _ in scopes:
        times = []
        for _ in range(max(1, args.compute_repeat)):
            started = time.perf_counter()
            snapshot = figures_compute(scope=scope, now=timezone.now())
            times.append((time.perf_counter() - started) * 1000)
        compute[scope_name] = {
            "p50_ms": round(_percentile(times, 0.5), 1),
            "max_ms": round(max(times), 1),
            "students": snapshot.students,
            "stored_bytes": len(bytes(snapshot.data or b"")),
        }
        stored = len(bytes(snapshot.data))
        print(f"compute ({scope_name}): p50 {compute[scope_name]['p50_ms']:.0f} ms, "
              f"{snapshot.students} students, {stored:,} bytes stored")  # fmt: skip
    # The pages, read against the stored figures (as every leader's request is).
    results = {}
    for scope_name, _, suffix in scopes:
        for name, path in (pages if scope_name == "district" else PAGES).items():
            client.get(path + suffix)  # warm: the first request of a process loads templates
            times, counts = [], []
            for _ in range(args.repeat):
                with CaptureQueriesContext(connection) as ctx:
                    started = time.perf_counter()
                    response = client.get(path + suffix)
                    times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (path, response.status_code)
                assert b"being worked out" not in response.content, path
                counts.append(len(ctx.captured_queries))
            key = f"{name} ({scope_name})"
            results[key] = {
                "p50_ms": round(_percentile(times, 0.5), 1),
                "p95_ms": round(_percentile(times, 0.95), 1),
                "queries": max(counts),
                "within_budget": _percentile(times, 0.95) <= BUDGET_MS,
            }
            print(f"{key:32} p50 {results[key]['p50_ms']:7.1f} ms  p95 "
                  f"{results[key]['p95_ms']:7.1f} ms  {max(counts)} queries")  # fmt: skip
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        json.dumps(
            {
                "size": size,
                "budget_ms": BUDGET_MS,
                "pages": results,
                "compute": compute,
                "machine": machine(),
            },
            indent=2,
        )
        + "\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
