"""The project portfolio in and out of spreadsheets (XLSX and CSV), and the portfolio's writes.

One row per project; the agreement's columns repeat on each of its projects' rows and must agree.
Amounts are in columns named by the year (2000, 2001, ...), whole NOK. Import is all or nothing:
every row is checked first, and any problem refuses the whole file, naming the row (the spreadsheet's
row number; the header is row 1) and the column; nothing is saved. A project reference already in the
portfolio is a problem, so a file cannot be imported twice. Export writes the same columns, so an
exported file can be imported into another Varde.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from varde.accounts.models import User
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.core.errors import NotPermitted, VardeError

from . import portfolio
from .models import (
    Agreement,
    Channel,
    Measure,
    Objective,
    PortfolioImport,
    Project,
    ProjectAmount,
    Region,
)
from .roles import is_coordinator

COLUMNS: tuple[str, ...] = (
    "agreement",
    "agreement_title",
    "partner",
    "channel",
    "country",
    "region",
    "section",
    "objective",
    "project",
    "project_title",
    "start",
    "end",
    "measures",
)
REQUIRED = ("agreement", "partner", "channel", "country", "region", "section", "project", "start", "end")
AGREEMENT_COLUMNS = ("agreement_title", "partner", "channel", "country", "region", "section", "objective")
MAX_LENGTHS = {
    "agreement": 40,
    "agreement_title": 300,
    "partner": 200,
    "country": 100,
    "section": 200,
    "project": 40,
    "project_title": 300,
}
YEAR_COLUMN = re.compile(r"^(19|20)\d\d$")
FORMULA_STARTS = ("=", "+", "@", "\t", "\r")
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
MAX_PROBLEMS = 200
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PortfolioImportError(VardeError):
    """The file is refused; `problems` lists every problem found, each naming its row."""

    code = "portfolio_import_refused"

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


@dataclass(frozen=True)
class Problem:
    row: int  # the spreadsheet row (header = 1); 0 = the whole file
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row else _("the file")
        return f"{where}, {self.column}: {self.reason}" if self.column else f"{where}: {self.reason}"


@dataclass
class Row:
    number: int
    values: dict[str, Any]


@dataclass
class CheckedRow:
    number: int
    agreement: dict[str, str]
    project: dict[str, Any]
    amounts: dict[int, int]
    measures: list[Measure] = field(default_factory=list)


@dataclass
class ImportResult:
    rows: int = 0
    agreements_created: int = 0
    projects_created: int = 0


# --- reading --------------------------------------------------------------------------------------------


def _read_csv(content: bytes) -> tuple[list[str], list[Row]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PortfolioImportError(_("The CSV file is not UTF-8 text.")) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise PortfolioImportError(_("The file is empty; it needs a header row."))
        rows = []
        line = reader.line_num + 1
        for record in reader:
            number, line = line, reader.line_num + 1
            if any(cell.strip() for cell in record):
                rows.append(
                    Row(
                        number,
                        {
                            h.strip().lower(): (record[i] if i < len(record) else "")
                            for i, h in enumerate(header)
                        },
                    )
                )
    except csv.Error:
        raise PortfolioImportError(
            _("Line %(line)s: the CSV is malformed (check the quoting).") % {"line": reader.line_num}
        ) from None
    return [h.strip().lower() for h in header], rows


def _read_xlsx(content: bytes) -> tuple[list[str], list[Row]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - any unreadable file is the same answer to the user
        raise PortfolioImportError(_("The file is not a readable XLSX workbook.")) from None
    sheet = book.worksheets[0]
    rows_iter = sheet.iter_rows(values_only=True)
    first = next(rows_iter, None)
    if not first:
        raise PortfolioImportError(_("The file is empty; it needs a header row."))
    header = [str(h).strip().lower() if h is not None else "" for h in first]
    rows = []
    for number, record in enumerate(rows_iter, start=2):
        if all(cell is None or str(cell).strip() == "" for cell in record):
            continue
        rows.append(
            Row(number, {h: record[i] if i < len(record) else None for i, h in enumerate(header) if h})
        )
    book.close()
    return header, rows


def read_file(filename: str, content: bytes) -> tuple[list[str], list[Row]]:
    if len(content) > MAX_BYTES:
        raise PortfolioImportError(_("The file is larger than 5 MB."))
    name = filename.lower()
    if name.endswith(".xlsx"):
        header, rows = _read_xlsx(content)
    elif name.endswith(".csv"):
        header, rows = _read_csv(content)
    else:
        raise PortfolioImportError(_("Give an .xlsx or .csv file."))
    if len(rows) > MAX_ROWS:
        raise PortfolioImportError(_("The file has more than %(n)s rows.") % {"n": MAX_ROWS})
    missing = [c for c in COLUMNS if c not in header]
    unknown = [h for h in header if h and h not in COLUMNS and not YEAR_COLUMN.match(h)]
    problems = []
    if missing:
        problems.append(Problem(1, "", _("the header lacks the column(s) %(c)s") % {"c": ", ".join(missing)}))
    if unknown:
        problems.append(Problem(1, "", _("unknown column(s) %(c)s") % {"c": ", ".join(unknown)}))
    if not any(YEAR_COLUMN.match(h) for h in header):
        problems.append(Problem(1, "", _("no amount column: name one column per year, e.g. 2007")))
    if problems:
        raise PortfolioImportError(_("The file was refused; nothing was saved."), problems)
    return header, rows


# --- checking ---------------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _short(value: str) -> str:
    return value if len(value) <= 40 else value[:37] + "..."


def _choice(value: str, choices: Any) -> str | None:
    wanted = value.strip().lower()
    for code, label in choices.choices:
        if wanted in (str(code).lower(), str(label).lower()):
            return str(code)
    return None


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(_text(value))
    except ValueError:
        return None


def _amount(value: Any) -> int | None | str:
    """Whole NOK, or None for an empty cell, or 'bad'."""
    if value is None or _text(value) == "":
        return None
    if isinstance(value, int):
        return value if value >= 0 else "bad"
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 0 else "bad"
    digits = re.sub(r"[\s\u00a0\u202f]", "", str(value))
    return int(digits) if digits.isdigit() else "bad"


def _measures(value: str, known: dict[tuple[str, int], Measure]) -> tuple[list[Measure], list[str]]:
    found, bad = [], []
    for token in re.split(r"[;,\s]+", value.strip()):
        if not token:
            continue
        plan, _sep, number = token.rpartition(":")
        measure = known.get((plan, int(number))) if number.isdigit() else None
        if measure is None:
            bad.append(token)
        else:
            found.append(measure)
    return found, bad


def _check_row(
    row: Row, years: list[str], known: dict[tuple[str, int], Measure]
) -> tuple[CheckedRow | None, list[Problem]]:
    problems: list[Problem] = []

    def problem(column: str, reason: str) -> None:
        problems.append(Problem(row.number, column, reason))

    v = {c: _text(row.values.get(c)) for c in COLUMNS}
    for c, text in v.items():
        if text.startswith(FORMULA_STARTS):
            problem(c, _("a formula or a value starting with %(s)s; enter the value itself") % {"s": text[0]})
    for c in REQUIRED:
        if not v[c]:
            problem(c, _("is empty"))
    for c, limit in MAX_LENGTHS.items():
        if len(v[c]) > limit:
            problem(c, _("longer than %(n)s characters") % {"n": limit})
    channel = _choice(v["channel"], Channel) if v["channel"] else None
    if v["channel"] and channel is None:
        problem(
            "channel",
            _("%(v)s is not a channel (iom, un, norwegian_ngo, local_ngo, other)")
            % {"v": _short(v["channel"])},
        )
    region = _choice(v["region"], Region) if v["region"] else None
    if v["region"] and region is None:
        problem(
            "region",
            _("%(v)s is not a region (%(all)s)")
            % {"v": _short(v["region"]), "all": ", ".join(Region.values)},
        )
    objective = _choice(v["objective"], Objective) if v["objective"] else Objective.MAIN
    if objective is None:
        problem("objective", _("%(v)s is not main or subsidiary") % {"v": _short(v["objective"])})
    start, end = _date(row.values.get("start")), _date(row.values.get("end"))
    if v["start"] and start is None:
        problem("start", _("not a date (YYYY-MM-DD)"))
    if v["end"] and end is None:
        problem("end", _("not a date (YYYY-MM-DD)"))
    if start and end and end < start:
        problem("end", _("before the start"))
    amounts: dict[int, int] = {}
    for y in years:
        value = _amount(row.values.get(y))
        if value == "bad":
            problem(y, _("not a whole, non-negative amount in NOK"))
        elif isinstance(value, int) and value > 0:
            amounts[int(y)] = value
    if not amounts and not any(p.column in years for p in problems):
        problem("", _("no amount in any year"))
    if start and end and amounts:
        outside = sorted(y for y in amounts if not start.year <= y <= end.year)
        if outside:
            problem(str(outside[0]), _("an amount outside the project's start and end"))
    measures, bad = _measures(v["measures"], known)
    if bad:
        problem(
            "measures",
            _("unknown measure(s) %(m)s (write plan:number, e.g. 2006-2009:33)")
            % {"m": _short(", ".join(bad))},
        )
    if problems:
        return None, problems
    return (
        CheckedRow(
            number=row.number,
            agreement={
                "number": v["agreement"],
                "title": v["agreement_title"] or v["project_title"] or v["agreement"],
                "partner": v["partner"],
                "channel": str(channel),
                "country": v["country"],
                "region": str(region),
                "section": v["section"],
                "objective": str(objective),
            },
            project={
                "reference": v["project"],
                "title": v["project_title"] or v["agreement_title"] or v["project"],
                "start": start,
                "end": end,
            },
            amounts=amounts,
            measures=measures,
        ),
        [],
    )


AGREEMENT_FIELDS = ("title", "partner", "channel", "country", "region", "section", "objective")


def check_rows(header: list[str], rows: list[Row]) -> tuple[list[CheckedRow], list[Problem]]:
    """Every row checked (all problems, not just the first), then the rows against each other and
    against the portfolio: an agreement's columns agree everywhere, no project twice."""
    years = [h for h in header if YEAR_COLUMN.match(h)]
    known = {(m.plan.code, m.number): m for m in Measure.objects.select_related("plan")}
    checked: list[CheckedRow] = []
    problems: list[Problem] = []
    for row in rows:
        ok, found = _check_row(row, years, known)
        problems += found
        if ok is not None:
            checked.append(ok)
    first_agreement: dict[str, CheckedRow] = {}
    first_project: dict[str, int] = {}
    existing_agreements = {
        a.number: a for a in Agreement.objects.filter(number__in={c.agreement["number"] for c in checked})
    }
    existing_projects = set(
        Project.objects.filter(reference__in={c.project["reference"] for c in checked}).values_list(
            "reference", flat=True
        )
    )
    for c in checked:
        number = c.agreement["number"]
        first = first_agreement.setdefault(number, c)
        for f in AGREEMENT_FIELDS:
            if c.agreement[f] != first.agreement[f]:
                column = "agreement_title" if f == "title" else f
                problems.append(
                    Problem(
                        c.number,
                        column,
                        _("differs from row %(r)s for the same agreement") % {"r": first.number},
                    )
                )
        stored = existing_agreements.get(number)
        if stored is not None and first is c:
            for f in AGREEMENT_FIELDS:
                if f != "title" and getattr(stored, f) != c.agreement[f]:
                    problems.append(
                        Problem(c.number, f, _("differs from the agreement already in the portfolio"))
                    )
        reference = c.project["reference"]
        if reference in first_project:
            problems.append(
                Problem(c.number, "project", _("repeats row %(r)s") % {"r": first_project[reference]})
            )
        else:
            first_project[reference] = c.number
        if reference in existing_projects:
            problems.append(Problem(c.number, "project", _("already in the portfolio")))
    problems.sort(key=lambda p: (p.row, p.column))
    return checked, problems


