from django.apps import AppConfig


class ResponseConfig(AppConfig):
    name = "varde.response"
    label = "response"
