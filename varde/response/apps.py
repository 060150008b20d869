from django.apps import AppConfig


class ResponseConfig(AppConfig):
    name = "varde.response"
    label = "response"

    def ready(self) -> None:
        # Registers this package's handlers of varde.events (cross-package follow-ups).
        from . import handlers  # noqa: F401
