"""Reads of accounts that need no access check (the caller is trusted: the `varde` command's operator)."""

from __future__ import annotations

from .models import User


def user_active_by_username(username: str) -> User | None:
    """The active user with this user name, or None."""
    return User.objects.filter(username=username, is_active=True).first()
