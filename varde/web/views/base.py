"""What every page shares: who may open it, and one way from a page to a service.

Who may open a page: decorators over the predicates of varde.access.predicates (`coordinators_only`,
`case_workers_only`, ...), put under `login_required`. A page the user may not use answers 404, as a
record they may not see does: the page does not exist for them.

One way from a page to a service: a form view validates its form, then calls
`save(form, lambda: service(...))`:

- the service runs in its own transaction (a savepoint inside the request's), so a refusal leaves
  nothing half-saved;
- domain errors go onto the form: a ValidationError on its fields (or on top when the form has no
  such field), a TransitionNotAllowed on top, and any other domain error the view names in `on`
  where the view says;
- NotPermitted ("you may see it, but not do this") answers 403, unless the view names it in `on`;
- an EditConflict (someone saved the record after the user loaded it) is reported as `conflict`, so
  that the view answers 409 (`CONFLICT`) with the user's input kept against the version saved
  meanwhile (`kept`): saving again is a deliberate choice, never a silent overwrite.

On success the view answers with `done` (a message and a redirect) or, for htmx, with the changed
fragments. A button with no form calls `perform(lambda: service(...))`. The rule for which errors land
where is here, once; the views only say what is special.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import wraps
from http import HTTPStatus
from typing import Any, Generic, TypeVar, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.functional import Promise

from varde.access.predicates import (
    can_administer,
    can_read_plans,
    can_use_directory,
    can_work_with_cases,
    is_coordinator,
)
from varde.accounts.models import User
from varde.core.errors import EditConflict, NotPermitted, TransitionNotAllowed, VardeError
from varde.web.forms import add_service_error

T = TypeVar("T")
F = TypeVar("F", bound=Form)
V = TypeVar("V", bound=Callable[..., HttpResponse])

# --- who may open a page ------------------------------------------------------------------------------


def require(predicate: Callable[[User], bool], user: User) -> None:
    """404 unless the predicate holds for the user (for a page that decides part-way through)."""
    if not predicate(user):
        raise Http404("Not found")


def forbid_unless(allowed: bool) -> None:
    """403 unless allowed: the user may see the record (it came through varde.access) but may not do
    this to it (another ministry's status, a group member recording a meeting)."""
    if not allowed:
        raise PermissionDenied


def only(predicate: Callable[[User], bool]) -> Callable[[V], V]:
    """A function view for the users the predicate admits; everyone else gets 404."""

    def decorate(view: V) -> V:
        @wraps(view)
        def wrapped(request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
            require(predicate, request.user)
            return view(request, *args, **kwargs)

        return cast(V, wrapped)

    return decorate


coordinators_only = only(is_coordinator)
"""Pages for KOM coordinators only (the national deadlines, break-the-glass)."""

case_workers_only = only(can_work_with_cases)
"""Pages for those who work with cases (caseworkers and coordinators)."""

directory_users_only = only(can_use_directory)
"""The 24-hour directory: those who work with cases, and coordinators."""

administrators_only = only(can_administer)
"""Agency administration: system and agency administrators."""

plan_readers_only = only(can_read_plans)
"""KOM's plans, measures and portfolio: coordinators and ministry users."""

# --- one way from a page to a service -------------------------------------------------------------------

# The answer to a form saved against a version someone else has replaced meanwhile.
CONFLICT = HTTPStatus.CONFLICT.value
OK = HTTPStatus.OK.value


@dataclass(frozen=True)
class OnForm:
    """Where a domain error goes on the form: a field (None: on top of the form), and the message
    to show there (None: the error's own message)."""

    field: str | None = None
    message: str | Promise | None = None


@dataclass(frozen=True)
class Saved(Generic[T]):
    """What became of a save: `ok` with the service's answer in `value`, or `conflict`, or neither
    (the form now carries the errors)."""

    ok: bool
    value: T | None = None
    conflict: bool = False

    @property
    def result(self) -> T:
        """The service's answer; only after `ok`."""
        if not self.ok:
            raise ValueError("nothing was saved")
        return cast(T, self.value)

    @property
    def status(self) -> int:
        """The HTTP status of a page that shows the form again: 409 after a conflict, else 200."""
        return CONFLICT if self.conflict else OK


UNSAVED: Saved[Any] = Saved(ok=False)
"""Nothing was run (the form itself was invalid): the page shows the form again, 200."""


def _placement(on: Mapping[type[Exception], OnForm], error: Exception) -> OnForm | None:
    for kind in type(error).__mro__:
        if kind in on:
            return on[kind]
    return None


def save(
    form: Form,
    action: Callable[[], T],
    *,
    on: Mapping[type[Exception], OnForm] | None = None,
    conflict_message: str | Promise | None = None,
) -> Saved[T]:
    """Run a service in a transaction; its domain errors go onto the form (see the module's rules).
    The form is bound (a button with no fields passes `Form(request.POST)`).

    `on` names domain errors that go somewhere special (a field, another message), NotPermitted
    included when the page shows it on the form instead of answering 403. `conflict_message`, when
    given, is put on top of the form after an edit conflict."""
    on = on or {}
    try:
        with transaction.atomic():
            value = action()
    except EditConflict as error:
        placed = _placement(on, error)
        if placed is not None:
            form.add_error(placed.field, str(placed.message or error))
        elif conflict_message is not None:
            form.add_error(None, str(conflict_message))
        return Saved(ok=False, conflict=True)
    except ValidationError as error:
        add_service_error(form, error)
        return Saved(ok=False)
    except VardeError as error:
        placed = _placement(on, error)
        if placed is None:
            if isinstance(error, NotPermitted):
                raise PermissionDenied from error
            if not isinstance(error, TransitionNotAllowed):
                raise
            placed = OnForm()
        form.add_error(placed.field, str(placed.message or error))
        return Saved(ok=False)
    return Saved(ok=True, value=value)


def perform(action: Callable[[], T]) -> T:
    """Run a service that needs no form (a button) in a transaction; NotPermitted answers 403.
    Any other domain error is the caller's to answer."""
    try:
        with transaction.atomic():
            return action()
    except NotPermitted as error:
        raise PermissionDenied from error


def kept_data(form: Form, version: int) -> Any:
    """The user's input, against the version saved meanwhile."""
    data = cast(Any, form.data).copy()  # a QueryDict (or dict) of the request's input
    data[form.add_prefix("version")] = str(version)
    return data


def kept(form: F, version: int, **form_kwargs: Any) -> F:
    """The conflict form: the user's input kept, against the version saved meanwhile (the page shows
    the record as it is now), so that saving again is a deliberate choice. `form_kwargs` are what
    the form's class needs besides data and prefix (e.g. the case)."""
    return type(form)(kept_data(form, version), **{"prefix": form.prefix, **form_kwargs})


def done(request: HttpRequest, message: str, to: Any, *args: Any, **kwargs: Any) -> HttpResponse:
    """Saved: the message for the next page, and a redirect there (`to` as for Django's `redirect`)."""
    messages.success(request, message)
    return redirect(to, *args, **kwargs)
