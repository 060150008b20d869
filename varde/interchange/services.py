"""Interchange CSV services: parse_rows -> validate_rows -> import_rows, and export_rows.

The format (UTF-8, header row, one referral per line):

    record_id, reporting_agency, referral_date, given_name, family_name, sex, date_of_birth,
    estimated_age, nationality, phone, id_document_number, municipality

Only record_id, reporting_agency (an agency code) and referral_date must have a value. Dates are
ISO 8601, sex F/M/empty, nationality ISO 3166 alpha-2, municipality a kommunenummer.

Every problem is reported as (line number, reason). Reasons never repeat a value from the file:
values are personal data, and messages end up in terminals, logs and tickets.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, TextIO

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from varde.accounts.models import Agency, User
from varde.audit.models import AuditAction
from varde.audit.services import audit_batch, audit_record
from varde.cases.models import Referral
from varde.cases.services import DocumentInput, NameInput, ReportInput, referral_report
from varde.core import clock, hygiene
from varde.core.errors import NotPermitted, VardeError
from varde.core.interchange_format import INTERCHANGE_COLUMNS, REQUIRED_COLUMNS
from varde.persons import codes
from varde.persons.models import DocumentType, NameKind, Person, Sex
from varde.persons.validators import validate_municipality, validate_phone

from .models import ExportRequest

COLUMNS = INTERCHANGE_COLUMNS
REQUIRED_VALUES = REQUIRED_COLUMNS
MAX_LENGTHS = {"record_id": 100, "given_name": 200, "family_name": 200, "id_document_number": 60}
MAX_ESTIMATED_AGE = 120
EARLIEST_DATE = dt.date(1900, 1, 1)
# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The one shape that starts so and is exported as it is: a plain number, e.g. +47 912 34 567 (digits and
# spaces after one leading +; no operators, no parentheses, no letters).
PLAIN_NUMBER = re.compile(r"\+?[0-9][0-9 ]*")
NAME_COLUMNS = ("given_name", "family_name")
MAX_PROBLEMS_SHOWN = 200


class InterchangeError(VardeError):
    """The file cannot be read or imported; `problems` lists (line, reason), without values."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


@dataclass(frozen=True)
class Problem:
    line: int  # the line in the file where the record starts; the header is line 1; 0 = whole file
    reason: str

    def __str__(self) -> str:
        return f"row {self.line}: {self.reason}" if self.line else self.reason


@dataclass
class RawRow:
    line: int
    values: dict[str, str]
    field_count: int


@dataclass
class ValidRow:
    line: int
    agency: Agency
    data: ReportInput


@dataclass
class ImportResult:
    imported: int = 0
    skipped: int = 0
    case_ids: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.imported + self.skipped


# --- parse ----------------------------------------------------------------------------------------


