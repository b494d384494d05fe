"""Class grid benchmark: 150 students × 300 competencies, server time and queries, new vs old.

In a fresh SQLite database under a temporary ``TANDEM_DATA_DIR`` (the developer's data is never
touched): the CCSS math framework, one grade-6 class of ``--students`` students and a teacher,
and a learner state for every student on each of ``--competencies`` competencies (the
practisable ones first, then the rest of grades 3–8 in framework order; the grid's column set is
widened to these, as if every one had items), written with ``bulk_create``: earlier grades mostly
mastered, a few still being learned, the class's grade in every state, later grades mostly not
started. Each student also has ``--answers`` recent answers (for the flags).

Timed in process with Django's test client, as the signed-in teacher, each ``--repeat`` times
after one warm-up (the median is reported, with min and max):

* ``page_default``: ``/teach/class/<id>/`` as a teacher first sees it (grade-level columns,
  earlier grades folded into one column per domain);
* ``page_all_columns``: the same page with every domain's earlier grades unfolded;
* ``csv``: the CSV export of the default grid;
* ``selector_default``: the grid selector alone, as the default page asks it;
* ``selector_new`` / ``selector_old``: the grid selector alone, this branch's and the one it
  replaced (read from git at ``--old-ref``), over every column, so the ratio compares like with
  like;

with the query count of each page. The budget is 150 ms for ``page_default``. Writes
``var/bench/grid.json``.

    .venv/bin/python bench/grid.py [--students 150] [--competencies 300] [--repeat 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from machine import machine  # bench/machine.py: run as `python bench/grid.py`

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "var" / "bench" / "grid.json"
BUDGET_MS = 150.0


def _timed(fn: Callable[[], Any], repeat: int) -> dict[str, float]:
    fn()  # warm-up: process caches, template compilation
    times, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return {
        "median_ms": round(statistics.median(times), 1),
        "min_ms": round(min(times), 1),
        "max_ms": round(max(times), 1),
        # CPU time of this process (SQLite runs inside it): what the request costs the server
        # without the wait for a core on a busy machine.
        "cpu_median_ms": round(statistics.median(cpu), 1),
    }


def _old_selectors(ref: str) -> Any:
    """The grid selector module as it was at ``ref``, imported under another name."""
    source = subprocess.run(
        ["git", "show", f"{ref}:src/tandem/teaching/selectors.py"],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "old_teaching_selectors.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("old_teaching_selectors", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=150)
    parser.add_argument("--competencies", type=int, default=300)
    parser.add_argument("--answers", type=int, default=12, help="recent answers per student")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="print where the page spends")
    parser.add_argument("--old-ref", default="e94f0e1", help="git ref of the grid it replaced")
    args = parser.parse_args()

    os.environ["TANDEM_DATA_DIR"] = tempfile.mkdtemp(prefix="tandem-bench-grid-")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    sys.path.insert(0, str(REPO / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    import tandem.content.selectors as content_selectors
    from tandem.competencies.models import Competency
    from tandem.competencies.services import framework_load_coherence_map
    from tandem.core.startup import static_files_collect, static_files_stale
    from tandem.evidence.constants import Source, Verb
    from tandem.evidence.services import EvidenceDraft, evidence_record_many
    from tandem.mastery.constants import Status
    from tandem.mastery.models import LearnerState
    from tandem.mastery.services import active_parameter_set
    from tandem.roster.constants import EnrollmentRole, OrgType, Role
    from tandem.roster.models import Course, Enrollment, User
    from tandem.roster.services import class_create, enrollment_create, org_create
    from tandem.teaching.selectors import GridSort, class_grid

    call_command("migrate", interactive=False, verbosity=0)
    if static_files_stale():  # the pages render with the served (hashed) static files
        static_files_collect()
    framework_load_coherence_map()
    practisable = content_selectors.practisable_codes()
    comps = sorted(
        Competency.objects.filter(grade_rank__gte=1, grade_rank__lte=9),
        key=lambda c: (c.code not in practisable, c.grade_rank, c.list_order),
    )[: args.competencies]
    codes = {c.code for c in comps}
    # The grid's columns are the practisable competencies: widen them to the benchmark's set.
    content_selectors.practisable_codes = lambda: set(codes)  # type: ignore[assignment]
    content_selectors._PRACTISABLE.invalidate()

    org = org_create(sourced_id="bench-school", name="Bench School", type=OrgType.SCHOOL)
    course = Course.objects.create(sourced_id="bench-6", title="Math 6", org=org, grades=["06"])
    school_class = class_create(sourced_id="bench-6a", title="Math 6 A", course=course, school=org)
    teacher = User.objects.create_user(
        username="bench-teacher", role=Role.TEACHER, sourced_id="bench-teacher"
    )
    enrollment_create(user=teacher, school_class=school_class, role=EnrollmentRole.TEACHER)
    students = User.objects.bulk_create(
        [
            User(
                username=f"bench-s{i}",
                sourced_id=f"bench-s{i}",
                role=Role.STUDENT,
                grade="06",
                first_name=f"Student{i:03d}",
                last_name=f"Family{(i * 37) % 1000:03d}",
            )
            for i in range(args.students)
        ]
    )
    students = list(User.objects.filter(role=Role.STUDENT).order_by("pk"))
    Enrollment.objects.bulk_create(
        [
            Enrollment(
                sourced_id=f"bench-e{s.pk}",
                user=s,
                school_class=school_class,
                role=EnrollmentRole.STUDENT,
            )
            for s in students
        ]
    )
    rng = random.Random(13)
    now = timezone.now()
    parameter_set = active_parameter_set()
    states = []
    for s in students:
        for c in comps:
            earlier, later = c.grade_rank < 7, c.grade_rank > 7
            roll = rng.random()
            if earlier:
                status = Status.MASTERED if roll < 0.85 else Status.LEARNING
            elif later:
                status = Status.NOT_STARTED if roll < 0.8 else Status.LEARNING
            else:
                status = rng.choice(
                    [Status.LEARNING, Status.MASTERED, Status.PROBABLY_MASTERED, Status.LEARNING]
                )
            p = {Status.MASTERED: 0.97, Status.PROBABLY_MASTERED: 0.9}.get(
                status, rng.uniform(0.1, 0.8)
            )
            n = rng.randint(0, 12) if status != Status.NOT_STARTED else 0
            states.append(
                LearnerState(
                    student=s,
                    competency=c,
                    p_mastery=p,
                    evidence_weight=float(n),
                    n_attempts=n,
                    n_correct=min(n, round(n * p)),
                    last_evidence_at=now - dt.timedelta(days=rng.randint(0, 60)) if n else None,
                    status=status,
                    parameter_set=parameter_set,
                )
            )
    LearnerState.objects.bulk_create(states, batch_size=2000)
    grade_6 = [c for c in comps if c.grade_rank == 7]
    evidence_record_many(
        drafts=[
            EvidenceDraft(
                actor=s,
                verb=Verb.ANSWERED,
                object_id=f"urn:bench:{i}",
                competencies=[grade_6[(s.pk + i) % len(grade_6)]],
                source=Source.PRACTICE,
                authority=s,
                timestamp=now - dt.timedelta(hours=i * 7 + s.pk % 5),
                success=rng.random() < 0.7,
            )
            for s in students
            for i in range(args.answers)
        ]
    )
    print(
        f"class of {len(students)} students × {len(comps)} competencies "
        f"({LearnerState.objects.count():,} learner states)"
    )

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(teacher)
    url = reverse("teaching:class", args=[school_class.pk])
    default_grid = class_grid(school_class=school_class, now=now)
    all_domains = [code for code, _ in default_grid.expandable]
    pages = {
        "page_default": (url, {}),
        "page_all_columns": (url, {"expand": all_domains}),
        "csv": (reverse("teaching:class_csv", args=[school_class.pk]), {}),
    }
    if args.profile:
        import cProfile
        import pstats

        client.get(url)
        profiler = cProfile.Profile()
        profiler.enable()
        client.get(url)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        for query in ctx.captured_queries:
            print(query["time"], query["sql"][:150])
        return 0
    results: dict[str, Any] = {}
    for name, (path, query) in pages.items():

        def get(path: str = path, query: dict[str, Any] = query) -> None:
            response = client.get(path, query)
            assert response.status_code == 200, response.status_code

        results[name] = _timed(get, args.repeat)
        with CaptureQueriesContext(connection) as ctx:
            get()
        results[name]["queries"] = len(ctx.captured_queries)
        print(f"{name:18} {results[name]}")

    old = _old_selectors(args.old_ref)
    results["selector_default"] = _timed(
        lambda: class_grid(school_class=school_class, now=timezone.now()), args.repeat
    )
    results["selector_new"] = _timed(
        lambda: class_grid(
            school_class=school_class, now=timezone.now(), fold_earlier=False, sort=GridSort.NAME
        ),
        args.repeat,
    )
    results["selector_old"] = _timed(
        lambda: old.class_grid(school_class=school_class, now=timezone.now()), args.repeat
    )
    for name in ("selector_default", "selector_new", "selector_old"):
        print(f"{name:18} {results[name]}")
    columns = {
        "default": len(default_grid.competencies) + len(default_grid.gap_columns),
        "all": len(comps),
    }
    ratio = results["selector_old"]["median_ms"] / max(results["selector_new"]["median_ms"], 0.1)
    summary = {
        "machine": machine(),
        "students": len(students),
        "competencies": len(comps),
        "learner_states": len(states),
        "columns": columns,
        "budget_ms": BUDGET_MS,
        "within_budget": results["page_default"]["median_ms"] <= BUDGET_MS,
        "within_budget_cpu": results["page_default"]["cpu_median_ms"] <= BUDGET_MS,
        "load_average_before": os.getloadavg()[0],
        "selector_speedup_old_over_new": round(ratio, 2),
        "old_ref": args.old_ref,
        "results": results,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(summary, indent=2))
    print(
        f"default page {results['page_default']['median_ms']} ms wall, "
        f"{results['page_default']['cpu_median_ms']} ms CPU (budget {BUDGET_MS:g}), "
        f"{columns['default']} columns; selector old/new = {ratio:.2f}; wrote {OUT}"
    )
    return 0 if summary["within_budget"] else 1


if __name__ == "__main__":
    sys.exit(main())
