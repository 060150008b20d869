"""An index of what waits in an agency's inbox, for the counts on every page."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_police_national_kind'),
        ('cases', '0002_case_event_identification_kinds'),
        ('response', '0005_clock_case_open'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='notification',
            index=models.Index(condition=models.Q(('acknowledged_at__isnull', True), ('recipient_user__isnull', True)), fields=['recipient_agency', 'recipient_role', 'kind', 'ack_due_at', 'ack_clock'], name='notif_open_idx'),
        ),
    ]
