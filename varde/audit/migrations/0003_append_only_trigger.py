"""The database itself refuses UPDATE and DELETE of audit events (PostgreSQL and SQLite)."""

from django.db import migrations

from varde.audit import guard


def forwards(apps, schema_editor):
    guard.install(schema_editor.connection)


def backwards(apps, schema_editor):
    guard.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_alter_auditevent_action")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
