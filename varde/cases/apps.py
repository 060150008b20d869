from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "varde.cases"
    label = "cases"
