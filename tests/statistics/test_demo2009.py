"""The 2009 demo: the seed's figures come out of the linkage and review pipeline exactly, while a
plain count of referrals gives other numbers."""

from __future__ import annotations

import json

import pytest

from varde.cases.models import Referral
from varde.cli import main
from varde.demo.demo2009 import load_2009
from varde.linkage.models import ReviewDecision

pytestmark = pytest.mark.django_db


def test_2009_figures_come_out_exactly(capsys, personas, agencies):
    reporters = [
        (personas.police, agencies.police),
        (personas.ngo, agencies.ngo),
        (personas.childwelfare, agencies.childwelfare),
    ]
    summary = load_2009(coordinator=personas.coordinator, reporters=reporters)
    assert summary.persons == 292 and summary.referrals > 292
    assert Referral.objects.filter(referral_date__year=2009).count() == summary.referrals
    capsys.readouterr()
    assert main(["stats", "--year", "2009", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["persons"] == 292
    assert (data["women"], data["men"], data["girls"], data["boys"]) == (191, 32, 50, 19)
    assert data["girls"] + data["boys"] == 69
    assert data["nationalities"] == 43 and data["by_nationality"]["NG"] == 121
    assert data["reflection_period"] == {"applied": 73, "granted": 50, "rejected": 23}
    assert sum(data["by_reporting_agency_kind"].values()) > 292  # referrals (agencies) are not persons
    assert main(["stats", "--year", "2010", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["persons"] == 292  # closed mid-2010
    assert main(["stats", "--year", "2011", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["persons"] == 0
    print("review decisions:", ReviewDecision.objects.count(), "referrals:", summary.referrals)
