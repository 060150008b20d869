import datetime as dt
import random

import pytest
from django.contrib.auth.password_validation import validate_password
from django.utils import timezone

from varde.access.cases import cases_listed_for, cases_visible_to
from varde.accounts.models import Agency, AgencyKind, User
from varde.audit.models import AuditEvent
from varde.cases.models import Case, CaseParticipation, Consent, Referral, StatusChange
from varde.demo import data as D
from varde.demo.loader import _make_person, _report, _reporting_agencies
from varde.persons.models import Person, PersonName


def snapshot():
    return tuple(
        m.objects.count()
        for m in (
            Agency,
            User,
            Person,
            PersonName,
            Case,
            Referral,
            StatusChange,
            CaseParticipation,
            Consent,
            AuditEvent,
        )
    )


@pytest.fixture
def demo(varde, db):
    # The 2009 set (292 persons, linked and reviewed) is tested in tests/statistics/test_demo_truth.py.
    result = varde("demo", "--persons", "40", "--seed", "12", "--skip-2009")
    assert result.code == 0, result.err
    return result


def test_demo_loads_agencies_users_and_cases_and_prints_sign_ins(demo):
    assert "demo data loaded" in demo.out
    assert Agency.objects.count() == len(D.AGENCIES)
    kinds = dict(Agency.objects.values_list("code", "kind"))
    assert (
        kinds["oslo-pd-stop"] == AgencyKind.POLICE_DISTRICT
        and kinds["bufetat-ost"] == AgencyKind.CHILD_WELFARE_STATE
    )
    assert kinds["kom"] == AgencyKind.KOM and kinds["iom-oslo"] == AgencyKind.IOM
    assert Person.objects.count() >= 40 and Case.objects.count() == Person.objects.count()
    assert Referral.objects.count() == Case.objects.count()
    for persona in D.PERSONAS:
        assert persona.username in demo.out and persona.password in demo.out
        user = User.objects.get(username=persona.username)
        assert user.check_password(persona.password)
        validate_password(persona.password, user)  # the project's own password rules
    sysadmin = User.objects.get(username="sysadmin")
    assert sysadmin.is_staff and not sysadmin.is_superuser and sysadmin.is_system_admin
    # Adults who declined help, recorded without identity through the service (issue 22).
    from varde.demo.anonymous import COUNT
    from varde.identification.models import AnonymousNotification

    recorded = AnonymousNotification.objects.all()
    assert (
        recorded.count() == COUNT
        and AuditEvent.objects.filter(object_type__contains="anonymous").count() >= COUNT
    )
    assert not recorded.filter(withdrawn_at__isnull=False).exists()


def test_second_run_duplicates_nothing(varde, demo):
    before = snapshot()
    again = varde("demo", "--persons", "40", "--seed", "12")  # with the 2009 set asked for: still nothing
    assert again.code == 0
    assert "demo data already loaded" in again.out
    assert "varde-demo-police-2026" in again.out  # the sign-ins are still printed
    assert snapshot() == before


def test_personas_have_cases_to_see_and_the_outsider_none(demo):
    def sees(username):
        return cases_visible_to(user=User.objects.get(username=username)).count()

    for username, code in [
        ("police.investigator", "oslo-pd-stop"),
        ("childwelfare.caseworker", "oslo-barnevern"),
        ("ngo.worker", "rosa"),
    ]:
        assert Case.objects.filter(lead_agency__code=code).count() >= 2, code
        assert sees(username) >= 2
    # KOM lists every case nationally, and opens personal data only where it takes part (or by
    # break-the-glass).
    coordinator = User.objects.get(username="kom.coordinator")
    assert cases_listed_for(user=coordinator).count() == Case.objects.count()
    assert (
        sees("kom.coordinator") == Case.objects.filter(participations__agency__code="kom").distinct().count()
    )
    assert sees("outsider") == 0 and sees("analyst") == 0
    assert not CaseParticipation.objects.filter(agency__code=D.OUTSIDER_AGENCY).exists()


def test_demo_cases_look_like_real_life(demo):
    cases = list(Case.objects.select_related("person").prefetch_related("referrals"))
    # Timelines start on the referral date, which lies between 2010 and today (2009 is the 2009 set's).
    for case in cases:
        referral = case.referrals.get()
        assert timezone.localtime(case.opened_at).date() == referral.referral_date
        assert dt.date(2010, 1, 1) <= referral.referral_date <= timezone.localdate()
    assert len({c.lead_agency_id for c in cases}) >= 5
    assert {c.status for c in cases} >= {"closed", "reported"}
    assert all(c.closure_reason for c in cases if c.status == "closed")
    assert CaseParticipation.objects.filter(is_lead=False, state="active").exists()  # some cases are shared
    # Shared adult cases rest on a recorded consent.
    for p in CaseParticipation.objects.filter(is_lead=False, case__is_child=False).select_related("case"):
        assert p.consent_id is not None
    assert any(c.is_child for c in cases) and any(not c.is_child for c in cases)
    # Nothing stored says which reports are the same human being.
    assert "true" not in " ".join(f.name for f in Person._meta.get_fields())


