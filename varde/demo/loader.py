"""Load the demo: agencies, persona users, and synthetic persons reported by several agencies.

Every write goes through the services (referral_report, case_change_status, consent_record,
case_invite_agency, participation_respond, case_add_note), so the demo has the same audit trail,
timelines and invariants as real use. The one thing done directly is dating each case's timeline
(opened_at, status changes, timeline events, participation times) back to its referral date, so
that a case reported in 2012 does not look opened today. Audit events keep their true time.

The demo holds two sets. First 2009 as KOM counted it (varde.demo.demo2009: 292 persons in
duplicated referrals, linked and reviewed, whose figures `varde stats --year 2009` reproduces
exactly); then the demo's own persons, first reported from 2010 on, so that nothing else falls in
2009. Last, one linkage run over all referrals, as a coordinator would start it.

The "true person" behind several reports lives only in memory while generating; nothing stored
says which reports are the same human being (finding that out is the linkage module's job).
"""

from __future__ import annotations

import base64
import datetime as dt
import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from varde.accounts.models import Agency, AgencyKind, Membership, Role, User
from varde.cases.models import (
    Case,
    CaseEvent,
    CaseParticipation,
    CaseStatus,
    ClosureReason,
    CriminalityKind,
    ExploitationForm,
    LabourSector,
    MetHow,
    StatusChange,
)
from varde.cases.services import (
    DocumentInput,
    NameInput,
    ReportInput,
    case_add_note,
    case_change_status,
    case_invite_agency,
    consent_record,
    participation_respond,
    referral_report,
)
from varde.core import clock
from varde.demo import demo2009
from varde.demo.anonymous import load_anonymous
from varde.demo.coordination import load_coordination
from varde.linkage.services import linkage_run
from varde.persons.models import AgeCertainty, DocumentType, NameKind, Sex
from varde.response.models import FollowUpOutcome, ReturnOrganisation
from varde.response.returns import (
    follow_up_clock,
    follow_up_record,
    follow_up_stages,
    voluntary_return_record,
)

from . import data as D
from . import prosecution as prosecution_demo

F, M = Sex.FEMALE, Sex.MALE
SEXUAL, LABOUR = ExploitationForm.SEXUAL, ExploitationForm.FORCED_LABOUR
BEGGING, CRIME = ExploitationForm.BEGGING, ExploitationForm.FORCED_CRIMINALITY
DOMESTIC, MARRIAGE = ExploitationForm.DOMESTIC_SERVITUDE, ExploitationForm.FORCED_MARRIAGE


@dataclass
class Summary:
    agencies: int = 0
    users: int = 0
    persons: int = 0
    cases: int = 0
    persons_2009: int = 0  # the 2009 set (varde.demo.demo2009)
    referrals_2009: int = 0


# Who reported in 2009 (the agencies of the time): adults, and children (child welfare among them).
REPORTERS_2009 = ("oslo-pd-stop", "rosa", "pro-sentret", "pu", "udi", "kirkens-bymisjon")
CHILD_REPORTERS_2009 = ("oslo-pd-stop", "oslo-barnevern", "bufetat-ost", "udi", "redd-barna")


def progress_total(*, persons: int, with_2009: bool = True) -> int:
    """How many progress(1) calls load_demo makes: one per person of either set."""
    return persons + (demo2009.PERSONS if with_2009 else 0)


@dataclass(frozen=True)
class SignIn:
    username: str
    password: str
    role: str
    agency: str
    totp_secret: str = ""  # base32, for an authenticator app
    totp_uri: str = ""  # otpauth://totp/... (the same secret as a link or QR code)


def sign_ins() -> list[SignIn]:
    """The demo personas' sign-in details, with the second-factor secret stored in the database."""
    names = {a.code: a.name for a in D.AGENCIES}
    devices = {
        d.user.username: d
        for d in TOTPDevice.objects.filter(
            user__username__in=[u.username for u in D.PERSONAS], confirmed=True
        ).select_related("user")
    }
    rows = []
    for u in D.PERSONAS:
        device = devices.get(u.username)
        secret = base64.b32encode(device.bin_key).decode() if device else ""
        uri = device.config_url if device else ""
        rows.append(SignIn(u.username, u.password, str(Role(u.role).label), names[u.agency], secret, uri))
    return rows


