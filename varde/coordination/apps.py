from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "varde.coordination"
    label = "coordination"