def test_demo_is_refused_in_production(varde, db, settings):
    settings.PRODUCTION = True
    result = varde("demo", "--persons", "1")
    assert result.code == 2 and "production" in result.err
    assert not User.objects.exists()


def test_demo_refuses_when_a_persona_username_belongs_to_someone_else(varde, db):
    User.objects.create_user(username="analyst", password="x" * 20)
    result = varde("demo", "--persons", "1")
    assert result.code == 2 and "already taken" in result.err
    assert User.objects.count() == 1


def test_same_seed_same_people_and_reports():
    agency = Agency(code="rosa", name="ROSA", kind=AgencyKind.NGO)
    today = dt.date(2026, 6, 1)

    def generate(seed):
        rng = random.Random(seed)
        out = []
        for _ in range(30):
            person = _make_person(rng, today)
            out.append((_reporting_agencies(rng, person), _report(rng, person, agency, person.first_date)))
        return out

    assert generate(5) == generate(5)
    assert generate(5) != generate(6)


def test_the_same_person_is_reported_under_differing_spellings():
    agency = Agency(code="rosa", name="ROSA", kind=AgencyKind.NGO)
    rng = random.Random(1)
    varied = 0
    for _ in range(200):
        person = _make_person(rng, dt.date(2026, 6, 1))
        spellings = {
            (n.given, n.family)
            for _ in range(3)
            for n in _report(rng, person, agency, person.first_date).names
            if n.kind == "primary"
        }
        varied += len(spellings) > 1
    assert varied > 40


def test_demo_prints_each_personas_totp_secret_and_a_working_code(demo, varde):
    import base64

    from django_otp.plugins.otp_totp.models import TOTPDevice

    from varde.accounts.second_factor import check_code

    for persona in D.PERSONAS:
        device = TOTPDevice.objects.get(user__username=persona.username, confirmed=True)
        assert base64.b32encode(device.bin_key).decode() in demo.out
    assert demo.out.count("otpauth://totp/") == len(D.PERSONAS)
    police = D.PERSONAS[0].username
    result = varde("demo-code", police)
    assert result.code == 0 and len(result.out.strip()) == 6
    assert check_code(User.objects.get(username=police), result.out.strip()) is not None
    assert varde("demo-code", "not-a-persona").code == 2


def test_demo_code_is_refused_in_production(varde, db, settings):
    settings.PRODUCTION = True
    assert varde("demo-code", "police.investigator").code == 2


def test_demo_leaves_no_running_clock_on_a_closed_case(demo):
    from varde.response.models import OPEN_CLOCK_STATES, Clock, Notification, NotificationKind
    from varde.response.worker import run_worker

    closed_children = Case.objects.filter(status="closed", is_child=True)
    assert closed_children.exists()  # children reported (their 24-hour clocks started) and closed since
    # Only the follow-ups after a voluntary return go on when a case closes as "returned home".
    going_on = Clock.objects.filter(
        case__status="closed", state__in=OPEN_CLOCK_STATES, kind="return_followup"
    )
    assert not going_on.exclude(case__closure_reason="returned_home").exists()
    open_on_closed = Clock.objects.filter(case__status="closed", state__in=OPEN_CLOCK_STATES).exclude(
        kind="return_followup"
    )
    assert not open_on_closed.exists()
    assert Clock.objects.filter(case__in=closed_children, state="cancelled").exists()
    # Each open child's case had its 24-hour clock the moment it was reported: no worker has run.
    for case in Case.objects.filter(is_child=True).exclude(status="closed"):
        assert Clock.objects.filter(case=case, kind="safe_placement").exists(), case.reference
    # A worker over the demo starts nothing and sends no urgent notice for a closed case.
    before = Notification.objects.filter(case__status="closed").count()
    run_worker(once=True)
    assert not open_on_closed.exists()
    assert Notification.objects.filter(case__status="closed").count() == before
    late = [NotificationKind.CLOCK_WARNING, NotificationKind.CLOCK_MISSED, NotificationKind.ESCALATION]
    assert not (
        Notification.objects.filter(case__status="closed", kind__in=late)
        .exclude(clock__kind="return_followup")
        .exists()
    )
