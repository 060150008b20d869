"""Load the shipped action plans and ministries (rules/*.json). A later plan file version is loaded by
`varde measures load` (plans_load), so a new version does not need a new migration."""

from django.db import migrations


def load(apps, schema_editor):
    from varde.coordination.plans import Tables, load_into

    load_into(
        Tables(
            ministry=apps.get_model("coordination", "Ministry"),
            plan=apps.get_model("coordination", "ActionPlan"),
            chapter=apps.get_model("coordination", "Chapter"),
            measure=apps.get_model("coordination", "Measure"),
            measure_ministry=apps.get_model("coordination", "MeasureMinistry"),
        )
    )


class Migration(migrations.Migration):
    dependencies = [("coordination", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
