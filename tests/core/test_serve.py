"""``tandem serve``: its gunicorn settings, the start-up work it skips when nothing changed, and
the background worker started once the server answers."""

from __future__ import annotations

import socket
import sys
import textwrap
from pathlib import Path

import pytest
from django.test import override_settings

from tandem.cli import (
    GUNICORN_KEEP_ALIVE,
    GUNICORN_THREADS,
    default_workers,
    gunicorn_command,
    supervise,
)
from tandem.core.startup import (
    STATIC_STAMP,
    migrations_pending,
    static_files_collect,
    static_files_stale,
)


def test_gunicorn_preloads_and_runs_single_threaded_processes_that_close_connections() -> None:
    command = gunicorn_command(host="127.0.0.1", port=8123, workers=4)
    assert command[:3] == [sys.executable, "-m", "gunicorn"]
    assert "tandem.core.serving:application" in command
    assert "--preload" in command

    def option(name: str) -> str:
        return command[command.index(name) + 1]

    assert option("--bind") == "127.0.0.1:8123"
    assert option("--workers") == "4"
    assert option("--worker-class") == "gthread"
    # One interpreter lock per thread of work, and every request to whichever process is free.
    assert option("--threads") == str(GUNICORN_THREADS) == "1"
    assert option("--keep-alive") == str(GUNICORN_KEEP_ALIVE) == "0"
    custom = gunicorn_command(host="0.0.0.0", port=80, workers=2, threads=4, keep_alive=75)
    assert custom[custom.index("--threads") + 1] == "4"
    assert custom[custom.index("--keep-alive") + 1] == "75"


def test_two_worker_processes_per_core_at_least_two_at_most_eight(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for cores, expected in ((1, 2), (2, 4), (3, 6), (16, 8)):
        monkeypatch.setattr("os.cpu_count", lambda cores=cores: cores)
        assert default_workers() == expected


@pytest.mark.django_db
def test_a_migrated_database_has_nothing_pending() -> None:
    assert migrations_pending() == 0


def test_static_files_are_collected_only_when_their_sources_changed(tmp_path: Path) -> None:
    with override_settings(STATIC_ROOT=tmp_path / "static"):
        assert static_files_stale()  # never collected
        static_files_collect()
        assert (tmp_path / "static" / STATIC_STAMP).exists()
        assert not static_files_stale()
        (tmp_path / "static" / STATIC_STAMP).write_text('{"sources": "older"}')
        assert static_files_stale()


def _script(tmp_path: Path, name: str, body: str) -> list[str]:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body))
    return [sys.executable, str(path)]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_worker_starts_once_the_server_answers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port, started = _free_port(), tmp_path / "worker-started"
    server = _script(
        tmp_path,
        "server.py",
        f"""
        import http.server, threading, time
        server = http.server.HTTPServer(("127.0.0.1", {port}), http.server.BaseHTTPRequestHandler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        time.sleep(3)
        """,
    )
    worker = _script(tmp_path, "worker.py", f"open({str(started)!r}, 'w').write('yes')")
    status = supervise(server, worker, ready_url=f"http://127.0.0.1:{port}/", poll=0.1)
    assert status == 0
    assert started.read_text() == "yes"
    assert "first page answered after" in capsys.readouterr().out


def test_no_worker_while_the_server_never_answers(tmp_path: Path) -> None:
    started = tmp_path / "worker-started"
    server = _script(tmp_path, "server.py", "import sys; sys.exit(3)")
    worker = _script(tmp_path, "worker.py", f"open({str(started)!r}, 'w').write('yes')")
    status = supervise(server, worker, ready_url="http://127.0.0.1:9/", poll=0.1)
    assert status == 3
    assert not started.exists()


def test_a_server_killed_from_outside_is_started_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The out-of-memory killer's SIGKILL takes the server down: it comes back; an exit of its
    own (as in the tests above) is not retried."""
    runs = tmp_path / "runs"
    server = _script(
        tmp_path,
        "server.py",
        f"""
        import os, pathlib, signal
        runs = pathlib.Path({str(runs)!r})
        runs.write_text(runs.read_text() + "x" if runs.exists() else "x")
        if len(runs.read_text()) == 1:
            os.kill(os.getpid(), signal.SIGKILL)
        """,
    )
    assert supervise(server, None, poll=0.1) == 0
    assert runs.read_text() == "xx"
    assert "the web server died (signal 9); restarting it" in capsys.readouterr().err


def test_a_server_that_keeps_dying_is_given_up_on(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    server = _script(
        tmp_path,
        "server.py",
        f"""
        import os, pathlib, signal
        runs = pathlib.Path({str(runs)!r})
        runs.write_text(runs.read_text() + "x" if runs.exists() else "x")
        os.kill(os.getpid(), signal.SIGKILL)
        """,
    )
    assert supervise(server, None, poll=0.1) == -9
    assert len(runs.read_text()) == 6  # the first run and five restarts
