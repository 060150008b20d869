"""Identification errors. Messages name catalogue and indicator ids only, never anything about a person."""

from __future__ import annotations

from collections.abc import Iterable

from varde.core.errors import VardeError


def _shown(value: str) -> str:
    return repr(value[:64])


class IdentificationError(VardeError):
    pass


class UnknownCatalogue(IdentificationError):
    def __init__(self, catalogue_id: str) -> None:
        self.catalogue_id = catalogue_id
        super().__init__(f"unknown catalogue id {_shown(catalogue_id)}")


class UnknownIndicator(IdentificationError):
    def __init__(self, catalogue_id: str, indicator_ids: Iterable[str]) -> None:
        self.catalogue_id = catalogue_id
        self.indicator_ids = sorted(indicator_ids)
        shown = ", ".join(_shown(i) for i in self.indicator_ids[:10])
        super().__init__(f"unknown indicator id(s) for catalogue {_shown(catalogue_id)}: {shown}")


class CatalogueInvalid(IdentificationError):
    """A catalogue file does not have the required shape."""


class CatalogueVersionConflict(IdentificationError):
    """A file changed without a new version: same id and version, different content."""


class CatalogueNotApplicable(IdentificationError):
    """An adult catalogue on a child's case, or a child catalogue on an adult's case."""
