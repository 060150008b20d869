"""Load the shipped indicator catalogues. Later versions are loaded on demand (catalogue_current /
catalogues_load), so a new catalogue version does not need a new migration."""

from django.db import migrations


def load(apps, schema_editor):
    from varde.identification.loader import load_directory

    load_directory(model=apps.get_model("identification", "Catalogue"))


class Migration(migrations.Migration):
    dependencies = [("identification", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
