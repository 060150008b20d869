"""Load catalogue files into the database, idempotently. A changed file must carry a new version.

Used by the data migration (with the historical model) and by catalogues_load() / catalogue_current().
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from varde.core import clock

from .catalogue import Catalogue as CatalogueData
from .catalogue import catalogue_checksum, shipped_catalogues
from .errors import CatalogueVersionConflict


@dataclass
class LoadReport:
    loaded: list[tuple[str, int]] = field(default_factory=list)
    unchanged: list[tuple[str, int]] = field(default_factory=list)


def load_one(*, model: Any, data: CatalogueData, report: LoadReport | None = None) -> Any:
    """Insert one catalogue version, or confirm it is already there unchanged. Returns the row."""
    report = report if report is not None else LoadReport()
    checksum = catalogue_checksum(data)
    existing = model.objects.filter(key=data["id"], version=data["version"]).first()
    if existing is not None:
        if existing.checksum != checksum:
            raise CatalogueVersionConflict(
                f"catalogue {data['id']!r} version {data['version']} is already loaded with different content: "
                "a changed catalogue needs a new version"
            )
        report.unchanged.append((data["id"], data["version"]))
        return existing
    row = model.objects.create(
        key=data["id"],
        version=data["version"],
        rule=data["rule"],
        population=data["population"],
        exploitation=data["exploitation"] or "",
        title_nb=data["title"]["nb"],
        title_en=data["title"]["en"],
        source=data["source"],
        content=data,
        checksum=checksum,
        loaded_at=clock.now(),
    )
    report.loaded.append((data["id"], data["version"]))
    return row


def load_directory(*, model: Any, directory: Path | None = None) -> LoadReport:
    """Load every file in the directory (default: the shipped catalogues). All or nothing."""
    report = LoadReport()
    files = shipped_catalogues(directory)
    with transaction.atomic():
        for data in files:
            load_one(model=model, data=data, report=report)
    return report
