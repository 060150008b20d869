from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    name = "varde.interchange"
    label = "interchange"
    verbose_name = "Interchange (import, export)"
