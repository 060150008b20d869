from django.apps import AppConfig


class PersonsConfig(AppConfig):
    name = "varde.persons"
    label = "persons"