# --- writing ----------------------------------------------------------------------------------------------


def _check_may_write(actor: User) -> None:
    if not is_coordinator(actor):
        raise NotPermitted(_("Only KOM's coordinators change the project portfolio."))


@transaction.atomic
def portfolio_import(*, actor: User, filename: str, content: bytes) -> ImportResult:
    """Import a spreadsheet, all or nothing (PortfolioImportError lists every problem by row)."""
    _check_may_write(actor)
    header, rows = read_file(filename, content)
    checked, problems = check_rows(header, rows)
    if problems:
        raise PortfolioImportError(_("The file was refused; nothing was saved."), problems[:MAX_PROBLEMS])
    if not checked:
        raise PortfolioImportError(_("The file has no rows."))
    result = ImportResult(rows=len(checked))
    agreements = {
        a.number: a for a in Agreement.objects.filter(number__in={c.agreement["number"] for c in checked})
    }
    for c in checked:
        agreement = agreements.get(c.agreement["number"])
        if agreement is None:
            agreement = Agreement.objects.create(**c.agreement)
            agreements[agreement.number] = agreement
            result.agreements_created += 1
        project = Project.objects.create(agreement=agreement, **c.project)
        ProjectAmount.objects.bulk_create(
            ProjectAmount(project=project, year=y, nok=n) for y, n in sorted(c.amounts.items())
        )
        if c.measures:
            project.measures.set(c.measures)
        result.projects_created += 1
    record = PortfolioImport.objects.create(
        filename=filename[-200:],
        rows=result.rows,
        agreements_created=result.agreements_created,
        projects_created=result.projects_created,
        by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT,
        obj=record,
        detail={
            "rows": result.rows,
            "agreements": result.agreements_created,
            "projects": result.projects_created,
        },
    )
    return result


