from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "varde.core"
    label = "core"
