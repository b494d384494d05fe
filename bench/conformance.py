"""Tandem's LRS against the ADL xAPI conformance suite, at xAPI 1.0.3 and 2.0.0.

Copies the suite from ``../shared/xapi-conformance-suite`` into ``var/xapi-suite`` and installs
it there once (npm), migrates a fresh database under ``var/conformance``, issues an LRS client
with every scope, starts ``tandem serve`` on a free port, runs the suite at each version, and
writes ``var/bench/conformance.json`` ({version: {total, passed, failed}}) from the suite's JSON
logs. Skips (exit 0, with a message) when node or the shared suite is missing::

    .venv/bin/python bench/conformance.py [--versions 1.0.3 2.0.0] [--suite PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_SUITE = ROOT.parent / "shared" / "xapi-conformance-suite"
SCRATCH = ROOT / "var" / "xapi-suite"
DATA_DIR = ROOT / "var" / "conformance"
OUT = ROOT / "var" / "bench" / "conformance.json"
VERSIONS = ("1.0.3", "2.0.0")
# A whole run takes 3 to 6 minutes on 2 cores; more than this means it hangs.
RUN_TIMEOUT = 30 * 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def suite_install(source: Path) -> Path:
    """The suite, copied and npm-installed once under var/ (a changed source is recopied)."""
    stamp = SCRATCH / ".installed-from"
    marker = str(source.resolve())
    if stamp.exists() and stamp.read_text() == marker and (SCRATCH / "node_modules").is_dir():
        return SCRATCH
    shutil.rmtree(SCRATCH, ignore_errors=True)
    shutil.copytree(source, SCRATCH, ignore=shutil.ignore_patterns("node_modules", "logs"))
    print(f"npm install in {SCRATCH} (once) ...", flush=True)
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=SCRATCH, check=True
    )
    stamp.write_text(marker)
    return SCRATCH


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # always SQLite here
    env["TANDEM_DATA_DIR"] = str(DATA_DIR)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env["TANDEM_WORKER"] = "0"
    return env


def database_fresh(env: dict[str, str]) -> tuple[str, str]:
    """Migrate a new database under DATA_DIR and issue a client with every scope."""
    shutil.rmtree(DATA_DIR, ignore_errors=True)
    DATA_DIR.mkdir(parents=True)
    script = (
        "import django, json; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', interactive=False, verbosity=0)\n"
        "from tandem.interop.xapi.constants import Scope\n"
        "from tandem.interop.xapi.services import lrs_client_issue\n"
        "client, secret = lrs_client_issue(name='ADL conformance suite', scopes=[Scope.ALL])\n"
        "print(json.dumps([client.key, secret]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        env={**env, "DJANGO_SETTINGS_MODULE": "tandem.settings"},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    key, secret = json.loads(out.strip().splitlines()[-1])
    return key, secret


def server_start(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    log = (DATA_DIR / "serve.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "tandem.cli", "serve", "--port", str(port), "--no-worker"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"tandem serve exited; see {DATA_DIR / 'serve.log'}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/xapi/about", timeout=2)
            return server
        except OSError:
            time.sleep(0.5)
    server_stop(server)
    raise RuntimeError("tandem serve did not answer within 120 s")


def server_stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _tests(node: dict) -> list[dict]:
    """Every leaf test of the suite's log tree (a node with no child tests)."""
    children = node.get("tests") or []
    if not children:
        return [node] if "status" in node else []
    return [leaf for child in children for leaf in _tests(child)]


def suite_run(suite: Path, *, port: int, key: str, secret: str, version: str) -> dict:
    """One run of the suite; its summary and the titles of the failed tests."""
    logs = suite / "logs"
    before = set(logs.glob("*.log")) if logs.is_dir() else set()
    command = [
        "node",
        "bin/console_runner.js",
        "-e",
        f"http://127.0.0.1:{port}/xapi",
        "-a",
        "-u",
        key,
        "-p",
        secret,
        "-x",
        version,
    ]
    print(f"xAPI {version}: running the suite (3 to 6 minutes) ...", flush=True)
    with (DATA_DIR / f"suite-{version}.out").open("wb") as out:
        subprocess.run(
            command, cwd=suite, stdout=out, stderr=subprocess.STDOUT, timeout=RUN_TIMEOUT
        )
    written = sorted(set(logs.glob("*.log")) - before, key=lambda p: p.stat().st_mtime)
    if not written:
        raise RuntimeError(f"the suite wrote no log; see {DATA_DIR / f'suite-{version}.out'}")
    log = json.loads(written[-1].read_text())
    summary = log.get("summary") or {}
    failed = [
        f"{leaf.get('title', '')}: {leaf.get('error', '')}"[:300]
        for leaf in _tests(log.get("log") or {})
        if leaf.get("status") == "failed"
    ]
    return {
        "total": int(summary.get("total", 0)),
        "passed": int(summary.get("passed", 0)),
        "failed": int(summary.get("failed", 0)),
        "log": str(written[-1]),
        "failures": failed,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--versions", nargs="+", default=list(VERSIONS))
    parser.add_argument("--suite", type=Path, default=SHARED_SUITE)
    args = parser.parse_args(argv)
    if shutil.which("node") is None or shutil.which("npm") is None:
        print("conformance: skipped, node and npm are needed to run the ADL suite.")
        return 0
    if not (args.suite / "bin" / "console_runner.js").is_file():
        print(f"conformance: skipped, the ADL suite is not at {args.suite}.")
        return 0
    suite = suite_install(args.suite)
    env = environment()
    key, secret = database_fresh(env)
    port = free_port()
    server = server_start(port, env)
    results: dict[str, dict] = {}
    try:
        for version in args.versions:
            results[version] = suite_run(suite, port=port, key=key, secret=secret, version=version)
    finally:
        server_stop(server)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        json.dumps(
            {v: {k: r[k] for k in ("total", "passed", "failed")} for v, r in results.items()},
            indent=2,
        )
        + "\n"
    )
    print(f"\n{'xAPI':<8}{'passed':>8}{'total':>8}{'failed':>8}")
    for version, result in results.items():
        print(f"{version:<8}{result['passed']:>8}{result['total']:>8}{result['failed']:>8}")
        for failure in result["failures"][:100]:
            print(f"    - {failure}")
    print(f"\nwritten {OUT.relative_to(ROOT)}; suite logs under {suite / 'logs'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
