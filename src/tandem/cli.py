"""The ``tandem`` command for operators: serve, seed the demo school, calibrate the learner
model, export or erase a student's data, and run Django management."""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from types import FrameType

# How long a stopping background worker (or gunicorn worker) may take to finish its work.
WORKER_STOP_SECONDS = 30
# gunicorn, as measured by `make bench-load` (300 students on 2 cores, 2026-12-04; README):
# single-threaded worker processes, two per core, and no keep-alive. Threads in one process
# share one interpreter lock: eight of them made a practice loop cost a third more CPU and
# queued requests for seconds. Kept-alive connections stay with the process that accepted
# them, so requests queued at a busy process while another was idle; with every connection
# closed after its answer, the next request goes to whichever process is free (behind nginx,
# whose upstream connections are not kept alive by default, it is the same). A browser that
# is told "Connection: close" never reuses a connection the server has closed.
GUNICORN_THREADS = 1
GUNICORN_KEEP_ALIVE = 0
GUNICORN_WORKERS_PER_CORE = 2
GUNICORN_MAX_WORKERS = 8


def default_workers() -> int:
    """Web worker processes when TANDEM_WORKERS does not say: two per core, at most eight."""
    return max(2, min(GUNICORN_WORKERS_PER_CORE * (os.cpu_count() or 1), GUNICORN_MAX_WORKERS))


# How long `tandem serve` waits for its first answer before it stops waiting (not serving).
FIRST_ANSWER_WAIT = 120.0
# A worker that died is restarted, but not more often than this (a crash loop stays quiet).
WORKER_RESTART_SECONDS = 10.0
# A web server killed from outside is restarted, at most this often in this window.
SERVER_RESTARTS = 5
SERVER_RESTART_WINDOW_SECONDS = 600


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    import django

    django.setup()


