from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "varde.api"
    label = "api"
