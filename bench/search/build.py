"""A quick database for the case list benchmark: N synthetic cases written in bulk (no services).

    .venv/bin/python bench/search/build.py --cases 100000 [--database-url URL]

20 agencies with a caseworker each in the first, KOM with a coordinator (taking part in 300 cases);
per case a person (a birth date, or an estimated age), one name drawn from 25 given and 25 family
names (half of the family names with a number added, so that names repeat as in a real caseload
but not all alike), a phone, a passport, the lead participation, one referral with a form of
exploitation, and the person's search keys (varde.linkage.search_keys). No clocks, events, audit
rows or notifications: for those, build the response benchmark's database and run `run.py` on it.
Takes about 2.5 minutes for 100,000 cases on two shared cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/varde_search_bench"

GIVEN = [
    "Blessing",
    "Joy",
    "Precious",
    "Mihai",
    "Amina",
    "Liang",
    "Muhammad",
    "Mohamed",
    "Fatima",
    "Yelena",
    "Olena",
    "Nguyen",
    "Esther",
    "Grace",
    "Ahmed",
    "Sergei",
    "Irina",
    "Ana",
    "Maria",
    "Tatiana",
    "Ali",
    "Hussein",
    "Aisha",
    "Osagie",
    "Chinwe",
]
FAMILY = [
    "Okafor",
    "Eze",
    "Adeyemi",
    "Popescu",
    "Yusuf",
    "Wei",
    "Bello",
    "Ivanova",
    "Igbinovia",
    "Obi",
    "Hassan",
    "Karimi",
    "Nguyen",
    "Tran",
    "Petrov",
    "Smirnova",
    "Osagie",
    "Okoro",
    "Ali",
    "Rahman",
    "Mensah",
    "Boateng",
    "Kovacs",
    "Horvat",
    "Garcia",
]
CHUNK = 5000
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # a case reference's (varde.cases.services._new_reference)


def _suffix(i: int) -> str:
    digits = []
    for _ in range(6):
        i, d = divmod(i, len(ALPHABET))
        digits.append(ALPHABET[d])
    return "".join(reversed(digits))


def _create_database(url: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args(argv)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("VARDE_ENV", "development")
    os.environ.setdefault("SECRET_KEY", "bench-only-key-not-secret-" + "x" * 40)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    _create_database(args.database_url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from varde.accounts.models import Agency, AgencyKind, Membership, Role, User
    from varde.cases.models import Case, CaseParticipation, PersonSearchKey, Referral
    from varde.linkage.search_keys import person_search_keys
    from varde.persons.models import IdentityDocument, Person, PersonName, PhoneNumber

    call_command("migrate", verbosity=0, interactive=False)
    if Case.objects.exists():
        raise SystemExit("the database has cases already: drop it first, or give another --database-url")
    rng = random.Random(7)
    agencies = [
        Agency.objects.create(code=f"bench-{i}", name=f"Agency {i}", kind=AgencyKind.POLICE_DISTRICT)
        for i in range(20)
    ]
    kom = Agency.objects.create(code="kom", name="KOM", kind=AgencyKind.KOM)
    coordinator = User.objects.create_user(username="bench-kom", password=uuid.uuid4().hex)
    Membership.objects.create(user=coordinator, agency=kom, role=Role.COORDINATOR)
    worker = User.objects.create_user(username="bench-police", password=uuid.uuid4().hex)
    Membership.objects.create(user=worker, agency=agencies[0], role=Role.CASEWORKER)
    now = timezone.now()
    started = time.time()
    kom_cases = set(rng.sample(range(args.cases), min(300, args.cases)))
    for start in range(0, args.cases, CHUNK):
        rows: dict[str, list[object]] = {k: [] for k in ("p", "n", "t", "d", "c", "cp", "r", "k")}
        for i in range(start, min(args.cases, start + CHUNK)):
            pid, cid = uuid.uuid4(), uuid.uuid4()
            dob = (
                dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(20000)) if rng.random() < 0.6 else None
            )
            est = None if dob else rng.randrange(10, 40)
            on = dt.date(2025, 1, 1) if est is not None else None
            rows["p"].append(Person(id=pid, date_of_birth=dob, estimated_age=est, age_estimated_on=on))
            given = rng.choice(GIVEN)
            family = rng.choice(FAMILY) + ("" if rng.random() < 0.5 else str(rng.randrange(1000)))
            phone, passport = f"+47 9{rng.randrange(10**7):07d}", f"P{rng.randrange(10**8):08d}"
            rows["n"].append(PersonName(person_id=pid, given=given, family=family))
            rows["t"].append(PhoneNumber(person_id=pid, number=phone))
            rows["d"].append(IdentityDocument(person_id=pid, doc_type="passport", number=passport))
            agency = agencies[i % len(agencies)]
            opened = now - dt.timedelta(minutes=i * 7)
            rows["c"].append(
                Case(
                    id=cid,
                    reference=f"V{opened.year % 100:02d}-{_suffix(i)}",
                    person_id=pid,
                    lead_agency=agency,
                    status=rng.choice(["reported", "under_assessment", "identified", "assistance", "closed"]),
                    is_child=est is not None and est < 18,
                    opened_at=opened,
                )
            )
            rows["cp"].append(CaseParticipation(case_id=cid, agency=agency, state="active", is_lead=True))
            if i in kom_cases:
                rows["cp"].append(CaseParticipation(case_id=cid, agency=kom, state="active"))
            rows["r"].append(
                Referral(
                    case_id=cid,
                    reporting_agency=agency,
                    reported_by=worker,
                    referral_date=opened.date(),
                    exploitation_forms=[
                        rng.choice(["sexual", "forced_labour", "begging", "forced_criminality"])
                    ],
                )
            )
            keys = person_search_keys(
                names=[(given, family)],
                phones=[phone],
                documents=[passport],
                date_of_birth=dob,
                estimated_age=est,
                estimated_on=on,
            )
            rows["k"].extend(PersonSearchKey(person_id=pid, key=k) for k in keys)
        for model, key in (
            (Person, "p"),
            (PersonName, "n"),
            (PhoneNumber, "t"),
            (IdentityDocument, "d"),
            (Case, "c"),
            (CaseParticipation, "cp"),
            (Referral, "r"),
            (PersonSearchKey, "k"),
        ):
            model.objects.bulk_create(rows[key], batch_size=CHUNK)  # type: ignore[attr-defined]
        print(f"{min(args.cases, start + CHUNK)} cases, {time.time() - started:.0f} s", file=sys.stderr)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
