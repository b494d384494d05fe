"""District benchmark: the pages that grow with a district, timed on a generated one.

Uses the database in ``$DATABASE_URL`` (PostgreSQL advised, e.g. a throwaway
``postgres://postgres@127.0.0.1:5432/tandem_district``); generates the district there first
when it is not (``tandem demo --district``, with ``--students`` and ``--statements``). Then, in
process (Django's test client, so no network in the figures), for a sample of teachers and
students it times each page several times and counts its queries:

- teacher: the class grid of their largest class, "who to see today", a student's page and
  the "why" page of one of that student's estimates;
- student: home page, next item and answer (the practice loop), their pathway.

Each page's p50/p95 server time is compared with its budget. Writes ``var/bench/district.json``
and prints a table.

    DATABASE_URL=postgres://…/tandem_district .venv/bin/python bench/district.py \\
        [--students 20000 --statements 10000000] [--sample 20]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from machine import machine  # bench/machine.py: run as `python bench/district.py`

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "var" / "bench" / "district.json"
# Server-time budgets (p95, ms): what a page may take on a district's data.
BUDGET_MS = {
    "class grid": 300,
    "who to see today": 300,
    "teacher's student page": 300,
    "student home": 150,
    "next item": 50,
    "answer": 50,
    "why page": 300,
    "student's pathway": 150,
}
ANSWER_FORM = re.compile(r'action="/learn/attempt/([0-9a-f-]{36})/answer/"')
CHOICE = re.compile(r'name="response" value="(\d+)"')


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _create_postgres_database(url: str) -> None:
    """Create the district's PostgreSQL database when it is not there yet."""
    import psycopg

    base, name = url.rsplit("/", 1)
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.OperationalError:
        with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        print(f"created the database {name}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=20_000)
    parser.add_argument("--statements", type=int, default=10_000_000)
    parser.add_argument("--sample", type=int, default=20, help="teachers and students timed")
    parser.add_argument("--repeat", type=int, default=3, help="times each page is asked")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        _create_postgres_database(url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    sys.path.insert(0, str(REPO / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tandem.core.district import district_exists, district_seed
    from tandem.core.startup import (
        migrations_pending,
        static_files_collect,
        static_files_stale,
    )
    from tandem.evidence.models import Statement
    from tandem.mastery.models import LearnerState
    from tandem.roster.constants import Role
    from tandem.roster.models import SchoolClass, User

    if migrations_pending():
        call_command("migrate", interactive=False, verbosity=0)
    if static_files_stale():  # the pages render with the served (hashed) static files
        static_files_collect()
    if not district_exists():
        print(f"generating the district ({args.students:,} students, {args.statements:,} answers)")
        print(district_seed(students=args.students, statements=args.statements).summary())
    size = {
        "database": connection.vendor,
        "students": User.objects.filter(role=Role.STUDENT).count(),
        "statements": Statement.objects.count(),
        "classes": SchoolClass.objects.count(),
    }
    print(f"district: {size}")
    rng = random.Random(5)
    teachers = list(
        User.objects.filter(role=Role.TEACHER, sourced_id__startswith="district-").order_by("pk")
    )
    students = list(
        User.objects.filter(role=Role.STUDENT, sourced_id__startswith="district-").values_list(
            "pk", flat=True
        )
    )
    times: dict[str, list[float]] = {name: [] for name in BUDGET_MS}
    queries: dict[str, list[int]] = {name: [] for name in BUDGET_MS}

    def timed(name: str, client: Client, method: str, url: str, **kw: Any) -> Any:
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = getattr(client, method)(url, **kw)
            elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"{name} {url} answered {response.status_code}")
        times[name].append(elapsed)
        queries[name].append(len(ctx.captured_queries))
        return response

    for teacher in rng.sample(teachers, min(args.sample, len(teachers))):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(teacher)
        biggest = (
            SchoolClass.objects.filter(enrollments__user=teacher, enrollments__role="teacher")
            .order_by("-pk")
            .first()
        )
        student_id = rng.choice(students)
        roster = list(
            User.objects.filter(enrollments__school_class=biggest, role=Role.STUDENT).values_list(
                "pk", flat=True
            )
        )
        if roster:
            student_id = rng.choice(roster)
        competency_id = (
            LearnerState.objects.filter(student_id=student_id)
            .order_by("-n_attempts")
            .values_list("competency_id", flat=True)
            .first()
        )
        client.get(f"/teach/class/{biggest.pk}/")  # the first visit of a process warms caches
        for _ in range(args.repeat):
            timed("class grid", client, "get", f"/teach/class/{biggest.pk}/")
            timed("who to see today", client, "get", "/checkins/")
            timed("teacher's student page", client, "get", f"/teach/student/{student_id}/")
            if competency_id is not None:
                timed(
                    "why page",
                    client,
                    "get",
                    f"/teach/student/{student_id}/competency/{competency_id}/",
                )
    for student_id in rng.sample(students, min(args.sample, len(students))):
        student = User.objects.get(pk=student_id)
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(student)
        client.get("/learn/")
        for _ in range(args.repeat):
            timed("student home", client, "get", "/learn/")
            page = timed("next item", client, "get", "/learn/practice/")
            html = page.content.decode()
            form = ANSWER_FORM.search(html)
            if form is not None:
                choices = CHOICE.findall(html)
                timed(
                    "answer",
                    client,
                    "post",
                    f"/learn/attempt/{form.group(1)}/answer/",
                    data={"response": [rng.choice(choices)] if choices else ["7"]},
                    HTTP_HX_REQUEST="true",
                )
            timed("student's pathway", client, "get", "/pathway/")

    rows = []
    for name, budget in BUDGET_MS.items():
        if not times[name]:
            continue
        p95 = _percentile(times[name], 0.95)
        rows.append(
            {
                "page": name,
                "requests": len(times[name]),
                "p50_ms": round(statistics.median(times[name]), 1),
                "p95_ms": round(p95, 1),
                "budget_p95_ms": budget,
                "within_budget": p95 <= budget,
                "queries_max": max(queries[name]),
            }
        )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"machine": machine(), "district": size, "pages": rows}, indent=2))
    print("\n| page | requests | p50 ms | p95 ms | budget ms | within | queries (max) |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['page']} | {row['requests']} | {row['p50_ms']} | {row['p95_ms']} | "
            f"{row['budget_p95_ms']} | {'yes' if row['within_budget'] else 'NO'} | "
            f"{row['queries_max']} |"
        )
    print(f"\nwrote {OUT.relative_to(REPO)}")
    return 0 if all(row["within_budget"] for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
