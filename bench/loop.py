"""CPU of the practice loop, one request at a time: next item, answer, hint, home page.

The load run (``bench/load.py``) says how the server holds up with 300 students at once; this
says what each request costs, so that a change to the loop can be compared quickly and
without the noise of a full load run. Students of the demo school (seeded into
``var/bench/loop-data`` on first use) are driven through Django's test client in this
process, over their real pages and database (SQLite, or ``DATABASE_URL``): ask for the next
item, answer it (a quarter of the time after a hint), and every tenth time open the home
page. Reports the median CPU time and queries of each request kind and writes
``var/bench/loop.json``.

Compare two versions of the code on the same seeded school by running this file from each
checkout with ``PYTHONPATH=<checkout>/src`` and the same ``--data-dir``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
ANSWER_FORM = re.compile(r'action="/learn/attempt/([0-9a-f-]{36})/answer/"')
CHOICE = re.compile(r'name="response" value="(\d+)"')
WARM_UP = 10  # loops not counted: the first request of each client loads the middleware


def _seed(data_dir: Path, students: int) -> None:
    if (data_dir / "seeded").exists():
        return
    data_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, TANDEM_DATA_DIR=str(data_dir), TANDEM_DEMO_HINT="0")
    tandem = [sys.executable, "-m", "tandem.cli"]
    for args in (
        ["manage", "migrate", "--no-input", "-v", "0"],
        ["demo", "--students", str(students)],
    ):
        subprocess.run([*tandem, *args], env=env, check=True, stdout=subprocess.DEVNULL)
    (data_dir / "seeded").write_text(str(students))


def run(loops: int, students: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from tandem.roster.models import User

    queries = [0]

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries[0] += 1
        return execute(sql, params, many, context)

    names = list(
        User.objects.filter(role="student")
        .order_by("username")
        .values_list("username", flat=True)[:students]
    )
    clients = []
    for name in names:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(username=name))
        clients.append(client)
    cpu: dict[str, list[float]] = {"next": [], "answer": [], "hint": [], "home": []}
    counted: dict[str, list[int]] = {kind: [] for kind in cpu}
    rng = random.Random(1)

    def timed(kind: str, loop: int, request: Any) -> Any:
        queries[0] = 0
        started = time.process_time()
        with connection.execute_wrapper(count):
            response = request()
        if loop >= WARM_UP:
            cpu[kind].append((time.process_time() - started) * 1000)
            counted[kind].append(queries[0])
        return response

    for loop in range(loops + WARM_UP):
        client = clients[loop % len(clients)]
        if loop % 10 == 9:
            timed("home", loop, lambda c=client: c.get("/learn/"))
        page = timed("next", loop, lambda c=client: c.get("/learn/practice/")).content.decode()
        form = ANSWER_FORM.search(page)
        if form is None:
            continue
        attempt = form.group(1)
        if rng.random() < 0.25:
            timed(
                "hint",
                loop,
                lambda c=client, a=attempt: c.post(
                    f"/learn/attempt/{a}/hint/", {}, HTTP_HX_REQUEST="true"
                ),
            )
        choices = CHOICE.findall(page)
        response = rng.choice(choices) if choices else str(rng.choice([1, 2, 3, 4, 6, 8, 12]))
        timed(
            "answer",
            loop,
            lambda c=client, a=attempt, r=response: c.post(
                f"/learn/attempt/{a}/answer/", {"response": r}, HTTP_HX_REQUEST="true"
            ),
        )
    result: dict[str, Any] = {"database": connection.vendor, "loops": loops}
    for kind, values in cpu.items():
        if values:
            result[f"{kind}_requests"] = len(values)
            result[f"{kind}_cpu_ms_p50"] = round(statistics.median(values), 2)
            result[f"{kind}_queries_p50"] = statistics.median(counted[kind])
    # What one practice loop costs: a next item, an answer, a quarter of a hint, a tenth of a
    # home page (the mix bench/locustfile.py sends).
    result["loop_cpu_ms"] = round(
        result.get("next_cpu_ms_p50", 0)
        + result.get("answer_cpu_ms_p50", 0)
        + 0.25 * result.get("hint_cpu_ms_p50", 0)
        + 0.1 * result.get("home_cpu_ms_p50", 0),
        2,
    )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loops", type=int, default=300)
    parser.add_argument("--students", type=int, default=30, help="students taking turns")
    parser.add_argument("--data-dir", type=Path, default=VAR / "loop-data")
    args = parser.parse_args()
    data_dir = args.data_dir.resolve()
    if "DATABASE_URL" not in os.environ:
        _seed(data_dir, max(args.students, 60))
    os.environ["TANDEM_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    result = run(args.loops, args.students)
    VAR.mkdir(parents=True, exist_ok=True)
    (VAR / "loop.json").write_text(json.dumps(result, indent=2) + "\n")
    for kind in ("next", "answer", "hint", "home"):
        if f"{kind}_cpu_ms_p50" in result:
            print(
                f"{kind:>6}: {result[f'{kind}_cpu_ms_p50']:6.2f} ms CPU (median of "
                f"{result[f'{kind}_requests']}), {result[f'{kind}_queries_p50']:.0f} queries"
            )
    print(f"  loop: {result['loop_cpu_ms']:.2f} ms CPU (next + answer + hint/4 + home/10)")
    print("wrote var/bench/loop.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
