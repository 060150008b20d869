from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "varde.linkage"
    label = "linkage"

    def ready(self) -> None:
        # Registers this package's handlers of varde.events (cross-package follow-ups).
        from . import handlers  # noqa: F401
