from django.apps import AppConfig


class IdentificationConfig(AppConfig):
    name = "varde.identification"
    label = "identification"
