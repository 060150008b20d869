"""A small world for criminal cases, on top of the shared personas (tests/conftest.py): the Oslo
police investigator opens criminal cases; a Vest police district investigator and a state prosecutor
stand by to be taken in; the police persona's own victims' cases are there to be linked."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import translation

from tests.factories import make_user
from varde.accounts.models import Agency, AgencyKind, Role, User
from varde.prosecution.models import CriminalCase, Stage
from varde.prosecution.services import CriminalCaseInput, criminal_case_open, stage_record

FACTS = dt.date(2025, 3, 1)


@pytest.fixture(autouse=True)
def _english(settings):
    """The messages these tests read are the English ones (the Bokmål catalogue is tested elsewhere)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@dataclass
class Others:
    vest: Agency
    vest_user: User
    prosecution: Agency
    prosecutor: User


@pytest.fixture
def others(db) -> Others:
    vest = Agency.objects.create(
        code="vest-pd", name="Vest politidistrikt", kind=AgencyKind.POLICE_DISTRICT, municipality="4601"
    )
    prosecution = Agency.objects.create(
        code="oslo-statsadvokat", name="Oslo statsadvokatembeter", kind=AgencyKind.PROSECUTION
    )
    return Others(
        vest=vest,
        vest_user=make_user("vest", vest, Role.CASEWORKER),
        prosecution=prosecution,
        prosecutor=make_user("prosecutor", prosecution, Role.CASEWORKER),
    )


def open_case(actor: User, **kw: Any) -> CriminalCase:
    data = CriminalCaseInput(
        police_district=kw.pop("police_district", "oslo"),
        offence=kw.pop("offence", "trafficking"),
        facts_date=kw.pop("facts_date", FACTS),
        opened_on=kw.pop("opened_on", dt.date(2025, 4, 1)),
        exploitation_form=kw.pop("exploitation_form", "sexual"),
        police_case_number=kw.pop("police_case_number", ""),
        notes=kw.pop("notes", ""),
        **kw,
    )
    return criminal_case_open(actor=actor, data=data)


def advance(actor: User, case: CriminalCase, *steps: tuple[str, dt.date, dict[str, str]]) -> CriminalCase:
    for stage, on, extra in steps:
        case = stage_record(
            actor=actor, criminal_case=case, stage=stage, on=on, version=case.version, **extra
        )
    return case


def to_final(
    actor: User, case: CriminalCase, year: int = 2025, outcome: str = "convicted_trafficking"
) -> CriminalCase:
    return advance(
        actor,
        case,
        (Stage.CHARGED, dt.date(year, 5, 1), {}),
        (Stage.TRIAL, dt.date(year, 9, 1), {"court": "Oslo tingrett"}),
        (Stage.VERDICT, dt.date(year, 10, 1), {"court": "Oslo tingrett", "outcome": outcome}),
        (Stage.FINAL_JUDGEMENT, dt.date(year, 11, 1), {}),
    )