class DemoConflict(Exception):
    """Some demo usernames belong to users the demo did not create."""


def demo_loaded() -> bool:
    """True when the demo is in the database. Raises DemoConflict if only some persona names are taken."""
    usernames = [u.username for u in D.PERSONAS]
    found = User.objects.filter(username__in=usernames).count()
    if found and found < len(usernames):
        raise DemoConflict("some demo usernames are already taken by other users")
    return found == len(usernames)


# --- the synthetic person (in memory only) --------------------------------------------------------


@dataclass
class _Person:
    nat: D.Nationality
    sex: str
    given: str
    family: str
    dob: dt.date
    first_date: dt.date
    form: str
    sector: str
    criminality: str
    municipality: str
    phones: list[str] = field(default_factory=list)
    passport: str = ""

    def age_on(self, day: dt.date) -> int:
        return day.year - self.dob.year - ((day.month, day.day) < (self.dob.month, self.dob.day))

    @property
    def is_child(self) -> bool:
        return self.age_on(self.first_date) < 18


def _weighted(rng: random.Random, weights: dict) -> str:  # type: ignore[type-arg]
    keys = [k for k, w in weights.items() if w > 0]
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


_LETTERS = str.maketrans("đĐłŁøØ", "dDlLoO")


def _strip_accents(text: str) -> str:
    text = text.translate(_LETTERS)
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _safe_date(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return dt.date(year, month, 28)


def _random_date(rng: random.Random, today: dt.date) -> dt.date:
    year = int(_weighted(rng, {y: w for y, w in D.YEAR_WEIGHTS.items() if y <= today.year}))
    start = dt.date(year, 1, 1)
    end = min(dt.date(year, 12, 31), today)
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _form(rng: random.Random, nat: str, sex: str, child: bool) -> tuple[str, str, str]:
    """(exploitation form, labour sector, kind of criminality) shaped by age, sex and nationality."""
    if child:
        if nat in ("MA", "DZ", "AF") and sex == M:
            form = _weighted(rng, {CRIME: 85, LABOUR: 10, BEGGING: 5})
        elif nat in ("RO", "BG"):
            form = _weighted(rng, {BEGGING: 55, CRIME: 35, SEXUAL: 10 if sex == F else 0})
        elif nat in ("VN", "CN"):
            form = _weighted(rng, {LABOUR: 40, CRIME: 40, SEXUAL: 20 if sex == F else 0})
        elif nat in ("SO", "ER", "AF"):
            form = _weighted(
                rng, {MARRIAGE: 35, DOMESTIC: 30, SEXUAL: 35} if sex == F else {CRIME: 60, LABOUR: 40}
            )
        else:
            form = _weighted(
                rng, {SEXUAL: 85, DOMESTIC: 15} if sex == F else {CRIME: 60, SEXUAL: 20, LABOUR: 20}
            )
    elif sex == F:
        form = _weighted(
            rng,
            {
                SEXUAL: 78,
                DOMESTIC: 8,
                LABOUR: 9,
                MARRIAGE: 3 if nat in ("SO", "AF", "AL") else 0,
                BEGGING: 2 if nat in ("RO", "BG") else 0,
            },
        )
    else:
        form = _weighted(rng, {LABOUR: 78, CRIME: 12, BEGGING: 10 if nat in ("RO", "BG") else 0})
    sector = criminality = ""
    if form == LABOUR:
        if nat in ("PL", "LT", "RO", "BG"):
            sectors = {
                "construction": 35,
                "agriculture": 20,
                "car_wash": 15,
                "transport": 10,
                "cleaning": 10,
                "manufacturing": 10,
            }
        elif nat == "TH":
            sectors = {"agriculture": 60, "manufacturing": 20, "hospitality": 20}
        elif nat in ("VN", "CN"):
            sectors = {"hospitality": 40, "manufacturing": 30, "cleaning": 30}
        elif sex == F:
            sectors = {"cleaning": 50, "hospitality": 40, "agriculture": 10}
        else:
            sectors = {"cleaning": 30, "car_wash": 25, "construction": 25, "hospitality": 20}
        sector = LabourSector(_weighted(rng, sectors)).value
    if form == CRIME:
        criminality = CriminalityKind(
            _weighted(
                rng,
                {"drug_selling": 70, "theft": 30}
                if nat not in ("RO", "BG", "LT")
                else {"theft": 80, "drug_selling": 20},
            )
        ).value
    return form, sector, criminality


def _phone(rng: random.Random, nat: D.Nationality) -> str:
    if rng.random() < 0.7 or not nat.phone_prefix:
        return f"+47 {rng.choice('49')}{rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(100, 999)}"
    return f"{nat.phone_prefix} {rng.randint(100, 999)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"


def _phone_as_written(rng: random.Random, number: str) -> str:
    """The same number as another agency writes it."""
    if number.startswith("+47 ") and rng.random() < 0.4:
        digits = number[4:].replace(" ", "")
        return rng.choice([digits, "+47" + digits, "0047 " + number[4:]])
    return number


def _make_person(rng: random.Random, today: dt.date) -> _Person:
    nat = rng.choices(D.NATIONALITIES, weights=[n.weight for n in D.NATIONALITIES])[0]
    child = rng.random() < min(0.95, nat.child_share * 1.15)
    sex = F if rng.random() < (nat.female_child if child else nat.female_adult) else M
    first_date = _random_date(rng, today)
    if child:
        age = rng.choices(range(8, 18), weights=[1, 1, 2, 2, 3, 4, 6, 8, 10, 10])[0]
    else:
        age = rng.choices(range(18, 50), weights=[max(1, 14 - abs(a - 24)) for a in range(18, 50)])[0]
    dob = first_date - dt.timedelta(days=age * 365 + rng.randint(10, 350))
    family_bank = nat.family_f if (sex == F and nat.family_f) else nat.family
    form, sector, criminality = _form(rng, nat.code, sex, child)
    person = _Person(
        nat=nat,
        sex=sex,
        given=rng.choice(nat.given_f if sex == F else nat.given_m),
        family=rng.choice(family_bank),
        dob=dob,
        first_date=first_date,
        form=form,
        sector=sector,
        criminality=criminality,
        municipality=_weighted(rng, D.MUNICIPALITIES),
    )
    person.phones = [_phone(rng, nat) for _ in range(rng.choice([1, 1, 2]))]
    if rng.random() < 0.55:
        person.passport = f"{rng.choice('ABCDEFGHKLMNP')}{rng.randint(10**7, 10**8 - 1)}"
    return person


# --- one agency's report of the person ------------------------------------------------------------


_DOCUMENT_KINDS = {AgencyKind.POLICE_DISTRICT, AgencyKind.POLICE_IMMIGRATION, AgencyKind.UDI}
_MET_HOW: dict[str, dict[str, int]] = {
    AgencyKind.POLICE_DISTRICT: {MetHow.POLICE_CONTROL: 6, MetHow.TIP: 3, MetHow.BORDER: 1},
    AgencyKind.POLICE_IMMIGRATION: {MetHow.ASYLUM: 6, MetHow.BORDER: 4},
    AgencyKind.UDI: {MetHow.ASYLUM: 1},
    AgencyKind.CHILD_WELFARE_MUNICIPAL: {MetHow.TIP: 3, MetHow.OTHER: 1},
    AgencyKind.CHILD_WELFARE_STATE: {MetHow.TIP: 2, MetHow.ASYLUM: 2},
    AgencyKind.HEALTH: {MetHow.HEALTH: 3, MetHow.OUTREACH: 3},
    AgencyKind.NAV: {MetHow.SELF_REFERRAL: 1},
    AgencyKind.LABOUR_INSPECTION: {MetHow.WORKPLACE_INSPECTION: 1},
    AgencyKind.SHELTER: {MetHow.SELF_REFERRAL: 3, MetHow.TIP: 1},
    AgencyKind.NGO: {MetHow.OUTREACH: 3, MetHow.SELF_REFERRAL: 2, MetHow.TIP: 1},
    AgencyKind.IOM: {MetHow.SELF_REFERRAL: 1},
}
_PLACES = {
    "0301": "Oslo",
    "4601": "Bergen",
    "1103": "Stavanger",
    "5001": "Trondheim",
    "4204": "Kristiansand",
    "3301": "Drammen",
}
_CLAIMED_NATIONALITY = {
    "NG": "GH",
    "ER": "ET",
    "SO": "ET",
    "MA": "DZ",
    "DZ": "MA",
    "AF": "IR",
    "VN": "CN",
    "RO": "MD",
    "BG": "RO",
}


def _names(rng: random.Random, p: _Person) -> list[NameInput]:
    given, family = p.given, p.family
    if rng.random() < 0.35:
        given = rng.choice(D.VARIANTS.get(given, (given,)))
    if rng.random() < 0.35:
        family = rng.choice(D.VARIANTS.get(family, (family,)))
    if rng.random() < 0.3:
        given, family = _strip_accents(given), _strip_accents(family)
    order = rng.random()
    if p.nat.family_first and order < 0.45:
        tokens = (
            f"{family} {given}".split()
        )  # written family-first, then read as if the last word were the family name
        given, family = " ".join(tokens[:-1]), tokens[-1]
    elif order < 0.1:
        given, family = family, given  # family name recorded as the given name
    elif order < 0.16:
        family = ""  # only a first name was given
    names = [NameInput(given=given, family=family)]
    if rng.random() < 0.15:
        names.append(
            NameInput(given=rng.choice(D.ALIASES_F if p.sex == F else D.ALIASES_M), kind=NameKind.ALIAS)
        )
    native_given, native_family = D.NATIVE_SCRIPT.get(p.given), D.NATIVE_SCRIPT.get(p.family)
    if (native_given or native_family) and rng.random() < 0.35:
        script = (native_given or native_family)[1]  # type: ignore[index]
        names.append(
            NameInput(
                given=native_given[0] if native_given else "",
                family=native_family[0] if native_family else "",
                kind=NameKind.DOCUMENT,
                script=script,
            )
        )
    return names


def _age_facts(
    rng: random.Random, p: _Person, on: dt.date, kind: str
) -> tuple[dt.date | None, int | None, str]:
    share_dob = 0.6 if kind in _DOCUMENT_KINDS else 0.3
    r = rng.random()
    if r < share_dob:
        dob = p.dob
        e = rng.random()
        if e < 0.08 and dob.day <= 12 and dob.day != dob.month:
            dob = dt.date(dob.year, dob.day, dob.month)  # day and month swapped
        elif e < 0.16:
            dob = dt.date(dob.year, 1, 1)  # only the year known: defaulted to 1 January
        elif e < 0.22:
            dob = _safe_date(
                dob.year + rng.choice([-3, -2, -1, 1, 2]), dob.month, dob.day
            )  # a false document
        return min(dob, on), None, ""
    # Those who meet a child nearly always write down an age: it decides what the child is entitled to.
    if r < share_dob + (0.68 if p.age_on(on) < 18 else 0.35):
        estimate = max(1, p.age_on(on) + rng.randint(-2, 2))
        return (
            None,
            estimate,
            _weighted(rng, {AgeCertainty.LOW: 4, AgeCertainty.MEDIUM: 5, AgeCertainty.HIGH: 1}),
        )
    return None, None, ""


def _report(rng: random.Random, p: _Person, agency: Agency, on: dt.date) -> ReportInput:
    dob, estimate, certainty = _age_facts(rng, p, on, agency.kind)
    nationalities = [p.nat.code]
    r = rng.random()
    if r < 0.04:
        nationalities = []
    elif r < 0.07 and p.nat.code in _CLAIMED_NATIONALITY:
        nationalities = [_CLAIMED_NATIONALITY[p.nat.code]]
    phones = []
    if rng.random() < 0.6:
        number = rng.choice(p.phones) if rng.random() < 0.75 else _phone(rng, p.nat)
        phones = [_phone_as_written(rng, number)]
    documents = []
    if p.passport and rng.random() < (0.75 if agency.kind in _DOCUMENT_KINDS else 0.35):
        documents.append(
            DocumentInput(doc_type=DocumentType.PASSPORT, number=p.passport, issuing_country=p.nat.code)
        )
    if rng.random() < 0.12:
        documents.append(
            DocumentInput(
                doc_type=rng.choice([DocumentType.PASSPORT, DocumentType.RESIDENCE_CARD]),
                number=f"{rng.choice('XYZ')}{rng.randint(10**6, 10**7 - 1)}",
                issuing_country=rng.choice(["IT", "ES", "FR", "SE", p.nat.code]),
                suspected_false=True,
            )
        )
    forms = [p.form]
    if rng.random() < 0.12:
        forms.append(rng.choice([CRIME, DOMESTIC, LABOUR, SEXUAL]))
    municipality = p.municipality if rng.random() < 0.85 else D.OSLO
    return ReportInput(
        referral_date=on,
        names=_names(rng, p),
        sex=p.sex if rng.random() < 0.97 else "",
        date_of_birth=dob,
        estimated_age=estimate,
        estimated_age_certainty=certainty,
        nationalities=nationalities,
        languages=list(p.nat.languages[: rng.choice([1, len(p.nat.languages)])])
        if rng.random() < 0.7
        else [],
        phones=phones,
        documents=documents,
        met_how=_weighted(rng, _MET_HOW.get(agency.kind, {MetHow.OTHER: 1})),
        met_where=_PLACES.get(municipality, ""),
        municipality=municipality,
        exploitation_forms=forms,
        labour_sector=p.sector if LABOUR in forms and rng.random() < 0.85 else "",
        criminality_kind=p.criminality if CRIME in forms and rng.random() < 0.9 else "",
        description=rng.choice(D.DESCRIPTIONS[p.form]) if rng.random() < 0.8 else "",
    )


def _reporting_agencies(rng: random.Random, p: _Person) -> list[str]:
    police = "vest-pd-exit" if p.municipality in D.BERGEN_AREA else "oslo-pd-stop"
    oslo = p.municipality == D.OSLO
    weights: dict[str, float]
    if p.is_child:
        weights = {
            police: 4,
            "oslo-barnevern": 6 if oslo else 0,
            "bufetat-ost": 3,
            "pu": 2,
            "udi": 3,
            "redd-barna": 2,
            "uteseksjonen": 4 if oslo and p.form in (CRIME, BEGGING, SEXUAL) else 0,
            "pro-sentret": 1 if p.form == SEXUAL else 0,
        }
    elif p.form == SEXUAL:
        weights = {
            police: 5,
            "rosa": 5,
            "pro-sentret": 3,
            "lauras-hus": 2,
            "oslo-krisesenter": 1,
            "kirkens-bymisjon": 2,
            "pu": 2,
            "udi": 2,
            "nav-grunerlokka": 1,
            "iom-oslo": 0.5,
        }
    elif p.form in (MARRIAGE, DOMESTIC):
        weights = {"oslo-krisesenter": 3, police: 2, "rosa": 3, "udi": 1, "kirkens-bymisjon": 1}
    elif p.form == LABOUR:
        weights = {
            "arbeidstilsynet": 4,
            police: 3,
            "kirkens-bymisjon": 2,
            "nav-grunerlokka": 2,
            "pu": 2,
            "udi": 1,
            "iom-oslo": 1,
            "rosa": 2 if p.sex == F else 0,
        }
    else:
        weights = {police: 4, "kirkens-bymisjon": 2, "pu": 2, "uteseksjonen": 1, "nav-grunerlokka": 1}
    count = rng.choices([1, 2, 3], weights=[55, 30, 15])[0]
    chosen: list[str] = []
    while len(chosen) < count and any(w > 0 for k, w in weights.items() if k not in chosen):
        chosen.append(_weighted(rng, {k: w for k, w in weights.items() if k not in chosen}))
    return chosen


# --- the case's life after the report ------------------------------------------------------------

_PATHS = {
    ("under_assessment", "identified", "assistance", "closed"): 60,
    ("under_assessment", "identified", "closed"): 12,
    ("under_assessment", "not_victim", "closed"): 13,
    ("closed",): 15,
}
_SHARE_WITH: dict[str, tuple[str, ...]] = {
    SEXUAL: ("rosa", "lauras-hus", "pro-sentret", "oslo-pd-stop", "iom-oslo", "kripos", "udi"),
    LABOUR: ("arbeidstilsynet", "nav-grunerlokka", "kirkens-bymisjon", "oslo-pd-stop", "iom-oslo", "kripos"),
}
_SHARE_DEFAULT = ("rosa", "oslo-pd-stop", "kirkens-bymisjon", "iom-oslo", "udi", "nav-grunerlokka")


@dataclass
class _Timeline:
    """Planned times for one case, in the order its services write timeline rows."""

    opened: dt.datetime
    events: list[dt.datetime] = field(default_factory=list)
    status: list[dt.datetime] = field(default_factory=list)
    participations: dict[str, tuple[dt.datetime, dt.datetime | None]] = field(default_factory=dict)


def _at(rng: random.Random, day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(8, 15), rng.randint(0, 59))))


