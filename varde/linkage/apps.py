from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "varde.linkage"
    label = "linkage"
