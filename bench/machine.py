"""What machine a benchmark ran on, recorded beside its figures so they can be compared."""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any


def _first(path: str, prefix: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def machine(**extra: str) -> dict[str, Any]:
    """CPU, cores, memory, platform, Python and load, plus ``extra`` (e.g. library versions)."""
    memory = _first("/proc/meminfo", "MemTotal")
    return {
        "cpu": _first("/proc/cpuinfo", "model name") or platform.processor(),
        "cpu_count": os.cpu_count(),
        "memory": f"{int(memory.split()[0]) / 1024 / 1024:.1f} GiB" if memory else "",
        "platform": platform.platform(),
        "python": platform.python_version(),
        **extra,
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
