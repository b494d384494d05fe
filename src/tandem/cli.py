"""The ``tandem`` command for operators: serve, seed the demo school, and run Django management."""

from __future__ import annotations

import argparse
import os
import sys


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    import django

    django.setup()


def _manage(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tandem manage", *argv])
    return 0


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
    os.execvp(sys.executable, [sys.executable, "-m", *gunicorn_args])
    return 0  # pragma: no cover - execvp does not return


def _demo(args: argparse.Namespace) -> int:
    _django_setup()
    from tandem.core.demo import demo_seed

    report = demo_seed(students=args.students, days=args.days, seed=args.seed)
    print(report.summary())
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["manage"]:
        return _manage(argv[1:])
    parser = argparse.ArgumentParser(prog="tandem", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="migrate, collect static files and serve with gunicorn")
    serve.add_argument("--host", default=os.environ.get("TANDEM_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("TANDEM_PORT", "8000")))
    serve.add_argument("--workers", type=int, default=int(os.environ.get("TANDEM_WORKERS", "2")))
    serve.set_defaults(func=_serve)
    demo = sub.add_parser("demo", help="seed the demo school (idempotent) and print its logins")
    demo.add_argument("--students", type=int, default=150)
    demo.add_argument("--days", type=int, default=42, help="days of simulated practice history")
    demo.add_argument("--seed", type=int, default=2026)
    demo.set_defaults(func=_demo)
    sub.add_parser("manage", help="run a Django management command: tandem manage <command> …")
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
