"""What a server start must do before it answers, and only when it is needed: apply pending
migrations, and collect static files when the collected ones are out of date."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

# Written into STATIC_ROOT after collectstatic: a digest of the source files it collected.
STATIC_STAMP = ".tandem-static-stamp.json"


def migrations_pending(database: str = DEFAULT_DB_ALIAS) -> int:
    """How many migrations ``migrate`` would apply (0 when the schema is current)."""
    connection = connections[database]
    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    return len(executor.migration_plan(targets))


def static_sources_digest() -> str:
    """A digest of every static source file (its path, size and modification time)."""
    entries = []
    for finder in get_finders():
        for path, storage in finder.list(ignore_patterns=["CVS", ".*", "*~"]):
            stat = Path(storage.path(path)).stat()
            entries.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(sorted(entries)).encode()).hexdigest()


def _static_root() -> Path:
    return Path(settings.STATIC_ROOT)


def static_files_stale() -> bool:
    """Whether the collected static files differ from the sources (or were never collected)."""
    stamp = _static_root() / STATIC_STAMP
    try:
        recorded = str(json.loads(stamp.read_text(encoding="utf-8")).get("sources"))
    except (OSError, ValueError):
        return True
    # A manifest storage's manifest: without it no page can name a static file.
    manifest = getattr(staticfiles_storage, "manifest_name", None)
    if manifest and not (_static_root() / manifest).exists():
        return True
    return recorded != static_sources_digest()


def static_files_collect() -> None:
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp = _static_root() / STATIC_STAMP
    stamp.write_text(json.dumps({"sources": static_sources_digest()}), encoding="utf-8")


def serve_prepare() -> list[str]:
    """Migrate and collect static files where needed; returns what was done, for the log."""
    done = []
    pending = migrations_pending()
    if pending:
        call_command("migrate", interactive=False, verbosity=0)
        done.append(f"applied {pending} migration{'s' if pending != 1 else ''}")
    if static_files_stale():
        static_files_collect()
        done.append("collected static files")
    return done
