"""An index of the notifications the worker may have to escalate."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_police_national_kind'),
        ('cases', '0002_case_event_identification_kinds'),
        ('response', '0006_notification_open_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='notification',
            index=models.Index(condition=models.Q(('ack_due_at__isnull', False), ('acknowledged_at__isnull', True), ('escalated_at__isnull', True)), fields=['ack_due_at'], name='notif_escalate_due_idx'),
        ),
    ]
