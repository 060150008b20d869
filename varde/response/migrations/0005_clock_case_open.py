"""Clock.case_open: a copy of "the case is not closed" for the deadline lists' partial indexes,
filled from the cases' status (closed cases' clocks: False); partial indexes of what waits in an
agency's inbox (the counts on every page) and of the notifications the worker may have to escalate."""

from django.conf import settings
from django.db import migrations, models


def fill_case_open(apps, schema_editor):
    Clock = apps.get_model("response", "Clock")
    Clock.objects.filter(case__status="closed").update(case_open=False)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_police_national_kind"),
        ("cases", "0002_case_event_identification_kinds"),
        ("response", "0004_located_country"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="clock",
            name="case_open",
            field=models.BooleanField(default=True, editable=False),
        ),
        migrations.RunPython(fill_case_open, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="clock",
            index=models.Index(
                condition=models.Q(("case_open", True), ("state__in", ("running", "paused", "missed"))),
                fields=["due_at", "id"],
                name="clock_listed_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="clock",
            index=models.Index(
                condition=models.Q(("case_open", True), ("state__in", ("running", "paused", "missed"))),
                fields=["responsible_agency", "due_at", "id"],
                name="clock_listed_agency_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("acknowledged_at__isnull", True), ("recipient_user__isnull", True)),
                fields=["recipient_agency", "recipient_role", "kind", "ack_due_at", "ack_clock"],
                name="notif_open_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(
                    ("ack_due_at__isnull", False),
                    ("acknowledged_at__isnull", True),
                    ("escalated_at__isnull", True),
                ),
                fields=["ack_due_at"],
                name="notif_escalate_due_idx",
            ),
        ),
    ]
