"""The ``tandem`` command for operators: serve, seed the demo school, calibrate the learner
model, and run Django management."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from types import FrameType

# How long a stopping background worker may take to finish its current task.
WORKER_STOP_SECONDS = 30
# A worker that died is restarted, but not more often than this (a crash loop stays quiet).
WORKER_RESTART_SECONDS = 10.0


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


def supervise(server_cmd: list[str], worker_cmd: list[str], *, poll: float = 1.0) -> int:
    """Run the web server with a background worker beside it, until the server stops.

    Termination signals go to the server; when it exits the worker is stopped too (it finishes
    its current task first). A worker that dies is restarted. Returns the server's exit status.
    """
    server = subprocess.Popen(server_cmd)
    worker = subprocess.Popen(worker_cmd)
    worker_started = time.monotonic()

    def forward(signum: int, frame: FrameType | None) -> None:
        if server.poll() is None:
            server.send_signal(signum)

    handled = [signal.SIGTERM, signal.SIGINT, signal.SIGHUP]
    previous = {sig: signal.signal(sig, forward) for sig in handled}
    try:
        while server.poll() is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(timeout=poll)
            if (
                worker.poll() is not None
                and time.monotonic() - worker_started >= WORKER_RESTART_SECONDS
            ):
                print(
                    f"tandem: background worker exited ({worker.returncode}); restarting it",
                    file=sys.stderr,
                )
                worker = subprocess.Popen(worker_cmd)
                worker_started = time.monotonic()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _stop(server)
        _stop(worker)
    return int(server.returncode or 0)


def _serve(args: argparse.Namespace) -> int:
    _manage(["migrate", "--no-input", "-v", "0"])
    _manage(["collectstatic", "--no-input", "-v", "0"])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    gunicorn_args = [
        "gunicorn",
        "tandem.wsgi:application",
        "--bind",
        f"{args.host}:{args.port}",
        "--workers",
        str(args.workers),
        "--threads",
        "4",
        "--access-logfile",
        "-",
    ]
    server_cmd = [sys.executable, "-m", *gunicorn_args]
    if not _worker_enabled(args):
        os.execvp(sys.executable, server_cmd)
    # Background tasks (calibration) run in django-tasks' database worker, next to the server.
    return supervise(server_cmd, [sys.executable, "-m", "tandem.cli", "manage", "db_worker"])


def _calibrate(args: argparse.Namespace) -> int:
    return _manage(["calibrate", *(["--quiet"] if args.quiet else [])])


def _demo(args: argparse.Namespace) -> int:
    _django_setup()
    from tandem.core.demo import demo_seed

    report = demo_seed(students=args.students, days=args.days, seed=args.seed)
    print(report.summary())
    return 0


# `tandem import oneroster PATH` runs the management command `import_oneroster PATH`, and so on.
INTEROP_FORMATS = ("oneroster", "case", "qti")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["manage"]:
        return _manage(argv[1:])
    if argv[:1] in (["import"], ["export"]) and argv[1:2] and argv[1] in INTEROP_FORMATS:
        return _manage([f"{argv[0]}_{argv[1]}", *argv[2:]])
    parser = argparse.ArgumentParser(prog="tandem", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser(
        "serve",
        help="migrate, collect static files, and serve with gunicorn and a background worker",
    )
    serve.add_argument("--host", default=os.environ.get("TANDEM_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("TANDEM_PORT", "8000")))
    serve.add_argument("--workers", type=int, default=int(os.environ.get("TANDEM_WORKERS", "2")))
    serve.add_argument(
        "--no-worker",
        dest="worker",
        action="store_false",
        help="do not start the background worker (also: TANDEM_WORKER=0)",
    )
    serve.set_defaults(func=_serve)
    demo = sub.add_parser("demo", help="seed the demo school (idempotent) and print its logins")
    demo.add_argument("--students", type=int, default=150)
    demo.add_argument("--days", type=int, default=42, help="days of simulated practice history")
    demo.add_argument("--seed", type=int, default=2026)
    demo.set_defaults(func=_demo)
    calibrate = sub.add_parser(
        "calibrate",
        help="fit the learner model on this installation's evidence, now; activate it only if "
        "it is no worse than the active set on held-out students; print the comparison",
    )
    calibrate.add_argument("--quiet", action="store_true", help="print only the report")
    calibrate.set_defaults(func=_calibrate)
    for verb in ("import", "export"):
        sub.add_parser(
            verb,
            help=f"{verb} a file: tandem {verb} {{{','.join(INTEROP_FORMATS)}}} PATH … "
            f"(see tandem {verb} FORMAT --help)",
        )
    sub.add_parser("manage", help="run a Django management command: tandem manage <command> …")
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
