"""Limit/offset pages with a ceiling, so nobody can ask for every case in one request."""

from __future__ import annotations

from rest_framework.pagination import LimitOffsetPagination


class VardePagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 200
