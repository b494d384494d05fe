"""Copy evidence recorded before the LRS was written through (see xapi.mirror) into the LRS.

A one-off backfill: from now on every evidence statement gets its LRS statement when recorded.
It runs the application's own mirror (not the historical models), because the statements must
be exactly what write-through produces; on a database with no evidence it does nothing.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def backfill(apps: Any, schema_editor: Any) -> None:
    # The live models below may have columns that later migrations add (a new user field): on
    # a database with no evidence (every new one), the historical model says so and nothing
    # touches the live ones.
    if not apps.get_model("evidence", "Statement").objects.exists():
        return

    from django.utils import timezone

    from tandem.interop.xapi.mirror import evidence_mirror

    while evidence_mirror(now=timezone.now()):
        pass


class Migration(migrations.Migration):
    dependencies = [
        ("interop", "0007_lrs_client_xapi_version"),
        ("evidence", "0004_written_answer_source"),
        ("competencies", "0002_association_external_destination"),
        ("content", "0002_item_extended_text_kind_and_guidance"),
        ("roster", "0001_initial"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
