from django.apps import AppConfig


class ProsecutionConfig(AppConfig):
    name = "varde.prosecution"
    label = "prosecution"
    verbose_name = "Criminal cases"
