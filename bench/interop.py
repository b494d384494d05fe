"""Interop benchmark: OneRoster import and xAPI statement storage, on SQLite and PostgreSQL.

For each database, in its own subprocess with its own settings (``DATABASE_URL`` and a
temporary ``TANDEM_DATA_DIR``, so the developer's data is never touched), into an empty,
migrated database:

* OneRoster: seconds for a first import of the shared bundle
  (``../shared/data/interop/oneroster/generated-k12-district-v1p1``: 4 orgs, 268 users, 119
  classes, 1855 enrollments, 248 demographics rows) and for a re-import (0 changed).
* xAPI: statements per second stored through the real HTTP API (``POST /xapi/statements``,
  Django's test client in process, Basic auth of a client made with ``lrs_client_issue``), in
  batches of 100, for two kinds of statement: ``bridged`` (a rostered student answering about a
  competency of the CCSS math framework, so the evidence bridge and the mastery update run) and
  ``unknown`` (an actor Tandem does not know: stored only). Two baselines from the same run:
  the same statements one per POST, and the same rows written with the ORM's ``bulk_create``
  (no validation, no bridge, no HTTP), batches of 100.

PostgreSQL uses a dedicated database ``tandem_bench_interop`` (created, then dropped) on
``$BENCH_POSTGRES_URL`` (default ``postgres://postgres@127.0.0.1:5432/postgres``); when that
server does not answer, the PostgreSQL rows are skipped with the reason. Prints a table and
writes ``var/bench/interop.json``.

    .venv/bin/python bench/interop.py [--statements 1000] [--single 200] [--skip-postgres]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from machine import machine  # bench/machine.py: run as `python bench/interop.py`

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "var" / "bench" / "interop.json"
SHARED = Path(os.environ.get("TANDEM_SHARED_DIR", REPO.parent / "shared"))
BUNDLE = SHARED / "data" / "interop" / "oneroster" / "generated-k12-district-v1p1"
POSTGRES_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
POSTGRES_DB = "tandem_bench_interop"
BATCH = 100
VERSION = {"HTTP_X_EXPERIENCE_API_VERSION": "1.0.3"}


# -- one database, in a worker process -------------------------------------------------------------


def _statement(actor: dict[str, Any], activity: str, success: bool) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "actor": actor,
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en-US": "answered"}},
        "object": {"id": activity, "objectType": "Activity"},
        "result": {"success": success, "duration": "PT30S"},
        "timestamp": "2026-11-02T10:00:00Z",
    }


def _statements(kind: str, n: int, students: list[str], codes: list[str]) -> list[dict[str, Any]]:
    """``n`` statements of one kind, varied deterministically over students and competencies."""
    out = []
    for i in range(n):
        if kind == "bridged":
            actor = {
                "account": {"homePage": "https://sis.example", "name": students[i % len(students)]}
            }
            activity = f"urn:tandem:competency:{codes[(i * 7) % len(codes)]}"
        else:
            actor = {"mbox": f"mailto:visitor{i % 500}@elsewhere.example"}
            activity = f"https://quiz.example/activities/{i % 40}"
        out.append(_statement(actor, activity, success=i % 3 != 0))
    return out


def _post_all(client: Any, headers: dict[str, str], statements: list[Any], size: int) -> float:
    started = time.perf_counter()
    for start in range(0, len(statements), size):
        chunk = statements[start : start + size]
        body = json.dumps(chunk if size > 1 else chunk[0])
        response = client.post("/xapi/statements", body, content_type="application/json", **headers)
        if response.status_code != 200:
            raise RuntimeError(
                f"POST /xapi/statements: {response.status_code} {response.content[:300]!r}"
            )
    return time.perf_counter() - started


def _bulk_create(statements: list[dict[str, Any]], lrs_client: Any) -> float:
    """The baseline: the same rows straight into the table, no validation, bridge or HTTP."""
    import datetime as dt

    from tandem.interop.models import LrsStatement

    now = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    for start in range(0, len(statements), BATCH):
        rows = []
        for s in statements[start : start + BATCH]:
            actor = s["actor"]
            key = (
                f"account:{actor['account']['homePage']}|{actor['account']['name']}"
                if "account" in actor
                else f"mbox:{actor['mbox']}"
            )
            rows.append(
                LrsStatement(
                    id=uuid.uuid4(),
                    data=s | {"stored": now.isoformat()},
                    actor_key=key,
                    verb_id=s["verb"]["id"],
                    activity_id=s["object"]["id"],
                    timestamp=now,
                    stored=now,
                    client=lrs_client,
                )
            )
        LrsStatement.objects.bulk_create(rows)
    return time.perf_counter() - started


def worker(n_statements: int, n_single: int) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    sys.path.insert(0, str(REPO / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from tandem.competencies.models import Competency
    from tandem.competencies.services import framework_load_coherence_map
    from tandem.evidence.models import Statement as Evidence
    from tandem.interop.models import LrsStatement
    from tandem.interop.oneroster.importer import oneroster_import
    from tandem.interop.xapi.services import lrs_client_issue
    from tandem.roster.constants import Role
    from tandem.roster.models import User

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrate_s = time.perf_counter() - started

    first = oneroster_import(path=BUNDLE)
    if not first.applied:
        raise RuntimeError("\n".join(first.lines()))
    again = oneroster_import(path=BUNDLE)
    if again.changed:
        raise RuntimeError(f"re-import changed {again.changed}")

    framework_load_coherence_map()
    codes = sorted(
        Competency.objects.exclude(human_coding_scheme="").values_list(
            "human_coding_scheme", flat=True
        )
    )
    students = sorted(User.objects.filter(role=Role.STUDENT).values_list("sourced_id", flat=True))
    lrs_client, secret = lrs_client_issue(name="Bench quiz app")
    token = base64.b64encode(f"{lrs_client.key}:{secret}".encode()).decode()
    headers = {**VERSION, "HTTP_AUTHORIZATION": f"Basic {token}"}
    http = Client(SERVER_NAME="localhost")  # one of the default ALLOWED_HOSTS
    _post_all(http, headers, _statements("unknown", 1, students, codes), 1)  # warm up

    xapi: dict[str, Any] = {}
    for kind in ("bridged", "unknown"):
        statements = _statements(kind, n_statements, students, codes)
        evidence_before = Evidence.objects.count()
        batch_s = _post_all(http, headers, statements, BATCH)
        evidence = Evidence.objects.count() - evidence_before
        single = _statements(kind, n_single, students, codes)
        single_s = _post_all(http, headers, single, 1)
        bulk_s = _bulk_create(_statements(kind, n_statements, students, codes), lrs_client)
        xapi[kind] = {
            "statements": n_statements,
            "evidence_created": evidence,
            "batch_seconds": round(batch_s, 3),
            "per_second_batches_of_100": round(n_statements / batch_s, 1),
            "single_statements": n_single,
            "per_second_single_posts": round(n_single / single_s, 1),
            "per_second_orm_bulk_create": round(n_statements / bulk_s, 1),
            "batch_vs_single": round((n_statements / batch_s) / (n_single / single_s), 2),
            "batch_vs_bulk_create": round((n_statements / batch_s) / (n_statements / bulk_s), 3),
        }
    return {
        "database": connection.vendor,
        "database_version": ".".join(map(str, connection.Database.sqlite_version_info))
        if connection.vendor == "sqlite"
        else str(connection.cursor().connection.info.server_version),
        "migrate_seconds": round(migrate_s, 2),
        "oneroster": {
            "bundle": str(BUNDLE.relative_to(SHARED.parent))
            if BUNDLE.is_relative_to(SHARED.parent)
            else str(BUNDLE),
            "rows": sum(c.created for c in first.files.values()),
            "first_import_seconds": round(first.seconds, 3),
            "reimport_seconds": round(again.seconds, 3),
            "reimport_changed": again.changed,
        },
        "xapi": xapi,
        "lrs_statements_stored": LrsStatement.objects.count(),
    }


# -- the driver ------------------------------------------------------------------------------------


def _postgres_database(create: bool) -> str | None:
    """Create (or drop) the bench database; the reason it cannot, or None."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{POSTGRES_DB}"')
            if create:
                conn.execute(f'CREATE DATABASE "{POSTGRES_DB}"')
    except psycopg.Error as error:
        return f"PostgreSQL at {POSTGRES_ADMIN_URL} is not reachable: {str(error).strip()}"
    return None


