"""Give every competency loaded before short names existed the name the loader now writes: the
pack's curated one for the Coherence Map, else one generated from the statement."""

import json
from pathlib import Path

from django.db import migrations

from tandem.competencies.text import SHORT_NAME_LIMIT, short_name

COHERENCE_MAP_URI = "https://tools.achievethecore.org/coherence-map/"
SHORT_NAMES = Path(__file__).resolve().parent.parent / "packs" / "ccss-math" / "short-names.json"


def fill(apps, schema_editor):
    Competency = apps.get_model("competencies", "Competency")
    curated = json.loads(SHORT_NAMES.read_text(encoding="utf-8"))["names"]
    changed = []
    for comp in Competency.objects.filter(short_name="").select_related("framework"):
        abbreviated = comp.abbreviated_statement.strip()
        if comp.framework.uri == COHERENCE_MAP_URI and comp.human_coding_scheme in curated:
            comp.short_name = curated[comp.human_coding_scheme]
        elif (
            comp.framework.uri != COHERENCE_MAP_URI
            and abbreviated
            and len(abbreviated) <= SHORT_NAME_LIMIT
            and abbreviated != comp.full_statement.strip()
        ):
            comp.short_name = abbreviated[0].upper() + abbreviated[1:]
        else:
            comp.short_name = short_name(comp.full_statement)
        changed.append(comp)
    Competency.objects.bulk_update(changed, ["short_name"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("competencies", "0004_competency_short_name"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
