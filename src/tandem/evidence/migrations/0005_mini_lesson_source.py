# The source of mini-lesson exit checks (tandem.groups).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("evidence", "0004_written_answer_source"),
    ]

    operations = [
        migrations.AlterField(
            model_name="statement",
            name="source",
            field=models.CharField(
                choices=[
                    ("practice", "Practice"),
                    ("observation", "Teacher observation"),
                    ("simulation", "Demo history"),
                    ("import", "Import"),
                    ("diagnostic", "Diagnostic"),
                    ("check_in", "Check-in conversation"),
                    ("project", "Project rubric"),
                    ("written", "Written answer scored by a teacher"),
                    ("mini_lesson", "Mini-lesson exit check"),
                ],
                max_length=20,
            ),
        ),
    ]