def _follow_up_situation(rng: random.Random) -> dict[str, str]:
    def pick() -> str:
        return rng.choices(["good", "uncertain", "poor", "unknown"], weights=[5, 3, 1, 1])[0]

    return {
        "housing": pick(),
        "income": pick(),
        "education_work": pick(),
        "health": pick(),
        "re_trafficking_risk": rng.choices(["low", "medium", "high", "unknown"], weights=[5, 3, 1, 1])[0],
    }


class _Loader:
    def __init__(self, *, seed: int, today: dt.date) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.agencies: dict[str, Agency] = {}
        self.workers: dict[str, User] = {}
        self.coordinator: User | None = None
        self.summary = Summary()
        self.opened: list[Case] = []
        self.events: list[CaseEvent] = []
        self.changes: list[StatusChange] = []
        self.participations: list[CaseParticipation] = []

    # setup
    def agencies_and_users(self) -> None:
        for a in D.AGENCIES:
            agency, created = Agency.objects.get_or_create(
                code=a.code, defaults={"name": a.name, "kind": a.kind, "municipality": a.municipality}
            )
            self.agencies[a.code] = agency
            self.summary.agencies += int(created)
        for u in D.PERSONAS:
            user = User.objects.create_user(
                username=u.username,
                password=u.password,
                full_name=u.full_name,
                is_staff=u.is_staff,
                is_superuser=False,
            )
            Membership.objects.create(user=user, agency=self.agencies[u.agency], role=u.role)
            # A random secret per load, printed by `varde demo` with the password (demo only).
            TOTPDevice.objects.create(user=user, name="Varde demo", confirmed=True)
            self.summary.users += 1
            if u.role == Role.CASEWORKER and u.agency != D.OUTSIDER_AGENCY:
                self.workers[u.agency] = user
            if u.role == Role.COORDINATOR:
                self.coordinator = user
        for code, agency in self.agencies.items():
            if (
                code in self.workers
                or code in (D.OUTSIDER_AGENCY, "kom")
                or agency.kind == AgencyKind.MINISTRY
            ):
                continue
            staff, created = User.objects.get_or_create(
                username=D.STAFF_USERNAME.format(code=code),
                defaults={"full_name": f"Saksbehandler, {agency.name}"},
            )
            if created:
                staff.set_unusable_password()  # works the agency's demo cases; nobody signs in as them
                staff.save(update_fields=["password"])
                self.summary.users += 1
            Membership.objects.get_or_create(user=staff, agency=agency, role=Role.CASEWORKER)
            self.workers[code] = staff
        # Fresh instances, so that cached memberships include everything created above.
        self.workers = {code: User.objects.get(pk=u.pk) for code, u in self.workers.items()}
        assert self.coordinator is not None
        self.coordinator = User.objects.get(pk=self.coordinator.pk)

    # persons
    def person(self) -> None:
        rng = self.rng
        p = _make_person(rng, self.today)
        self.summary.persons += 1
        day = p.first_date
        for i, code in enumerate(_reporting_agencies(rng, p)):
            if i:
                day = min(self.today, day + dt.timedelta(days=rng.randint(1, 400)))
            self.case(p, self.agencies[code], day)

    def case(self, p: _Person, agency: Agency, day: dt.date) -> None:
        rng = self.rng
        worker = self.workers[agency.code]
        case = referral_report(actor=worker, agency=agency, data=_report(rng, p, agency, day))
        self.summary.cases += 1
        opened = _at(rng, day)
        # The report writes the referral event, and for a presumed child the presumption event too.
        reported_events = CaseEvent.objects.filter(case=case).count()
        tl = _Timeline(opened=opened, events=[opened] * reported_events, status=[opened])
        tl.participations[agency.code] = (opened, opened)
        cursor = day

        def step(max_days: int) -> dt.date | None:
            nonlocal cursor
            nxt = cursor + dt.timedelta(days=rng.randint(1, max_days))
            if nxt > self.today:
                return None
            cursor = nxt
            return nxt

        # Sharing: a child's case goes to child welfare (no consent needed); adults' cases by consent.
        if case.is_child and not agency.is_child_welfare and rng.random() < 0.7:
            target = "oslo-barnevern" if p.municipality == D.OSLO else "bufetat-ost"
            when = step(3)
            if when:
                self.share(case, agency, self.agencies[target], when, tl, consent=False)
        if rng.random() < (0.15 if case.is_child else 0.3):
            options = [
                c
                for c in _SHARE_WITH.get(p.form, _SHARE_DEFAULT)
                if c != agency.code and c not in tl.participations
            ]
            when = step(30)
            if options and when:
                self.share(case, agency, self.agencies[rng.choice(options)], when, tl, consent=True)

        # Status: older cases have come further; a few reach the end quickly (the person disappears).
        path = rng.choices(list(_PATHS), weights=list(_PATHS.values()))[0]
        age_days = (self.today - day).days
        if age_days > 730:
            steps = len(path) if rng.random() < 0.85 else len(path) - 1
        elif age_days > 180:
            steps = len(path) if rng.random() < 0.5 else rng.randint(0, len(path) - 1)
        elif age_days > 30:
            steps = rng.randint(0, max(0, len(path) - 1))
        else:
            steps = rng.randint(0, min(1, len(path) - 1))
        for status in path[:steps]:
            when = step(120 if status == "closed" else 45)
            if when is None:
                break
            closure = ""
            if status == CaseStatus.CLOSED:
                weights = dict(D.CLOSURE_WEIGHTS)
                if case.is_child:
                    weights["lost_contact"] = 45
                if path == ("closed",):
                    weights = {"lost_contact": 3, "moved_abroad": 1}
                closure = _weighted(rng, weights)
                if closure == ClosureReason.RETURNED_HOME:
                    case = self.voluntary_return(case, worker, p, day, when)
            case = case_change_status(
                actor=worker,
                case=case,
                status=status,
                version=case.version,
                reason=rng.choice(D.STATUS_REASONS[status]),
                closure_reason=closure,
            )
            at = _at(rng, when)
            tl.events.append(at)
            tl.status.append(at)
            if rng.random() < 0.12:
                self.note(case, worker, cursor, tl)
        if rng.random() < 0.15:
            self.note(case, worker, cursor, tl)
        self.backdate(case, tl)

    def voluntary_return(self, case: Case, worker: User, p: _Person, reported: dt.date, day: dt.date) -> Case:
        """A case closed as "returned home" gets its return first (IOM mostly), and the follow-ups
        whose time has come, most of them reaching the person. The case is dated from its referral
        first, as the backdating at the end will date it, so that the return is not before it."""
        rng = random.Random(case.reference)  # noqa: S311 - its own stream: the rest of the demo is drawn as before
        Case.objects.filter(pk=case.pk).update(opened_at=_at(rng, reported))
        case = Case.objects.get(pk=case.pk)
        iom = rng.random() < 0.85
        ret = voluntary_return_record(
            actor=worker,
            case=case,
            returned_on=day,
            country=p.nat.code,
            organisation=ReturnOrganisation.IOM if iom else ReturnOrganisation.OTHER,
            organisation_name="" if iom else rng.choice(D.RETURN_ORGANISATIONS),
            escort=case.is_child or rng.random() < 0.25,
            reception=rng.choice(D.RETURN_RECEPTIONS),
            guardian_consulted=True if case.is_child else None,
            best_interests_assessed=True if case.is_child else None,
        )
        for stage in follow_up_stages():
            clk = follow_up_clock(ret, stage)
            if clk is None or clk.ends_on is None or clk.ends_on > self.today:
                continue
            reached = rng.random() < 0.8
            follow_up_record(
                actor=worker,
                ret=ret,
                stage=stage,
                on_date=max(day, clk.ends_on - dt.timedelta(days=rng.randint(0, 10))),
                outcome=FollowUpOutcome.REACHED if reached else FollowUpOutcome.NOT_REACHED,
                **(_follow_up_situation(rng) if reached else {}),
            )
        return case

    def share(
        self, case: Case, lead: Agency, target: Agency, day: dt.date, tl: _Timeline, *, consent: bool
    ) -> None:
        rng = self.rng
        worker = self.workers[lead.code]
        invited_at = _at(rng, day)
        if consent:
            consent_record(
                actor=worker,
                case=case,
                agency=target,
                given_on=day,
                purpose=rng.choice(
                    [
                        "Oppfølging og trygt bosted",
                        "Bistand til retur og reintegrering",
                        "Etterforskning og avhør",
                        "Helsehjelp og oppfølging",
                        "Arbeidsrettet bistand og ytelser",
                    ]
                ),
            )
            tl.events.append(invited_at - dt.timedelta(minutes=30))
        invited = case_invite_agency(
            actor=worker,
            case=case,
            agency=target,
            note=rng.choice(["", "Ber om samarbeid i saken.", "Til orientering og oppfølging."]),
        )
        tl.events.append(invited_at)
        answered = min(self.today, day + dt.timedelta(days=rng.randint(0, 5)))
        accept = rng.random() < 0.9
        participation_respond(actor=self.workers[target.code], participation=invited, accept=accept)
        answered_at = max(invited_at, _at(rng, answered))
        tl.events.append(answered_at)
        tl.participations[target.code] = (invited_at, answered_at)

    def note(self, case: Case, worker: User, day: dt.date, tl: _Timeline) -> None:
        actor = self.coordinator if self.rng.random() < 0.3 else worker
        case_add_note(actor=actor, case=case, text=self.rng.choice(D.NOTES))  # type: ignore[arg-type]
        tl.events.append(_at(self.rng, day) + dt.timedelta(hours=1))

    def backdate(self, case: Case, tl: _Timeline) -> None:
        """Date the case's timeline from its referral date instead of the moment the demo loaded.

        Collected here, written in bulk by flush_backdating()."""
        self.opened.append(Case(pk=case.pk, opened_at=tl.opened))
        event_ids = CaseEvent.objects.filter(case=case).order_by("id").values_list("id", flat=True)
        self.events.extend(CaseEvent(id=i, at=at) for i, at in zip(event_ids, tl.events, strict=True))
        change_ids = StatusChange.objects.filter(case=case).order_by("id").values_list("id", flat=True)
        self.changes.extend(StatusChange(id=i, at=at) for i, at in zip(change_ids, tl.status, strict=True))
        for pk, code, is_lead in CaseParticipation.objects.filter(case=case).values_list(
            "pk", "agency__code", "is_lead"
        ):
            invited_at, answered_at = tl.participations[code]
            self.participations.append(
                CaseParticipation(pk=pk, invited_at=None if is_lead else invited_at, responded_at=answered_at)
            )

    def flush_backdating(self) -> None:
        Case.objects.bulk_update(self.opened, ["opened_at"], batch_size=500)
        CaseEvent.objects.bulk_update(self.events, ["at"], batch_size=500)
        StatusChange.objects.bulk_update(self.changes, ["at"], batch_size=500)
        CaseParticipation.objects.bulk_update(
            self.participations, ["invited_at", "responded_at"], batch_size=500
        )