# --- reading the portfolio ----------------------------------------------------------------------------------


def projects_with_amounts() -> QuerySet[Project]:
    return Project.objects.select_related("agreement").prefetch_related(
        "amounts", Prefetch("measures", queryset=Measure.objects.select_related("plan"))
    )


def rows_for_summary() -> tuple[list[portfolio.AgreementRow], list[portfolio.ProjectRow]]:
    agreements = [
        portfolio.AgreementRow(a.number, a.partner, a.channel, a.country, a.region, a.section, a.objective)
        for a in Agreement.objects.all()
    ]
    amounts: dict[Any, dict[int, int]] = {}
    for year, nok, project_id in ProjectAmount.objects.values_list("year", "nok", "project_id"):
        amounts.setdefault(project_id, {})[year] = nok
    projects = [
        portfolio.ProjectRow(reference, number, amounts.get(pk, {}))
        for pk, reference, number in Project.objects.values_list("pk", "reference", "agreement__number")
    ]
    return agreements, projects


def portfolio_summary(*, year_from: int, year_to: int) -> dict[str, Any]:
    agreements, projects = rows_for_summary()
    return portfolio.summarise(agreements, projects, year_from=year_from, year_to=year_to)


# --- export -------------------------------------------------------------------------------------------------


def _cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def export_rows(projects: Iterable[Project]) -> tuple[list[str], Iterator[list[Any]]]:
    projects = list(projects)
    years = sorted({a.year for p in projects for a in p.amounts.all()})
    header = [*COLUMNS, *map(str, years)]

    def rows() -> Iterator[list[Any]]:
        for p in projects:
            a = p.agreement
            by_year = {x.year: x.nok for x in p.amounts.all()}
            yield [
                _cell(a.number),
                _cell(a.title),
                _cell(a.partner),
                a.channel,
                _cell(a.country),
                a.region,
                _cell(a.section),
                a.objective,
                _cell(p.reference),
                _cell(p.title),
                p.start.isoformat(),
                p.end.isoformat(),
                " ".join(f"{m.plan.code}:{m.number}" for m in p.measures.all()),
                *[by_year.get(y, "") for y in years],
            ]

    return header, rows()


def export_csv(projects: Iterable[Project]) -> bytes:
    header, rows = export_rows(projects)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def export_xlsx(projects: Iterable[Project]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    header, rows = export_rows(projects)
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Portfolio"
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