def parse_rows(stream: IO[bytes] | IO[str]) -> tuple[list[str], list[RawRow]]:
    """Read the header and the rows. Raises InterchangeError for an unreadable file or a bad header."""
    raw = stream.read()
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InterchangeError("the file is not UTF-8 text") from None
    else:
        text = raw.removeprefix("\ufeff")
    # An export's watermark line(s) ("# Exported by ...") come before the header; skip them.
    skipped = 0
    while text.startswith("#"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        skipped += 1
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise InterchangeError("the file is empty; it needs a header row")
        header = [h.strip().lower() for h in header]
        _check_header(header)
        rows: list[RawRow] = []
        next_line = reader.line_num + 1 + skipped
        for record in reader:
            line, next_line = next_line, reader.line_num + 1 + skipped
            if not record or all(not cell.strip() for cell in record):
                continue  # blank lines are not rows
            values = {name: (record[i].strip() if i < len(record) else "") for i, name in enumerate(header)}
            rows.append(RawRow(line=line, values=values, field_count=len(record)))
    except csv.Error as error:
        line = reader.line_num + skipped
        if "field larger than field limit" in str(error):
            raise InterchangeError(
                f"line {line}: a field is too long (more than {csv.field_size_limit():,} characters)"
            ) from None
        raise InterchangeError(f"line {line}: the CSV is malformed (check the quoting)") from None
    return header, rows


def _check_header(header: list[str]) -> None:
    problems: list[Problem] = []
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        problems.append(Problem(1, "the header lacks the column(s) " + ", ".join(missing)))
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        shown = ", ".join(repr(h[:40]) for h in unknown[:5])
        problems.append(Problem(1, f"the header has unknown column(s) {shown}"))
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        problems.append(Problem(1, "the header repeats the column(s) " + ", ".join(duplicated)))
    if problems:
        raise InterchangeError("the header row is not the interchange format", problems)


# --- validate -------------------------------------------------------------------------------------


def _iso_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _validate_row(
    row: RawRow, *, header_width: int, agencies: dict[str, Agency], today: dt.date
) -> tuple[ValidRow | None, list[str]]:
    v = row.values
    reasons: list[str] = []
    if row.field_count != header_width:
        reasons.append(f"has {row.field_count} fields, the header has {header_width}")
        return None, reasons
    for name in REQUIRED_VALUES:
        if not v[name]:
            reasons.append(f"{name} is empty")
    for name, limit in MAX_LENGTHS.items():
        if len(v[name]) > limit:
            reasons.append(f"{name} is longer than {limit} characters")
    for name in ("record_id", "given_name", "family_name", "id_document_number"):
        if v[name].startswith(FORMULA_STARTS):
            reasons.append(f"{name} starts with a spreadsheet formula character")
    for name in COLUMNS:
        # The one input-hygiene rule of the pages and the API (varde.core.hygiene), per column.
        problem = hygiene.name_problem(v[name]) if name in NAME_COLUMNS else hygiene.text_problem(v[name])
        if problem is not None:
            reasons.append(f"{name} {hygiene.IMPORT_REASONS[problem]}")
    phone = _unneutralised(v["phone"])

    agency = None
    if v["reporting_agency"]:
        agency = agencies.get(v["reporting_agency"].lower())
        if agency is None:
            reasons.append("reporting_agency is not the code of an active agency")

    referral_date = None
    if v["referral_date"]:
        referral_date = _iso_date(v["referral_date"])
        if referral_date is None:
            reasons.append("referral_date is not an ISO date (YYYY-MM-DD)")
        elif referral_date > today:
            reasons.append("referral_date is in the future")
        elif referral_date < EARLIEST_DATE:
            reasons.append("referral_date is before 1900")

    sex = v["sex"].upper()
    if sex not in ("", Sex.FEMALE, Sex.MALE):
        reasons.append("sex must be F, M or empty")

    date_of_birth = None
    if v["date_of_birth"]:
        date_of_birth = _iso_date(v["date_of_birth"])
        if date_of_birth is None:
            reasons.append("date_of_birth is not an ISO date (YYYY-MM-DD)")
        elif date_of_birth > today:
            reasons.append("date_of_birth is in the future")
        elif referral_date and date_of_birth > referral_date:
            reasons.append("date_of_birth is after referral_date")
        elif date_of_birth < EARLIEST_DATE:
            reasons.append("date_of_birth is before 1900")

    estimated_age = None
    if v["estimated_age"]:
        try:
            estimated_age = int(v["estimated_age"])
        except ValueError:
            reasons.append("estimated_age is not a whole number")
        else:
            if not 0 <= estimated_age <= MAX_ESTIMATED_AGE:
                reasons.append(f"estimated_age is not between 0 and {MAX_ESTIMATED_AGE}")
    if v["date_of_birth"] and v["estimated_age"]:
        reasons.append("give date_of_birth or estimated_age, not both")

    nationality = v["nationality"].upper()
    if nationality and not codes.is_country(nationality):
        reasons.append("nationality is not an ISO 3166 alpha-2 country code")

    for name, value, validator in (
        ("phone", phone, validate_phone),
        ("municipality", v["municipality"], validate_municipality),
    ):
        try:
            validator(value)
        except ValidationError:
            reasons.append(
                f"{name} is not valid" if name == "phone" else "municipality is not a kommunenummer"
            )

    if reasons:
        return None, reasons
    assert agency is not None and referral_date is not None
    data = ReportInput(
        referral_date=referral_date,
        names=[NameInput(given=v["given_name"], family=v["family_name"], kind=NameKind.PRIMARY)]
        if (v["given_name"] or v["family_name"])
        else [],
        sex=sex,
        date_of_birth=date_of_birth,
        estimated_age=estimated_age,
        estimated_age_certainty="",
        nationalities=[nationality] if nationality else [],
        phones=[phone] if phone else [],
        documents=[DocumentInput(doc_type=DocumentType.OTHER, number=v["id_document_number"])]
        if v["id_document_number"]
        else [],
        municipality=v["municipality"],
        external_id=v["record_id"],
    )
    return ValidRow(line=row.line, agency=agency, data=data), []


def validate_rows(header: list[str], rows: list[RawRow]) -> tuple[list[ValidRow], list[Problem]]:
    """Check every row; returns the valid rows and every problem found (all rows, not just the first)."""
    agencies = {a.code.lower(): a for a in Agency.objects.filter(is_active=True)}
    today = clock.today()
    valid: list[ValidRow] = []
    problems: list[Problem] = []
    first_seen: dict[str, int] = {}
    for row in rows:
        checked, reasons = _validate_row(row, header_width=len(header), agencies=agencies, today=today)
        record_id = row.values.get("record_id", "")
        key = f"{row.values.get('reporting_agency', '').lower()}\x00{record_id}"
        if record_id and key in first_seen:
            reasons.append(f"record_id repeats the one on row {first_seen[key]}")
        elif record_id:
            first_seen[key] = row.line
        problems.extend(Problem(row.line, r) for r in reasons)
        if checked is not None and not reasons:
            valid.append(checked)
    return valid, problems


# --- import ---------------------------------------------------------------------------------------


def check_can_import(*, user: User, rows: Iterable[ValidRow]) -> None:
    """The importing user reports for every agency in the file: a coordinator, or a caseworker there."""
    if not (user.is_active and user.can_work_with_cases):
        raise InterchangeError("the user may not import referrals (needs a caseworker or coordinator role)")
    if user.is_coordinator:
        return
    mine = user.case_agency_ids()
    foreign = sorted({r.agency.code for r in rows if r.agency.pk not in mine})
    if foreign:
        raise InterchangeError(
            "the user is not a caseworker of the reporting agency/agencies " + ", ".join(foreign)
        )


def import_rows(
    *, actor: User, rows: list[ValidRow], progress: Callable[[int], None] | None = None
) -> ImportResult:
    """Create one person + case + referral per row, all or nothing; rows already imported are skipped."""
    check_can_import(user=actor, rows=rows)
    result = ImportResult()
    try:
        # audit_batch: the rows' audit events are chained at the end, so the chain head is locked
        # for milliseconds before the commit, not for the whole import (issue 21, finding 4).
        with transaction.atomic(), audit_batch():
            existing = _existing_keys(rows)
            for row in rows:
                if (row.agency.pk, row.data.external_id) in existing:
                    result.skipped += 1
                else:
                    case = referral_report(actor=actor, agency=row.agency, data=row.data)
                    result.imported += 1
                    result.case_ids.append(str(case.pk))
                if progress:
                    progress(1)
            audit_record(
                actor=actor,
                action=AuditAction.IMPORT,
                obj=("interchange.csv", ""),
                detail={"rows": result.total, "imported": result.imported, "skipped": result.skipped},
            )
    except IntegrityError:
        # Someone imported the same records at the same moment; nothing of this run was saved.
        raise InterchangeError(
            "another import of the same records ran at the same time; nothing was saved"
        ) from None
    except ValidationError:
        raise InterchangeError("a row was refused by the referral rules; nothing was saved") from None
    return result


def _existing_keys(rows: list[ValidRow]) -> set[tuple[object, str]]:
    """(agency id, record_id) pairs already in Varde: imported before under that record_id, or
    exported from Varde, where a referral without a record_id of its own goes out under its id."""
    ids = {r.data.external_id for r in rows}
    agency_ids = {r.agency.pk for r in rows}
    keys: set[tuple[object, str]] = set()
    found = Referral.objects.filter(reporting_agency_id__in=agency_ids, external_id__in=ids)
    keys.update(found.values_list("reporting_agency_id", "external_id"))
    uuids: dict[uuid.UUID, str] = {}
    for record_id in ids:
        try:
            uuids[uuid.UUID(record_id)] = record_id
        except ValueError:
            continue
    if uuids:
        own = Referral.objects.filter(reporting_agency_id__in=agency_ids, external_id="", pk__in=list(uuids))
        keys.update((agency_id, uuids[pk]) for agency_id, pk in own.values_list("reporting_agency_id", "pk"))
    return keys


# --- export ---------------------------------------------------------------------------------------


def _cell(value: str) -> str:
    """Neutralise spreadsheet formulas (OWASP, CSV injection): a cell starting with = + - @ tab or
    carriage return gets a leading apostrophe, so that a spreadsheet shows it as text. Only a plain
    number such as +47 912 34 567 stays as it is: a phone-shaped -1-1-1-1 or +47 912-34-567 is
    arithmetic to a spreadsheet, which would compute it (issue 21)."""
    if value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def _unneutralised(value: str) -> str:
    """The value before `_cell` neutralised it, so that a phone number exported as '+47 912-34-567
    imports back as it was."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def _person_columns(person: Person) -> dict[str, str]:
    names = list(person.names.all())
    primary = next((n for n in names if n.kind == NameKind.PRIMARY), names[0] if names else None)
    phones = list(person.phones.all())
    documents = list(person.documents.all())
    return {
        "given_name": primary.given if primary else "",
        "family_name": primary.family if primary else "",
        "sex": person.sex if person.sex in (Sex.FEMALE, Sex.MALE) else "",
        "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else "",
        "estimated_age": "" if person.estimated_age is None else str(person.estimated_age),
        "nationality": person.nationalities[0] if person.nationalities else "",
        "phone": phones[0].number if phones else "",
        "id_document_number": documents[0].number if documents else "",
    }


def export_referrals(referrals: QuerySet[Referral]) -> Iterator[Referral]:
    return (
        referrals.select_related("case", "case__person", "reporting_agency")
        .prefetch_related("case__person__names", "case__person__phones", "case__person__documents")
        .order_by("referral_date", "created_at")
        .iterator(chunk_size=500)
    )


def export_rows(
    *, user: User, referrals: QuerySet[Referral], out: TextIO, request: ExportRequest | None
) -> int:
    """Write the interchange CSV of `referrals` (what the user may see: `varde.access.interchange`
    passes them); audited as one export. Returns the row count.

    Identified data: `request` must be the user's own export request, approved by another person and
    not used before (varde.interchange.approval); it is used up here. The first line is a watermark
    naming who exported, when, and the request.

    Nothing reaches `out` before the export event is written: the rows are built in memory, the
    audit event recorded, and only then is the file written. Call it inside the transaction that
    also covers writing a file, so that a failed write leaves no export event behind.
    """
    from .approval import check_usable, mark_used, watermark

    request = check_usable(user=user, request=request)
    at = clock.now()
    buffer = io.StringIO()
    buffer.write(watermark(user=user, request=request, at=at) + "\n")
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    count = 0
    case_ids: set[str] = set()
    with transaction.atomic():
        if not mark_used(request):
            raise NotPermitted("This export request has been used already.")
        for referral in export_referrals(referrals):
            row = {
                "record_id": referral.external_id or str(referral.pk),
                "reporting_agency": referral.reporting_agency.code,
                "referral_date": referral.referral_date.isoformat(),
                "municipality": referral.municipality,
                **_person_columns(referral.case.person),
            }
            writer.writerow({k: _cell(v) for k, v in row.items()})
            count += 1
            case_ids.add(str(referral.case_id))
        audit_record(
            actor=user,
            action=AuditAction.EXPORT,
            obj=("interchange.csv", ""),
            detail={
                "rows": count,
                "cases": sorted(case_ids),
                "request": str(request.pk),
                "approved_by": str(request.approved_by_id),
            },
        )
    out.write(buffer.getvalue())
    return count
