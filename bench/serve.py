"""Start-up time and idle memory of ``tandem serve``: the time to the first answered page (a
first start and a restart), and the memory of every process it starts, summed, once idle.

Run on a seeded data directory (``tandem demo`` first)::

    TANDEM_DATA_DIR=var/demo .venv/bin/python bench/serve.py --port 8731 --idle 60

PSS (proportional set size, from /proc/PID/smaps_rollup) counts a page shared by n processes
as 1/n in each, so its sum is what the server really holds; the RSS sum counts shared pages
once per process. Writes ``var/bench/serve.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo += _children(current)
    return tree


def memory_kib(pid: int) -> dict[str, int]:
    """Rss and Pss of one process, in KiB."""
    text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    return {
        key: int(re.search(rf"^{key}:\s+(\d+) kB", text, re.M).group(1)) for key in ("Rss", "Pss")
    }


def command_line(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:110]


def start(port: int, env: dict[str, str]) -> tuple[subprocess.Popen[str], float]:
    """Start ``tandem serve``; returns it and the seconds until it printed its first answer."""
    started = time.time()
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/tandem"), "serve", "--port", str(port)],
        env={**env, "TANDEM_STARTED": str(started)},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    assert server.stdout is not None
    for line in server.stdout:
        if "first page answered after" in line:
            return server, float(line.split("after")[1].split()[0])
    raise RuntimeError("tandem serve exited before answering")


def stop(server: subprocess.Popen[str]) -> None:
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=60)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument("--idle", type=float, default=60.0, help="seconds to wait before measuring")
    args = parser.parse_args()
    env = dict(os.environ)
    server, first = start(args.port, env)
    print(f"first start: first page answered after {first:.1f} s", flush=True)
    time.sleep(args.idle)
    rows = []
    for pid in process_tree(server.pid):
        with contextlib.suppress(OSError):
            rows.append({"pid": pid, "command": command_line(pid), **memory_kib(pid)})
    for row in rows:
        print(
            f"  {row['Pss'] / 1024:7.1f} MiB PSS {row['Rss'] / 1024:7.1f} MiB RSS  {row['command']}"
        )
    pss = sum(r["Pss"] for r in rows) / 1024
    rss = sum(r["Rss"] for r in rows) / 1024
    print(
        f"idle after {args.idle:.0f} s: {len(rows)} processes, PSS {pss:.1f} MiB, RSS {rss:.1f} MiB"
    )
    stop(server)
    server, restart = start(args.port, env)
    print(f"restart: first page answered after {restart:.1f} s", flush=True)
    stop(server)
    result = {
        "first_start_seconds": round(first, 2),
        "restart_seconds": round(restart, 2),
        "idle_seconds": args.idle,
        "pss_mib": round(pss, 1),
        "rss_mib": round(rss, 1),
        "processes": rows,
        "machine": f"{platform.node()} {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}",
        "python": sys.version.split()[0],
    }
    out = ROOT / "var/bench/serve.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
