"""Every shipped catalogue file validates; the ILO lists have the published shape."""

from __future__ import annotations

import copy

import pytest

from varde.identification.catalogue import (
    ILO_ELEMENTS,
    LANGS,
    STRENGTHS,
    catalogue_files,
    catalogue_validate,
    shipped_catalogue,
    shipped_catalogues,
)
from varde.identification.errors import UnknownCatalogue

ILO_IDS = ["ilo_adult_labour", "ilo_adult_sexual", "ilo_child_labour", "ilo_child_sexual"]
CHECKLIST_IDS = [
    "national_general",
    "national_child",
    "agency_police_border",
    "agency_child_welfare",
    "agency_health",
    "agency_labour_inspection",
    "agency_outreach",
]


def test_the_expected_catalogues_are_shipped():
    assert sorted(p.stem for p in catalogue_files()) == sorted(ILO_IDS + CHECKLIST_IDS)


@pytest.mark.parametrize("path", catalogue_files(), ids=lambda p: p.stem)
def test_every_file_validates(path):
    import json

    data = json.loads(path.read_text())
    assert catalogue_validate(data) == []
    assert data["id"] == path.stem
    ids = [i["id"] for e in data["elements"] for i in e["indicators"]]
    assert len(ids) == len(set(ids))
    for element in data["elements"]:
        for indicator in element["indicators"]:
            assert indicator["strength"] in STRENGTHS
            for lang in LANGS:
                assert indicator["text"][lang].strip()
                assert indicator["help"][lang].strip()
            assert indicator["text"]["nb"] != indicator["text"]["en"]


@pytest.mark.parametrize("catalogue_id", ILO_IDS)
def test_ilo_lists_have_the_six_elements_and_the_published_size(catalogue_id):
    data = shipped_catalogue(catalogue_id)
    assert data["rule"] == "ilo"
    assert tuple(e["id"] for e in data["elements"]) == ILO_ELEMENTS
    assert 60 <= sum(len(e["indicators"]) for e in data["elements"]) <= 75
    assert "ILO" in data["source"] and "September 2009" in data["source"]
    strengths = {i["strength"] for e in data["elements"] for i in e["indicators"]}
    assert strengths == set(STRENGTHS)


def test_population_and_exploitation():
    by_id = {c["id"]: c for c in shipped_catalogues()}
    assert [(by_id[i]["population"], by_id[i]["exploitation"]) for i in ILO_IDS] == [
        ("adult", "labour"),
        ("adult", "sexual"),
        ("child", "labour"),
        ("child", "sexual"),
    ]
    assert by_id["national_child"]["population"] == "child"
    assert all(by_id[i]["rule"] == "checklist" for i in CHECKLIST_IDS)


def test_child_checklist_covers_koms_themes():
    data = shipped_catalogue("national_child")
    ids = {i["id"] for e in data["elements"] for i in e["indicators"]}
    for theme in (
        "unaccompanied",
        "disappeared_reception",
        "controlled_by_adult",
        "begging",
        "drug_selling",
        "theft",
        "forced_marriage",
        "housework",
        "exploited_by_family",
    ):
        assert theme in ids


def test_validator_names_the_problems():
    data = copy.deepcopy(shipped_catalogue("ilo_adult_labour"))
    data["elements"][0]["indicators"][1]["id"] = data["elements"][0]["indicators"][0]["id"]
    data["elements"][1]["indicators"][0]["strength"] = "huge"
    del data["elements"][2]["indicators"][0]["text"]["en"]
    data["elements"].pop()
    problems = " | ".join(catalogue_validate(data))
    assert "duplicate indicator ids" in problems
    assert "strength must be" in problems
    assert "text needs nb and en" in problems
    assert "exactly the six elements" in problems


def test_unknown_catalogue_is_a_clear_error():
    with pytest.raises(UnknownCatalogue, match="unknown catalogue id 'nope'"):
        shipped_catalogue("nope")
    with pytest.raises(UnknownCatalogue):
        shipped_catalogue("../etc/passwd")
