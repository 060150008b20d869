from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "varde.audit"
    label = "audit"
