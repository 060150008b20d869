from django.apps import AppConfig


class ResponseConfig(AppConfig):
    name = "varde.response"
    label = "response"

    def ready(self) -> None:
        # Registers this package's handlers of varde.events (cross-package follow-ups).
        from varde.cases.services import closure_check_register

        from . import handlers  # noqa: F401
        from .returns import closure_check

        closure_check_register(closure_check)
