"""Shared test factories: users, persons, referrals, a person reported by two agencies and small worlds.

Everything is built through the real services (`varde.cases.services.referral_report` and the
others), so the data carries what a real report leaves behind: the person, the case, the referral,
the record keys the linkage finds it by, the events, the audit rows and the clocks. A birth date is
part of the referral (`ReportInput.date_of_birth`), never patched onto the person with `.save()`
afterwards (that would leave the record keys and the presumption of minority computed for another
date). The personas' users and six cases of tests/conftest.py are made from these too.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django_otp.plugins.otp_totp.models import TOTPDevice

from varde.accounts.models import Agency, Membership, User
from varde.cases.models import Case
from varde.cases.services import DocumentInput, NameInput, ReportInput, referral_report

PASSWORD = "correct-horse-battery-staple"

REFERRAL_DATE = dt.date(2026, 10, 1)
ADULT_BORN = dt.date(1995, 5, 17)  # every adult of the shared personas' cases
ESTHER_BORN = dt.date(1990, 5, 6)
MIHAI_BORN = dt.date(1996, 2, 3)


# --- users ---------------------------------------------------------------------------------------------


def make_user(username: str, agency: Agency, role: str, **extra: Any) -> User:
    """A user with one membership and a confirmed second factor (tests/conftest.py's personas)."""
    user = User.objects.create_user(username=username, password=PASSWORD, full_name=username.title(), **extra)
    Membership.objects.create(user=user, agency=agency, role=role)
    TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return user


# --- one referral --------------------------------------------------------------------------------------


def report(actor: User, agency: Agency, *, given: str, family: str, child: bool, **kw: Any) -> Case:
    """Report one possible victim through `referral_report`: a child with an estimated age of 15
    (medium certainty), an adult born on ADULT_BORN unless `date_of_birth` says otherwise; Nigerian,
    one phone, one passport, met during outreach in Oslo. Any ReportInput field may be given."""
    data = ReportInput(
        referral_date=kw.pop("referral_date", REFERRAL_DATE),
        names=[NameInput(given=given, family=family)],
        sex=kw.pop("sex", "F"),
        estimated_age=15 if child else None,
        estimated_age_certainty="medium" if child else "",
        date_of_birth=kw.pop("date_of_birth", None if child else ADULT_BORN),
        nationalities=kw.pop("nationalities", ["NG"]),
        phones=kw.pop("phones", ["+47 912 34 567"]),
        documents=kw.pop(
            "documents", [DocumentInput(doc_type="passport", number="A1234567", issuing_country="NG")]
        ),
        municipality="0301",
        exploitation_forms=kw.pop("exploitation_forms", ["sexual"]),
        description=kw.pop("description", "Met during outreach."),
        **kw,
    )
    return referral_report(actor=actor, agency=agency, data=data)


def report_person(
    actor: User,
    agency: Agency,
    given: str,
    family: str,
    *,
    phone: str | None = None,
    doc: str | None = None,
    dob: dt.date = ESTHER_BORN,
    **kw: Any,
) -> Case:
    """An adult known by a birth date, at most one phone number and at most one passport (issued in
    Nigeria): the fields the linkage compares, the way the linkage and statistics tests describe people."""
    return report(
        actor,
        agency,
        given=given,
        family=family,
        child=False,
        date_of_birth=dob,
        phones=[phone] if phone else [],
        documents=[DocumentInput(doc_type="passport", number=doc, issuing_country="NG")] if doc else [],
        **kw,
    )


# --- the people the tests know -------------------------------------------------------------------------

# The six cases of the shared personas (tests/conftest.py `cases`), in the order they are reported. The
# first part of a name is the agency that reports and leads the case (police, childwelfare, ngo).
PERSONA_CASES: dict[str, dict[str, Any]] = {
    "police_adult": {"given": "Blessing", "family": "Okafor", "child": False},
    "police_child": {
        "given": "Mihai",
        "family": "Popescu",
        "child": True,
        "sex": "M",
        "nationalities": ["RO"],
        "exploitation_forms": ["begging"],
    },
    "childwelfare_adult": {"given": "Joy", "family": "Eze", "child": False},
    "childwelfare_child": {"given": "Amina", "family": "Yusuf", "child": True, "nationalities": ["SO"]},
    "ngo_adult": {"given": "Precious", "family": "Adeyemi", "child": False},
    "ngo_child": {
        "given": "Liang",
        "family": "Wei",
        "child": True,
        "sex": "M",
        "nationalities": ["CN"],
        "exploitation_forms": ["forced_criminality"],
        "criminality_kind": "drug_selling",
    },
}


def report_persona_case(name: str, actor: User, agency: Agency, **kw: Any) -> Case:
    """Report one of the six persona cases (PERSONA_CASES) as `actor` for `agency`; `kw` overrides."""
    return report(actor, agency, **{**copy.deepcopy(PERSONA_CASES[name]), **kw})


def mihai_child(actor: User, agency: Agency, **kw: Any) -> Case:
    """Mihai Popescu, a Romanian boy of about 15 found begging (the police's child case)."""
    return report_persona_case("police_child", actor, agency, **kw)


def mihai_adult(actor: User, agency: Agency, **kw: Any) -> Case:
    """Mihai Popescu, a Romanian man born on MIHAI_BORN: shares nothing with Esther, so the linkage
    keeps him a person of his own."""
    kw.setdefault("sex", "M")
    kw.setdefault("nationalities", ["RO"])
    kw.setdefault("dob", MIHAI_BORN)
    return report_person(actor, agency, "Mihai", "Popescu", phone="+47 955 55 555", doc="RO9999999", **kw)


def esther_by_police(personas: Any, agencies: Any, **kw: Any) -> Case:
    """Esther Igbinovia, born on ESTHER_BORN, as the police report her."""
    return report_person(
        personas.police,
        agencies.police,
        "Esther",
        "Igbinovia",
        phone="+47 934 56 789",
        doc="KL1234567",
        **kw,
    )


def esther_by_ngo(personas: Any, agencies: Any, **kw: Any) -> Case:
    """Esther as ROSA reports her: the names the other way round, the phone without the country code
    and the passport number with spaces. The linkage joins her to the police's Esther."""
    return report_person(
        personas.ngo, agencies.ngo, "Igbinovia", "Esther", phone="93456789", doc="KL 123 4567", **kw
    )


def esther_reported_twice(
    personas: Any,
    agencies: Any,
    *,
    police: dict[str, Any] | None = None,
    ngo: dict[str, Any] | None = None,
    **kw: Any,
) -> tuple[Case, Case]:
    """A linked pair: one person, Esther, reported by the police and by ROSA (two cases, two
    referrals). `police` / `ngo` are extra report fields for one side, `kw` for both."""
    return (
        esther_by_police(personas, agencies, **{**kw, **(police or {})}),
        esther_by_ngo(personas, agencies, **{**kw, **(ngo or {})}),
    )


def linkage_world(
    personas: Any, agencies: Any, *, mihai: dict[str, Any] | None = None, **kw: Any
) -> tuple[Case, Case, Case]:
    """Three referrals, two persons: Esther reported by the police and by ROSA, and Mihai (an adult)
    by child welfare. `mihai` are extra report fields for Mihai's referral, `kw` for all three."""
    police, ngo = esther_reported_twice(personas, agencies, **kw)
    return police, ngo, mihai_adult(personas.childwelfare, agencies.childwelfare, **{**kw, **(mihai or {})})


def share_case(case: Case, *, lead: User, agency: Agency, accepter: User) -> None:
    """The lead agency shares its case with `agency`: the person's consent, the invitation, and
    `accepter` (of that agency) accepting it; `agency` takes part from then on."""
    from varde.cases.services import case_invite_agency, consent_record, participation_respond

    consent_record(
        actor=lead,
        case=case,
        purpose="Follow-up",
        given_on=case.referrals.first().referral_date,
        agency=agency,
    )
    invitation = case_invite_agency(actor=lead, case=case, agency=agency)
    participation_respond(actor=accepter, participation=invitation, accept=True)


def referral_input(given: str, family: str, **kw: Any) -> ReportInput:
    """What a caseworker has typed about a woman before the likely-earlier-record hint is asked for
    (a referral of 2026-11-01, not reported yet). Any ReportInput field may be given."""
    return ReportInput(
        referral_date=kw.pop("referral_date", dt.date(2026, 11, 1)),
        names=kw.pop("names", [NameInput(given=given, family=family)]),
        sex=kw.pop("sex", "F"),
        **kw,
    )


def esther_input(**kw: Any) -> ReportInput:
    """Esther as a third agency is about to report her: her name, birth date, nationality and phone."""
    kw.setdefault("date_of_birth", ESTHER_BORN)
    kw.setdefault("nationalities", ["NG"])
    kw.setdefault("phones", ["934 56 789"])
    return referral_input("Esther", "Igbinovia", **kw)
