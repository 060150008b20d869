"""Reads of accounts that need no access check (the caller is trusted: the `varde` command's operator)."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Agency, TokenSecondFactor, User


def user_active_by_username(username: str) -> User | None:
    """The active user with this user name, or None."""
    return User.objects.filter(username=username, is_active=True).first()


def agencies_active() -> QuerySet[Agency]:
    """Every active agency, by name."""
    return Agency.objects.filter(is_active=True).order_by("name", "id")


def token_second_factor_of(token: object) -> TokenSecondFactor | None:
    """The one-time-code proof an API token was issued with, if any."""
    return TokenSecondFactor.objects.filter(token=token).first()


def agencies_among(agencies: list[Agency]) -> QuerySet[Agency]:
    """The given agencies as a queryset (e.g. a form's choices)."""
    return Agency.objects.filter(pk__in=[a.pk for a in agencies])
