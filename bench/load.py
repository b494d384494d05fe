"""Load benchmark: many students practising at once against ``tandem serve``, on SQLite and
PostgreSQL, driven by Locust through the real pages (see ``bench/locustfile.py``).

For each database: a fresh data directory (and, for PostgreSQL, a dedicated database
``tandem_bench_load`` on ``$BENCH_POSTGRES_URL``) is seeded with the demo school at the largest
number of students asked for, ``tandem serve`` is started exactly as a school would start it,
and for each number of concurrent students Locust runs headless: students sign in, ask for the
next item, think 3-8 s, answer (a quarter after a hint), read the feedback about a second, and
now and then open their home page; the demo's teachers look at class grids and "who to see
today" every 5-15 s. Recorded per run: answers/s against what the simulated students offer,
p50/p95/p99 of every request kind, failures, server memory (PSS of the whole process tree)
and the acknowledged answers missing from the evidence log (must be 0).

Writes ``var/bench/load.json`` (one row per run: ``database``, ``users``, ``answers_per_s``,
``offered_answers_per_s``, ``next_p95_ms``, ``answer_p95_ms``, ``failures``,
``lost_answers``, ...) and prints a table.

    .venv/bin/python bench/load.py [--users 30 100 300] [--seconds 90] [--skip-postgres]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from machine import machine  # bench/machine.py: run as `python bench/load.py`

REPO = Path(__file__).resolve().parents[1]
VAR = REPO / "var" / "bench"
OUT = VAR / "load.json"
BIN = Path(sys.executable).parent
POSTGRES_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
POSTGRES_DB = "tandem_bench_load"
PORT = int(os.environ.get("BENCH_LOAD_PORT", "8765"))
TEACHERS = ("rivera", "chen", "okafor")
# The simulated student's cycle: think on the item, then read the feedback (locustfile.py).
MEAN_CYCLE_S = (3.0 + 8.0) / 2 + (0.5 + 1.5) / 2


def _free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def _env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env["TANDEM_DATA_DIR"] = str(data_dir)
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    env["TANDEM_DEMO_HINT"] = "0"
    return env


def _tandem(args: list[str], env: dict[str, str]) -> None:
    subprocess.run([str(BIN / "tandem"), *args], env=env, check=True, stdout=subprocess.DEVNULL)


def _postgres_url() -> str | None:
    """A fresh ``tandem_bench_load`` database, or None if PostgreSQL does not answer."""
    try:
        import psycopg
    except ImportError:
        return None
    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {POSTGRES_DB}")
    except psycopg.OperationalError as error:
        print(f"PostgreSQL skipped: {error}".strip(), file=sys.stderr)
        return None
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{POSTGRES_DB}"


def _drop_postgres() -> None:
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DB} WITH (FORCE)")


def _wait_until_up(timeout: float = 120.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=2):
                return time.monotonic() - started
        except OSError:
            time.sleep(0.25)
    raise RuntimeError("tandem serve did not answer")


def _tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(children.get(current, []))
    return out


def _memory_mib(pid: int) -> dict[str, float]:
    """Resident (RSS) and proportional (PSS: shared pages split) memory of the process tree."""
    rss = pss = 0
    for p in _tree(pid):
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except OSError:
            continue
    return {"rss_mib": round(rss / 1024, 1), "pss_mib": round(pss / 1024, 1)}


def _processes_cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds used so far by these processes (those still alive)."""
    total = 0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by the process tree (its live processes)."""
    return _processes_cpu_seconds(_tree(pid))


def _machine_busy_seconds() -> float:
    """CPU seconds all cores have spent busy since boot (user, nice, system, irq, softirq,
    steal), from /proc/stat: what the machine did, whoever did it."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _postgres_seconds() -> float:
    """CPU seconds of every PostgreSQL process running now (server and backends)."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().strip() == "postgres":
                pids.append(int(entry.name))
        except OSError:
            continue
    return _processes_cpu_seconds(pids)


def _stats(prefix: Path) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    with open(f"{prefix}_stats.csv", newline="") as f:
        for row in csv.DictReader(f):
            rows[row["Name"]] = row
    return rows


def _num(row: dict[str, Any] | None, key: str) -> float | None:
    if not row or row.get(key) in (None, "", "N/A"):
        return None
    return round(float(row[key]), 1)


def _wait_for_background_tasks(env: dict[str, str], timeout: float = 900.0) -> float:
    """Wait until the background worker has no queued or running task (the demo's calibration,
    which a school runs once, not while a class practises). Returns the seconds waited."""
    script = (
        "import django;django.setup();"
        "from django_tasks_db.models import DBTaskResult;"
        "print(DBTaskResult.objects.filter(status__in=['READY','RUNNING']).count())"
    )
    env = env | {"DJANGO_SETTINGS_MODULE": "tandem.settings"}
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        out = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        if int(out.stdout.strip().splitlines()[-1]) == 0:
            return time.monotonic() - started
        time.sleep(2.0)
    raise RuntimeError("the background tasks did not finish")


def _busy(acked_file: Path) -> int:
    busy = Path(f"{acked_file}.busy")
    return int(busy.read_text().strip() or 0) if busy.exists() else 0


def _lost_answers(acked: list[str], env: dict[str, str]) -> int:
    """Acknowledged answers whose statement is not in the evidence log."""
    if not acked:
        return 0
    script = (
        "import json,sys,django;django.setup();"
        "from tandem.evidence.models import Statement;"
        "ids=json.load(sys.stdin);keys=[f'attempt:{a}' for a in ids];"
        "found=set(Statement.objects.filter(idempotency_key__in=keys)"
        ".values_list('idempotency_key',flat=True));"
        "print(len(set(keys)-found))"
    )
    env = env | {"DJANGO_SETTINGS_MODULE": "tandem.settings"}
    out = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps(sorted(set(acked))),
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout.strip().splitlines()[-1])


def run_database(
    name: str,
    database_url: str | None,
    users: list[int],
    seconds: int,
    *,
    reuse: bool = False,
    baseline_users: list[int] | None = None,
    teachers: int = len(TEACHERS),
) -> list[dict]:
    data_dir = VAR / f"load-{name}"
    env = _env(data_dir, database_url)
    most = max(users)
    if reuse and (data_dir / "seeded").exists():
        # Comparing server settings: the school seeded by an earlier run (with its answers).
        print(f"[{name}] reusing the school seeded by an earlier run", flush=True)
    else:
        shutil.rmtree(data_dir, ignore_errors=True)
        data_dir.mkdir(parents=True)
        print(f"[{name}] seeding the demo school with {most} students ...", flush=True)
        started = time.monotonic()
        _tandem(["manage", "migrate", "--no-input", "-v", "0"], env)
        _tandem(["demo", "--students", str(most)], env)
        (data_dir / "seeded").write_text(str(most))
        print(f"[{name}] seeded in {time.monotonic() - started:.0f} s", flush=True)
    rows = _serve_and_run(
        name, env, users, seconds, data_dir, server=_default_server(), teachers=teachers
    )
    if baseline_users:
        # The same school, the same students, served as `tandem serve` served it before
        # 2026-12-04 (two processes of eight threads, connections kept alive 75 s).
        rows += _serve_and_run(
            name,
            env | BASELINE_SERVER,
            baseline_users,
            seconds,
            data_dir,
            server=BASELINE_NAME,
            teachers=teachers,
        )
    return rows


def _default_server() -> str:
    from tandem.cli import GUNICORN_KEEP_ALIVE, GUNICORN_THREADS, default_workers

    workers = os.environ.get("TANDEM_WORKERS") or default_workers()
    threads = os.environ.get("TANDEM_THREADS") or GUNICORN_THREADS
    keep_alive = os.environ.get("TANDEM_KEEP_ALIVE") or GUNICORN_KEEP_ALIVE
    return f"{workers} processes x {threads} thread(s), keep-alive {keep_alive} s"


# The previous defaults of `tandem serve`, measured in the same run with --baseline.
BASELINE_SERVER = {"TANDEM_WORKERS": "2", "TANDEM_THREADS": "8", "TANDEM_KEEP_ALIVE": "75"}
BASELINE_NAME = "2 processes x 8 threads, keep-alive 75 s (before 2026-12-04)"


def _serve_and_run(
    name: str,
    env: dict[str, str],
    users: list[int],
    seconds: int,
    data_dir: Path,
    *,
    server: str,
    teachers: int,
) -> list[dict[str, Any]]:
    if not _free(PORT):
        raise RuntimeError(f"port {PORT} is taken")
    process = subprocess.Popen(
        [str(BIN / "tandem"), "serve", "--port", str(PORT)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(data_dir / "server.log", "a"),  # noqa: SIM115 - closed with the process
        start_new_session=True,
    )
    rows = []
    try:
        up = _wait_until_up()
        print(f"[{name}] {server}: answering after {up:.1f} s", flush=True)
        waited = _wait_for_background_tasks(env)
        print(f"[{name}] background tasks (calibration) done after {waited:.0f} s", flush=True)
        idle = _memory_mib(process.pid)
        for n in users:
            row = _one_run(name, env, process.pid, n, seconds, data_dir, idle, teachers=teachers)
            rows.append(row | {"server": server})
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    return rows


def _one_run(
    name: str,
    env: dict[str, str],
    server_pid: int,
    users: int,
    seconds: int,
    data_dir: Path,
    idle: dict[str, float],
    *,
    teachers: int,
) -> dict[str, Any]:
    prefix = data_dir / f"locust-{users}"
    acked_file = data_dir / f"acked-{users}.txt"
    acked_file.unlink(missing_ok=True)
    Path(f"{acked_file}.busy").unlink(missing_ok=True)
    students = [f"s{k:03d}" for k in range(1, users + 1)]
    # About as fast as one core checks passwords (about half a second each): a whole school
    # signing in together queues at the sign-in page (its busy page), not inside practice.
    spawn_rate = 2.0
    ramp = users / spawn_rate
    locust_env = env | {
        "LOAD_STUDENTS": ",".join(students),
        "LOAD_TEACHERS": ",".join(TEACHERS[:teachers]),
        "LOAD_ACKED": str(acked_file),
    }
    print(f"[{name}] {users} students for {seconds} s once all have signed in ...", flush=True)
    # The steady state begins when the last student has signed in: the locustfile then resets
    # its statistics, writes the marker and stops the run `seconds` later. The server's CPU is
    # sampled at the marker and at the end.
    marker = Path(f"{acked_file}.steady")
    marker.unlink(missing_ok=True)
    steady: dict[str, float] = {}
    finished = threading.Event()

    def sample_steady_start() -> None:
        while not finished.is_set():
            if marker.exists():
                steady["cpu"] = _cpu_seconds(server_pid)
                steady["locust_cpu"] = _cpu_seconds(locust.pid)
                steady["machine"] = _machine_busy_seconds()
                steady["postgres"] = _postgres_seconds()
                steady["wall"] = time.monotonic()
                return
            time.sleep(0.1)

    timer = threading.Thread(target=sample_steady_start, daemon=True)
    timer.start()
    locust = subprocess.Popen(
        [
            str(BIN / "locust"),
            "-f",
            str(REPO / "bench" / "locustfile.py"),
            "--headless",
            "--host",
            f"http://127.0.0.1:{PORT}",
            "--users",
            str(users + teachers),
            "--spawn-rate",
            str(spawn_rate),
            "--run-time",
            # A cap only: the locustfile stops the run after the steady state.
            f"{int(4 * ramp + seconds + 60)}s",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--stop-timeout",
            "10",
        ],
        env=locust_env | {"LOAD_STEADY_SECONDS": str(seconds)},
        stdout=subprocess.DEVNULL,
    )
    locust_cpu = 0.0
    machine_busy = postgres_cpu = sampled_at = 0.0
    while locust.poll() is None:
        # Locust shares the machine: its CPU (while it runs) says what was left to the server.
        locust_cpu = max(locust_cpu, _cpu_seconds(locust.pid))
        # Sampled while the students still practise (the backends end with their connections).
        machine_busy, postgres_cpu = _machine_busy_seconds(), _postgres_seconds()
        sampled_at = time.monotonic()
        time.sleep(0.5)
    finished.set()
    if "wall" not in steady:
        print(f"[{name}] not every student signed in before the cap", flush=True)
    cpu = _cpu_seconds(server_pid) - steady.get("cpu", 0.0)
    wall = time.monotonic() - steady.get("wall", time.monotonic())
    sampled = sampled_at - steady.get("wall", sampled_at)
    stats = _stats(prefix)
    acked = acked_file.read_text().split() if acked_file.exists() else []
    answer = stats.get("answer")
    total = stats.get("Aggregated")
    measured = float(answer["Requests/s"]) if answer else 0.0
    offered = users / MEAN_CYCLE_S
    row: dict[str, Any] = {
        "database": name,
        "users": users,
        "teachers": teachers,
        "seconds": seconds,
        "answers_per_s": round(measured, 2),
        "offered_answers_per_s": round(offered, 2),
        "answers_share_of_offered": round(measured / offered, 3) if offered else None,
        "failures": int(total["Failure Count"]) if total else 0,
        "acknowledged_answers": len(acked),
        "sign_ins_asked_to_retry": _busy(acked_file),
        "lost_answers": _lost_answers(acked, env),
        # Server CPU in the steady state (after sign-ins), per answer and in cores: each answer
        # stands for one practice loop (next item + answer, a quarter of a hint, a tenth of a
        # home page) plus the teachers' pages.
        "server_cpu_ms_per_answer": (
            round(1000 * cpu / (measured * wall), 1) if measured and wall > 0 else None
        ),
        "server_cores_used": round(cpu / wall, 2) if wall > 0 else None,
        # The load generator runs on the same machine: what it used of the cores.
        "locust_cores_used": (
            round((locust_cpu - steady.get("locust_cpu", 0.0)) / wall, 2) if wall > 0 else None
        ),
        # Every core of the machine, busy, whoever used it; and PostgreSQL's processes (on
        # the same machine, not in Tandem's figure).
        "machine_cores_busy": (
            round((machine_busy - steady.get("machine", 0.0)) / sampled, 2) if sampled > 0 else None
        ),
        "postgres_cores_used": (
            round((postgres_cpu - steady["postgres"]) / sampled, 2)
            if sampled > 0 and name == "postgresql" and "postgres" in steady
            else None
        ),
        "memory_idle": idle,
        "memory_under_load": _memory_mib(server_pid),
    }
    for kind in ("next", "answer", "hint", "home", "login", "grid", "who_to_see"):
        r = stats.get(kind)
        row[f"{kind}_requests"] = int(r["Request Count"]) if r else 0
        for pct in ("50", "95", "99"):
            row[f"{kind}_p{pct}_ms"] = _num(r, f"{pct}%")
    print(
        f"[{name}] {users} students: {row['answers_per_s']} answers/s of "
        f"{row['offered_answers_per_s']} offered; next p95 {row['next_p95_ms']} ms, answer p95 "
        f"{row['answer_p95_ms']} ms; {row['failures']} failures, {row['lost_answers']} lost",
        flush=True,
    )
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, nargs="+", default=[30, 100, 300])
    parser.add_argument("--seconds", type=int, default=90, help="steady-state seconds per run")
    parser.add_argument(
        "--teachers",
        type=int,
        default=len(TEACHERS),
        choices=range(len(TEACHERS) + 1),
        help="teachers looking at their classes during the runs (default all; 0: practice alone)",
    )
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument(
        "--baseline",
        type=int,
        nargs="*",
        metavar="USERS",
        help="also serve these numbers of students (default: the largest) with the previous "
        "server settings (2 processes x 8 threads, keep-alive 75 s), in the same run",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="SQLite only: serve the school an earlier run seeded (to compare server settings)",
    )
    args = parser.parse_args()
    VAR.mkdir(parents=True, exist_ok=True)
    baseline = None if args.baseline is None else (args.baseline or [max(args.users)])
    rows: list[dict[str, Any]] = []
    if not args.skip_sqlite:
        rows += run_database(
            "sqlite",
            None,
            args.users,
            args.seconds,
            reuse=args.reuse,
            baseline_users=baseline,
            teachers=args.teachers,
        )
    if not args.skip_postgres:
        url = _postgres_url()
        if url is not None:
            try:
                rows += run_database(
                    "postgresql",
                    url,
                    args.users,
                    args.seconds,
                    baseline_users=baseline,
                    teachers=args.teachers,
                )
            finally:
                _drop_postgres()
    result = {"machine": machine(), "runs": rows}
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    print()
    print(
        "| server | database | students | answers/s (offered) | next p50/p95 ms |"
        " answer p50/p95 ms | failures | lost | server PSS idle/load MiB | CPU ms/answer |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['server']} | {r['database']} | {r['users']} | {r['answers_per_s']} "
            f"({r['offered_answers_per_s']}) | {r['next_p50_ms']} / {r['next_p95_ms']} | "
            f"{r['answer_p50_ms']} / {r['answer_p95_ms']} | {r['failures']} | "
            f"{r['lost_answers']} | {r['memory_idle']['pss_mib']} / "
            f"{r['memory_under_load']['pss_mib']} | {r['server_cpu_ms_per_answer']} |"
        )
    print(f"\nwrote {OUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
