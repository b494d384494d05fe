from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0002_item_extended_text_kind_and_guidance"),
    ]

    operations = [
        migrations.AddField(
            model_name="item",
            name="answer_unit",
            field=models.CharField(blank=True, max_length=30),
        ),
    ]