def _run(database: str, args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="tandem-bench-interop-") as data_dir:
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CI"}}
        env["TANDEM_DATA_DIR"] = data_dir
        env["TANDEM_SECRET_KEY"] = "bench-only-secret-key"
        if database == "postgresql":
            env["DATABASE_URL"] = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{POSTGRES_DB}"
        else:
            env["DATABASE_URL"] = f"sqlite:///{data_dir}/bench.sqlite3"
        command = [sys.executable, __file__, "--worker", "--statements", str(args.statements),
                   "--single", str(args.single)]  # fmt: skip
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{database} worker failed:\n{done.stderr[-3000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--statements", type=int, default=1000, help="per kind, in batches of 100")
    parser.add_argument("--single", type=int, default=200, help="per kind, one per POST")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.statements, args.single)))
        return 0
    if not BUNDLE.is_dir():
        print(f"The shared OneRoster bundle {BUNDLE} is missing (set TANDEM_SHARED_DIR).")
        return 1

    started = time.perf_counter()
    results: list[dict[str, Any]] = []
    skipped: dict[str, str] = {}
    print("sqlite: running ...", flush=True)
    results.append(_run("sqlite", args))
    if args.skip_postgres:
        skipped["postgresql"] = "--skip-postgres"
    elif reason := _postgres_database(create=True):
        skipped["postgresql"] = reason
    else:
        try:
            print("postgresql: running ...", flush=True)
            results.append(_run("postgresql", args))
        finally:
            _postgres_database(create=False)

    print()
    print(f"{'database':<12}{'import s':>10}{'re-import s':>13}  {'xAPI kind':<9}"
          f"{'batch/s':>9}{'single/s':>10}{'bulk_create/s':>15}{'batch÷single':>14}"
          f"{'batch÷bulk':>12}")  # fmt: skip
    for r in results:
        for i, (kind, x) in enumerate(r["xapi"].items()):
            imp = r["oneroster"]
            head = (
                f"{r['database']:<12}{imp['first_import_seconds']:>10.2f}{imp['reimport_seconds']:>13.2f}"
                if i == 0
                else " " * 35
            )
            print(f"{head}  {kind:<9}{x['per_second_batches_of_100']:>9.0f}"
                  f"{x['per_second_single_posts']:>10.0f}{x['per_second_orm_bulk_create']:>15.0f}"
                  f"{x['batch_vs_single']:>14.2f}{x['batch_vs_bulk_create']:>12.3f}")  # fmt: skip
    for database, reason in skipped.items():
        print(f"{database}: skipped ({reason})")
    report = {
        "benchmark": "interop",
        "results": results,
        "skipped": skipped,
        "settings": {
            "statements_per_kind": args.statements,
            "single_posts_per_kind": args.single,
            "batch": BATCH,
        },
        "seconds": round(time.perf_counter() - started, 1),
        "machine": machine(),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {OUT.relative_to(REPO)} in {report['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
