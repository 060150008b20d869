"""Shared test personas (DESIGN convention 6): every test starts from the same people and cases.

Agencies: Oslo police (STOP), Bufetat (child welfare), ROSA (NGO), KOM, the Labour Inspection.
Personas: police investigator, child-welfare caseworker, NGO worker, KOM coordinator, analyst,
outsider (a caseworker at an agency with no part in any case), agency admin, system admin, auditor.
Each of police, child welfare and NGO leads an adult case and a child case; police's adult case
is shared with ROSA (consent recorded, invitation accepted).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.http import HttpRequest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD, PERSONA_CASES, make_user, report_persona_case
from varde.accounts import second_factor as sf
from varde.accounts.models import Agency, AgencyKind, Role, User
from varde.cases.models import Case
from varde.cases.services import case_invite_agency, consent_record, participation_respond
from varde.core import clock

# --- the second factor ------------------------------------------------------------------------------
# Every persona has a confirmed TOTP device (made in `personas`). Tests that only need "a signed-in
# user" call login_verified(client, user): a session exactly as after password + code. Tests of the
# sign-in itself type the password and compute a real code with otp_code(user).


def totp_device(user: User) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return device


def otp_code(user: User) -> str:
    """The current code of the user's device, usable once more (the device forgets the last code
    used, so one test may sign in, re-authenticate and ask for a token within one 30 s step)."""
    device = totp_device(user)
    TOTPDevice.objects.filter(pk=device.pk).update(
        last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None
    )
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def mark_session_verified(client, user: User, *, reauthenticated: bool = True) -> None:
    """Mark a test client's session as having passed the code step (as django_otp.login does)."""
    device = totp_device(user)
    session = client.session
    now = clock.now().timestamp()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[sf.LOGIN_AT] = now
    session[sf.SEEN_AT] = now
    if reauthenticated:
        session[sf.AUTH_AT] = now
    else:
        session.pop(sf.AUTH_AT, None)
    session.save()


def login_verified(client, user: User, *, reauthenticated: bool = True):
    """Sign a test client in as `user`, password and one-time code done (the one helper every page
    and API test uses). `reauthenticated=False` leaves no recent re-authentication in the session."""
    client.force_login(user)
    mark_session_verified(client, user, reauthenticated=reauthenticated)
    return client


def break_glass(coordinator: User, case: Case, reason: str = "Urgent: the child has gone missing tonight."):
    """A coordinator opens a case outside KOM's participation (varde.access.break_glass)."""
    from varde.access.break_glass import break_glass_open

    return break_glass_open(actor=coordinator, case=case, reason=reason)


def password_login(client, username: str, password: str = PASSWORD) -> bool:
    """Django's test Client.login() through the real backends (django-axes needs a request)."""
    return bool(client.login(request=HttpRequest(), username=username, password=password))


def verified(user: User | None) -> User | None:
    """The user as a request that passed the code step sees it (for DRF's force_authenticate)."""
    if user is None:
        return None
    device = totp_device(user)
    user.otp_device = device
    user.is_verified = lambda: True
    return user


@dataclass
class Personas:
    police: User
    childwelfare: User
    ngo: User
    coordinator: User
    analyst: User
    outsider: User
    agency_admin: User
    sysadmin: User
    auditor: User


@dataclass
class Agencies:
    police: Agency
    childwelfare: Agency
    ngo: Agency
    kom: Agency
    labour: Agency


@dataclass
class Cases:
    police_adult: Case
    police_child: Case
    childwelfare_adult: Case
    childwelfare_child: Case
    ngo_adult: Case
    ngo_child: Case

    def all(self) -> list[Case]:
        return [
            self.police_adult,
            self.police_child,
            self.childwelfare_adult,
            self.childwelfare_child,
            self.ngo_adult,
            self.ngo_child,
        ]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: a database rolled back after a test gives the next one
    the same audit sequence numbers, so a cached figure could otherwise outlive its data."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _audit_guard_lifted_for_flush(request):
    """Transactional tests (live server, browser) end with Django flushing every table, which the audit
    guard rightly refuses on SQLite (DELETE). Lift it just before that flush; the guard tests install
    it again themselves."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool({"transactional_db", "live_server"} & set(request.fixturenames)) or bool(
        marker and marker.kwargs.get("transaction")
    )
    if not transactional:
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    from django.db import connection

    from varde.audit import guard

    guard.remove(connection)


@pytest.fixture
def agencies(db) -> Agencies:
    return Agencies(
        police=Agency.objects.create(
            code="oslo-pd-stop", name="Oslo politidistrikt, STOP", kind=AgencyKind.POLICE_DISTRICT
        ),
        childwelfare=Agency.objects.create(
            code="bufetat-ost", name="Bufetat region øst", kind=AgencyKind.CHILD_WELFARE_STATE
        ),
        ngo=Agency.objects.create(code="rosa", name="ROSA", kind=AgencyKind.NGO),
        kom=Agency.objects.create(code="kom", name="KOM", kind=AgencyKind.KOM),
        labour=Agency.objects.create(
            code="arbeidstilsynet", name="Arbeidstilsynet", kind=AgencyKind.LABOUR_INSPECTION
        ),
    )


@pytest.fixture
def personas(agencies: Agencies) -> Personas:
    return Personas(
        police=make_user("police", agencies.police, Role.CASEWORKER),
        childwelfare=make_user("childwelfare", agencies.childwelfare, Role.CASEWORKER),
        ngo=make_user("ngo", agencies.ngo, Role.CASEWORKER),
        coordinator=make_user("coordinator", agencies.kom, Role.COORDINATOR),
        analyst=make_user("analyst", agencies.kom, Role.ANALYST),
        outsider=make_user("outsider", agencies.labour, Role.CASEWORKER),
        agency_admin=make_user("agencyadmin", agencies.police, Role.AGENCY_ADMIN),
        sysadmin=make_user("sysadmin", agencies.kom, Role.SYSTEM_ADMIN, is_staff=True),
        auditor=make_user("auditor", agencies.kom, Role.AUDITOR),
    )


@pytest.fixture
def cases(personas: Personas, agencies: Agencies) -> Cases:
    made = {}
    for name in PERSONA_CASES:  # see tests/factories.py for who is reported in each
        lead = name.split("_")[0]  # police, childwelfare or ngo reports and leads the case
        made[name] = report_persona_case(name, getattr(personas, lead), getattr(agencies, lead))
    c = Cases(**made)
    # Police share their adult case with ROSA: consent first, then invitation, then acceptance.
    consent_record(
        actor=personas.police,
        case=c.police_adult,
        purpose="Shelter and follow-up",
        given_on=dt.date(2026, 10, 2),
        agency=agencies.ngo,
    )
    invitation = case_invite_agency(actor=personas.police, case=c.police_adult, agency=agencies.ngo)
    participation_respond(actor=personas.ngo, participation=invitation, accept=True)
    for case in c.all():
        case.refresh_from_db()
    return c


@pytest.fixture
def world(personas, agencies, cases):
    """All three at once, for tests that need the whole picture."""

    @dataclass
    class World:
        personas: Personas
        agencies: Agencies
        cases: Cases

    return World(personas, agencies, cases)
