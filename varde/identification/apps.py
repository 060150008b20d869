from django.apps import AppConfig


class IdentificationConfig(AppConfig):
    name = "varde.identification"
    label = "identification"

    def ready(self) -> None:
        # Registers this package's handlers of varde.events (cross-package follow-ups).
        from . import handlers  # noqa: F401
