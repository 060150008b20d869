"""Domain errors. Messages never carry personal data: they name record types and ids only."""

from __future__ import annotations

from typing import Any


class VardeError(Exception):
    """Base for errors shown to the user. `code` is stable for API clients; the message is translated."""

    code = "domain_error"


class EditConflict(VardeError):
    """Someone else saved the record after the user loaded it (optimistic locking)."""

    code = "edit_conflict"

    def __init__(self, obj: Any) -> None:
        self.obj = obj
        super().__init__(f"{type(obj).__name__} {getattr(obj, 'pk', '?')} was changed by someone else")


class TransitionNotAllowed(VardeError):
    code = "transition_not_allowed"


class NotPermitted(VardeError):
    """The user may see the record but not do this to it (answered 403)."""

    code = "not_permitted"