def load_demo(
    *,
    seed: int = 2026,
    persons: int = 300,
    progress: Callable[[int], None] | None = None,
    with_2009: bool = True,
) -> Summary:
    """Load everything in one transaction. The caller checks demo_loaded() first."""
    with transaction.atomic():
        if demo_loaded():
            return Summary()
        loader = _Loader(seed=seed, today=clock.today())
        loader.agencies_and_users()
        assert loader.coordinator is not None
        if with_2009:
            # First, while no other referral exists: its linkage runs and review answers see only 2009.
            set_2009 = demo2009.load_2009(
                coordinator=loader.coordinator,
                reporters=[(loader.workers[c], loader.agencies[c]) for c in REPORTERS_2009],
                child_reporters=[(loader.workers[c], loader.agencies[c]) for c in CHILD_REPORTERS_2009],
                progress=progress,
            )
            loader.summary.persons_2009 = set_2009.persons
            loader.summary.referrals_2009 = set_2009.referrals
        for _ in range(persons):
            loader.person()
            if progress:
                progress(1)
        loader.flush_backdating()
        prosecution_demo.load_prosecution(workers=loader.workers)  # the verdicts of 2003-2008 (seed 000)
        if with_2009 or persons:
            # Link everything, as a coordinator would; the 2009 review decisions keep binding.
            linkage_run(actor=loader.coordinator, reuse_parameters=with_2009)
        # KOM's national work (issue 19): plans, status reports, the 2000-2010 portfolio, groups.
        load_coordination(coordinator=loader.coordinator, users=loader.workers, agencies=loader.agencies)
        if persons:  # adults who declined help, recorded without identity (issue 22)
            load_anonymous(workers=loader.workers, agencies=loader.agencies, today=clock.today())
        return loader.summary
