from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "varde.events"
    label = "events"
