"""Catalogue versions: loading is idempotent, a changed file needs a new version, old versions stay,
and an assessment is re-shown with the version it was made with."""

from __future__ import annotations

import json

import pytest

from varde.identification.catalogue import CATALOGUE_DIR
from varde.identification.errors import CatalogueVersionConflict
from varde.identification.models import Catalogue
from varde.identification.selectors import assessment_explain, catalogues_current
from varde.identification.services import assessment_record, catalogue_current, catalogues_load

CID = "ilo_adult_labour"


def _copy_with(tmp_path, *, version, new_text):
    data = json.loads((CATALOGUE_DIR / f"{CID}.json").read_text())
    data["version"] = version
    data["elements"][0]["indicators"][0]["text"]["en"] = new_text
    (tmp_path / f"{CID}.json").write_text(json.dumps(data))
    return data


def test_migration_loaded_every_shipped_catalogue(db):
    assert Catalogue.objects.count() == len(list(CATALOGUE_DIR.glob("*.json")))
    report = catalogues_load()
    assert report.loaded == [] and len(report.unchanged) == Catalogue.objects.count()


def test_same_version_with_changed_content_is_refused(db, tmp_path):
    _copy_with(tmp_path, version=1, new_text="Changed without a new version")
    with pytest.raises(CatalogueVersionConflict, match="needs a new version"):
        catalogues_load(directory=tmp_path)
    assert Catalogue.objects.filter(key=CID).count() == 1


def test_a_new_version_is_kept_beside_the_old(db, tmp_path):
    _copy_with(tmp_path, version=2, new_text="Version two wording")
    report = catalogues_load(directory=tmp_path)
    assert report.loaded == [(CID, 2)]
    assert list(Catalogue.objects.filter(key=CID).values_list("version", flat=True)) == [2, 1]
    assert catalogue_current(catalogue_id=CID).version == 2
    assert {c.key: c.version for c in catalogues_current()}[CID] == 2
    assert catalogues_load(directory=tmp_path).loaded == []  # idempotent


def test_assessment_keeps_its_version_after_a_new_one_loads(world, tmp_path):
    case = world.cases.police_adult
    first = assessment_record(
        actor=world.personas.police,
        case=case,
        catalogue_id=CID,
        indicator_ids=["dr_job_nature"],
        conclusion="inconclusive",
        reasoning="Early days.",
    )
    before = assessment_explain(assessment=first, lang="en")
    _copy_with(tmp_path, version=2, new_text="Version two wording")
    catalogues_load(directory=tmp_path)
    second = assessment_record(
        actor=world.personas.police,
        case=case,
        catalogue_id=CID,
        indicator_ids=["dr_job_nature"],
        conclusion="inconclusive",
        reasoning="Later.",
    )
    first.refresh_from_db()
    again = assessment_explain(assessment=first, lang="en")
    assert again == before
    assert again["version"] == 1
    assert again["elements"][0]["all_indicators"][0]["text"] != "Version two wording"
    assert assessment_explain(assessment=second, lang="en")["elements"][0]["all_indicators"][0]["text"] == (
        "Version two wording"
    )
