"""Coordination tests start from the shared personas (tests/conftest.py) plus ministry users: two at
the Ministry of Foreign Affairs (a writer and a second person who approves) and one at the Ministry of
Justice. The action plans are in every test database (the data migration loads them)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.factories import make_user
from varde.accounts.models import Agency, AgencyKind, Role, User
from varde.coordination.models import Ministry


@dataclass
class MinistryUsers:
    ud: User
    ud_second: User
    jd: User
    ud_agency: Agency
    jd_agency: Agency


def link_ministry(code: str, name: str) -> Agency:
    agency = Agency.objects.create(code=f"dep-{code}", name=name, kind=AgencyKind.MINISTRY)
    Ministry.objects.filter(code=code).update(agency=agency)
    return agency


@pytest.fixture
def ministry_users(db) -> MinistryUsers:
    ud = link_ministry("ud", "Utenriksdepartementet")
    jd = link_ministry("jd", "Justis- og politidepartementet")
    return MinistryUsers(
        ud=make_user("ud.writer", ud, Role.MINISTRY),
        ud_second=make_user("ud.approver", ud, Role.MINISTRY),
        jd=make_user("jd.writer", jd, Role.MINISTRY),
        ud_agency=ud,
        jd_agency=jd,
    )


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def varde(capsys):
    """Run the `varde` command in-process."""
    from varde.cli import main

    def run(*argv: str) -> Result:
        capsys.readouterr()
        code = main(list(argv))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run
