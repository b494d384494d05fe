"""Rewrite the loaded Coherence Map's text as the loader now writes it: exponents and the complex
fraction the scrape lost, and names in title case (see tandem.competencies.text)."""

from django.db import migrations

from tandem.competencies.text import name_title_case, statement_notation

COHERENCE_MAP_URI = "https://tools.achievethecore.org/coherence-map/"


def rewrite(apps, schema_editor):
    Competency = apps.get_model("competencies", "Competency")
    changed = []
    for competency in Competency.objects.filter(framework__uri=COHERENCE_MAP_URI):
        before = (
            competency.full_statement,
            competency.abbreviated_statement,
            competency.domain_name,
            competency.cluster_name,
        )
        competency.full_statement = statement_notation(competency.full_statement)
        # As the loader writes it (the notation can make the text longer).
        competency.abbreviated_statement = competency.full_statement[:250]
        competency.domain_name = name_title_case(competency.domain_name)
        competency.cluster_name = name_title_case(competency.cluster_name)
        after = (
            competency.full_statement,
            competency.abbreviated_statement,
            competency.domain_name,
            competency.cluster_name,
        )
        if after != before:
            changed.append(competency)
    Competency.objects.bulk_update(
        changed,
        ["full_statement", "abbreviated_statement", "domain_name", "cluster_name"],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("competencies", "0002_association_external_destination"),
    ]

    operations = [migrations.RunPython(rewrite, migrations.RunPython.noop)]