def _manage(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tandem manage", *argv])
    return 0


def _worker_enabled(args: argparse.Namespace) -> bool:
    off = os.environ.get("TANDEM_WORKER", "1").strip().lower() in {"0", "false", "no", "off"}
    return bool(args.worker) and not off


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=WORKER_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def first_answer(url: str, *, since: float, server: subprocess.Popen[bytes]) -> float | None:
    """Seconds from ``since`` (a ``time.time()``) until ``url`` first answers, polling it; None
    if the server exits or ``FIRST_ANSWER_WAIT`` passes first."""
    deadline = time.monotonic() + FIRST_ANSWER_WAIT
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                response.read()
            return time.time() - since
        except urllib.error.HTTPError:
            return time.time() - since  # an answer, if not a page: the server is up
        except OSError:
            time.sleep(0.1)
    return None


def supervise(
    server_cmd: list[str],
    worker_cmd: list[str] | None,
    *,
    ready_url: str | None = None,
    since: float | None = None,
    poll: float = 1.0,
) -> int:
    """Run the web server, and beside it the background worker once the server answers, until
    the server stops.

    With ``ready_url`` the time from ``since`` to its first answer is printed. The worker starts
    after that answer (or at once without ``ready_url``): it then finds the database migrated,
    and does not compete with the server's start. Termination signals go to the server; when it
    exits the worker is stopped too (it finishes its current task first). A worker that dies is
    restarted, and so is a server killed by a signal this process did not pass on (at most
    ``SERVER_RESTARTS`` times in ten minutes). Returns the server's exit status.
    """
    since = time.time() if since is None else since
    server = subprocess.Popen(server_cmd)
    worker: subprocess.Popen[bytes] | None = None
    worker_started = 0.0
    stopping = False
    restarts: list[float] = []

    def forward(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        if server.poll() is None:
            server.send_signal(signum)

    handled = [signal.SIGTERM, signal.SIGINT, signal.SIGHUP]
    previous = {sig: signal.signal(sig, forward) for sig in handled}
    try:
        if ready_url is not None:
            seconds = first_answer(ready_url, since=since, server=server)
            if seconds is not None:
                print(f"tandem: first page answered after {seconds:.1f} s", flush=True)
        while True:
            while server.poll() is None:
                if worker_cmd is not None and (
                    worker is None
                    or (
                        worker.poll() is not None
                        and time.monotonic() - worker_started >= WORKER_RESTART_SECONDS
                    )
                ):
                    if worker is not None:
                        print(
                            f"tandem: background worker exited ({worker.returncode}); "
                            "restarting it",
                            file=sys.stderr,
                        )
                    worker = subprocess.Popen(worker_cmd)
                    worker_started = time.monotonic()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    server.wait(timeout=poll)
            # A server killed by a signal nobody here sent (the kernel's out-of-memory killer, a
            # stray kill -9) is started again; one that exited by itself (a port taken, a bad
            # setting) or was asked to stop is not. A server that keeps dying is given up on.
            if stopping or server.returncode >= 0:
                break
            now = time.monotonic()
            restarts = [t for t in restarts if now - t < SERVER_RESTART_WINDOW_SECONDS]
            if len(restarts) >= SERVER_RESTARTS:
                print(
                    f"tandem: the web server died {len(restarts) + 1} times in "
                    f"{SERVER_RESTART_WINDOW_SECONDS // 60} minutes; giving up",
                    file=sys.stderr,
                )
                break
            print(
                f"tandem: the web server died (signal {-server.returncode}); restarting it",
                file=sys.stderr,
                flush=True,
            )
            restarts.append(now)
            server = subprocess.Popen(server_cmd)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _stop(server)
        if worker is not None:
            _stop(worker)
    return int(server.returncode or 0)


def gunicorn_command(
    *,
    host: str,
    port: int,
    workers: int,
    threads: int = GUNICORN_THREADS,
    keep_alive: int = GUNICORN_KEEP_ALIVE,
) -> list[str]:
    """The gunicorn command line of ``tandem serve`` (see the settings' comments)."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        # Loaded once in the master, migrated and warmed, then forked: the workers share it.
        "tandem.core.serving:application",
        "--preload",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        # gthread: a connection is read in the worker's poller, so a slow client holds no
        # worker; one thread per process by default (see GUNICORN_THREADS).
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--keep-alive",
        str(keep_alive),
        "--graceful-timeout",
        str(WORKER_STOP_SECONDS),
        "--access-logfile",
        "-",
        # gunicorn 25.1+ opens a control socket at one path per user (~/.gunicorn/gunicorn.ctl):
        # a second server on the machine would take it over. Tandem does not use it.
        *(["--no-control-socket"] if _gunicorn_version() >= (25, 1) else []),
    ]


def _gunicorn_version() -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in version("gunicorn").split(".")[:2])
    except (PackageNotFoundError, ValueError):
        return (0,)


def _serve(args: argparse.Namespace) -> int:
    # Started by `make run`, TANDEM_STARTED holds when it started, so the time printed covers
    # installing and seeding too.
    since = float(os.environ.get("TANDEM_STARTED") or time.time())
    server_cmd = gunicorn_command(
        host=args.host,
        port=args.port,
        workers=args.workers,
        threads=args.threads,
        keep_alive=args.keep_alive,
    )
    host = "127.0.0.1" if args.host in {"0.0.0.0", "", "::"} else args.host
    host = f"[{host}]" if ":" in host else host
    # Background tasks (calibration) run in django-tasks' database worker, next to the server.
    worker_cmd = [sys.executable, "-m", "tandem.cli", "manage", "db_worker"]
    return supervise(
        server_cmd,
        worker_cmd if _worker_enabled(args) else None,
        ready_url=f"http://{host}:{args.port}/login/",
        since=since,
    )


def _calibrate(args: argparse.Namespace) -> int:
    return _manage(["calibrate", *(["--quiet"] if args.quiet else [])])


DEMO_DAYS = 42  # the demo school's days of practice history


def _district(args: argparse.Namespace) -> int:
    _django_setup()
    from django.core.management import call_command

    from tandem.core.district import district_exists, district_seed
    from tandem.core.startup import migrations_pending

    if migrations_pending():
        call_command("migrate", interactive=False, verbosity=0)
    if district_exists():
        print("tandem: a generated district is already in this database", file=sys.stderr)
        return 1
    report = district_seed(
        students=args.students or 20_000,
        statements=args.statements,
        days=args.days if args.days != DEMO_DAYS else 120,
        seed=args.seed,
    )
    print(report.summary())
    return 0


def _demo(args: argparse.Namespace) -> int:
    if args.district:
        return _district(args)
    args.students = args.students or 150
    started = time.perf_counter()
    _django_setup()
    from django.core.management import call_command
    from django.db import connections

    from tandem.core.demo import (
        DemoRefusedError,
        demo_seed,
        demo_seed_refusal,
        real_roster_present,
    )
    from tandem.core.startup import migrations_pending, static_files_collect, static_files_stale

    if migrations_pending():  # in this process: one Django start-up instead of two
        call_command("migrate", interactive=False, verbosity=0)
    if args.remove:
        return _demo_remove()
    refusal = demo_seed_refusal()
    if refusal is not None:
        print(f"tandem demo: refused: {refusal}", file=sys.stderr)
        return 1
    # Collecting (and compressing) the static files is what `tandem serve` would do next: done
    # here, on another core while the demo is written, it adds nothing to `make run`.
    collector = None
    if static_files_stale():
        connections.close_all()  # the child never uses the database; it must not share one
        collector = multiprocessing.get_context("fork").Process(target=static_files_collect)
        collector.start()

    try:
        report = demo_seed(
            students=args.students,
            days=args.days,
            seed=args.seed,
            calibration="now" if args.calibrate_now else "background",
            simulate=args.simulate,
            save_history=args.save_history,
        )
    except DemoRefusedError as refused:
        print(f"tandem demo: refused: {refused}", file=sys.stderr)
        return 1
    finally:
        if collector is not None:
            collector.join()
    print(report.summary())
    print(f"  ({time.perf_counter() - started:.1f} s)")
    if not report.created and real_roster_present():
        print(
            "tandem demo: this database also holds a real roster; the demo school, whose "
            "accounts share one known password, should not stay beside it: "
            "`tandem demo --remove` takes it out.",
            file=sys.stderr,
        )
    return 0 if collector is None or collector.exitcode == 0 else 1


def _demo_remove() -> int:
    from tandem.core.demo import DemoRefusedError
    from tandem.core.demo_removal import demo_remove

    try:
        report = demo_remove()
    except DemoRefusedError as refused:
        print(f"tandem demo --remove: refused: {refused}", file=sys.stderr)
        return 1
    print(report.summary())
    return 0


# `tandem import oneroster PATH` runs the management command `import_oneroster PATH`, and so on.
INTEROP_FORMATS = ("oneroster", "case", "qti")
# `tandem student erase SOURCEDID …` runs the management command `student_erase`, and so on.
STUDENT_ACTIONS = ("export", "erase", "purge-expired")
# Formats that go one way only: the evidence log out (Parquet, for Spark), parameter sets in.
FORMATS = {
    "import": (*INTEROP_FORMATS, "parameters"),
    "export": (*INTEROP_FORMATS, "evidence"),
}


def _spark_calibrate(args: argparse.Namespace) -> int:
    # No Django here: the job reads the exported Parquet, never the database.
    try:
        from tandem_spark.job import main as spark_main
    except ImportError as missing:
        print(f"tandem spark-calibrate needs pyspark: pip install 'tandem[spark]' ({missing})")
        return 2
    return spark_main(
        evidence=args.evidence,
        out=args.out,
        master=args.master,
        seed=args.seed,
        holdout=args.holdout,
    )


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["manage"]:
        return _manage(argv[1:])
    if argv[:1] in (["import"], ["export"]) and argv[1:2] and argv[1] in FORMATS[argv[0]]:
        return _manage([f"{argv[0]}_{argv[1]}", *argv[2:]])
    if argv[:1] == ["student"] and argv[1:2] and argv[1] in STUDENT_ACTIONS:
        return _manage([f"student_{argv[1].replace('-', '_')}", *argv[2:]])
    parser = argparse.ArgumentParser(prog="tandem", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser(
        "serve",
        help="serve with gunicorn and a background worker (migrating and collecting static "
        "files first where needed)",
    )
    serve.add_argument("--host", default=os.environ.get("TANDEM_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("TANDEM_PORT", "8000")))
    serve.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("TANDEM_WORKERS") or default_workers()),
        help="web worker processes (also: TANDEM_WORKERS; default two per core, at most 8)",
    )
    serve.add_argument(
        "--threads",
        type=int,
        default=int(os.environ.get("TANDEM_THREADS", str(GUNICORN_THREADS))),
        help="threads per web worker process (also: TANDEM_THREADS)",
    )
    serve.add_argument(
        "--keep-alive",
        type=int,
        default=int(os.environ.get("TANDEM_KEEP_ALIVE", str(GUNICORN_KEEP_ALIVE))),
        help="seconds an idle connection stays open (also: TANDEM_KEEP_ALIVE; 0: closed after "
        "each answer)",
    )
    serve.add_argument(
        "--no-worker",
        dest="worker",
        action="store_false",
        help="do not start the background worker (also: TANDEM_WORKER=0)",
    )
    serve.set_defaults(func=_serve)
    demo = sub.add_parser(
        "demo",
        help="seed the demo school (idempotent) and print its logins; refused (exit 1) where the "
        "database holds a real roster",
    )
    demo.add_argument(
        "--remove",
        action="store_true",
        help="take the demo school out instead (its people, orgs, classes and all their "
        "records); refused (exit 1, nothing removed) if that would touch anything not the demo's",
    )
    demo.add_argument(
        "--students", type=int, default=None, help="students (150; a district: 20,000)"
    )
    demo.add_argument(
        "--days",
        type=int,
        default=DEMO_DAYS,
        help=f"days of simulated practice history ({DEMO_DAYS}; a district: 120 school days)",
    )
    demo.add_argument(
        "--district",
        action="store_true",
        help="instead of the demo school, generate a district for load and index checks "
        "(10 schools, 20,000 students, 10 million answers by default; PostgreSQL advised)",
    )
    demo.add_argument(
        "--statements",
        type=int,
        default=10_000_000,
        help="with --district: how many answers to generate (10,000,000)",
    )
    demo.add_argument("--seed", type=int, default=2026)
    demo.add_argument(
        "--calibrate-now",
        action="store_true",
        help="calibrate before returning (default: queue it for the background worker)",
    )
    demo.add_argument(
        "--simulate",
        action="store_true",
        help="simulate the practice history even where a stored one fits (minutes)",
    )
    demo.add_argument(
        "--save-history",
        type=Path,
        metavar="PATH",
        help="store the practice history used (src/tandem/core/demo_history.json.gz is the "
        "default demo's)",
    )
    demo.set_defaults(func=_demo)
    calibrate = sub.add_parser(
        "calibrate",
        help="fit the learner model on this installation's evidence, now; activate it only if "
        "it is no worse than the active set on held-out students; print the comparison",
    )
    calibrate.add_argument("--quiet", action="store_true", help="print only the report")
    calibrate.set_defaults(func=_calibrate)
    spark = sub.add_parser(
        "spark-calibrate",
        help="fit the learner model on exported evidence (tandem export evidence --parquet) "
        "with Spark, one competency per task; write a parameter set for tandem import parameters",
    )
    spark.add_argument("--evidence", required=True, metavar="DIR", help="the Parquet folder")
    spark.add_argument("--out", required=True, metavar="PATH", help="the JSON document to write")
    spark.add_argument(
        "--master",
        default=None,
        help="Spark master: local[4], spark://host:7077 (default: spark-submit's, "
        "$SPARK_MASTER, or local[*])",
    )
    spark.add_argument("--seed", type=int, default=2026)
    spark.add_argument(
        "--no-holdout",
        dest="holdout",
        action="store_false",
        help="skip the fit without held-out students (the import then keeps the set inactive)",
    )
    spark.set_defaults(func=_spark_calibrate)
    for verb in ("import", "export"):
        sub.add_parser(
            verb,
            help=f"{verb} a file: tandem {verb} {{{','.join(FORMATS[verb])}}} PATH … "
            f"(see tandem {verb} FORMAT --help)"
            + (
                "; exits 0 when everything was imported, 1 when nothing was, 3 when part was"
                if verb == "import"
                else ""
            ),
        )
    student = sub.add_parser(
        "student",
        help="a family's rights over one student's data: tandem student "
        f"{{{','.join(STUDENT_ACTIONS)}}} … (see tandem student ACTION --help)",
    )
    student.set_defaults(
        func=lambda args: student.error(f"say what to do: one of {', '.join(STUDENT_ACTIONS)}")
    )
    sub.add_parser("manage", help="run a Django management command: tandem manage <command> …")
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
