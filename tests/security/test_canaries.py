"""Canaries (issue #7): a unique marker in every sensitive field of every case; every page, htmx
fragment, API response, export and the log output, as each persona. A marker may appear only where
that persona may see the case's personal data, and never in logs, statistics or HTCDS output.

The world and the expected visibility are in canary_world.py. The figures of a run are printed
(pytest -s) and checked for plausibility: a crawl that sees no marker cannot pass.
"""

from __future__ import annotations

import io
import logging
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import product
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from django.utils.log import configure_logging
from rest_framework.test import APIClient

from tests.conftest import PASSWORD, login_verified, otp_code, verified
from tests.security.canary_world import (
    CANARIED,
    MARKER_RE,
    NON_SENSITIVE,
    PERSONA_NAMES,
    World,
    build_world,
    case_models,
    marker,
    text_fields,
)

pytestmark = pytest.mark.django_db

MAX_LINKED_PAGES = 250  # per persona, links followed from the dashboard (same origin, GET only)
SKIP_LINKS = ("/sign-out/", "/static/", "/i18n/", "/admin/logout/", "/api/auth/")


# --- the inventory keeps up with the schema ----------------------------------------------------------


def test_inventory_covers_the_schema():
    """Every text field of a model tied to a case is canaried, or named non-sensitive with a reason,
    or a choice field (a code from a fixed list): a new free-text field fails here until classified."""
    unclassified = []
    present = set()
    for model in case_models():
        for f in text_fields(model):
            key = (model._meta.label, f.name)
            present.add(key)
            if key in CANARIED or key in NON_SENSITIVE or f.choices:
                continue
            unclassified.append(key)
    assert not unclassified, f"classify these fields in tests/security/canary_world.py: {unclassified}"
    stale = (set(CANARIED) | set(NON_SENSITIVE)) - present
    assert not stale, f"no longer in the schema (or no longer tied to a case): {sorted(stale)}"
    assert ("persons.PersonName", "given") in present and ("response.MeetingDecision", "text") in present


def test_the_world_carries_every_canary(world_with_canaries):
    """Each canaried field holds a marker for every case that has such rows; the core ones in all."""
    w = world_with_canaries
    per_case = defaultdict(set)
    for i, key in w.filled:
        per_case[i].add(key)
    everywhere = {k for k, c in CANARIED.items() if c.who == "case"}
    for i in range(len(w.cases)):
        missing = everywhere - per_case[i]
        # only case 3 has a lifted presumption; the rest must carry every "case" canary
        assert missing <= {("identification.AgePresumption", "lifted_reason")}, (i, missing)
    assert (3, ("identification.AgePresumption", "lifted_reason")) in w.filled
    assert (5, ("audit.BreakGlassAccess", "reason")) in w.filled
    # the pair is stored in canonical order, so the decision belongs to case 5 or case 6
    assert {(5, ("linkage.ReviewDecision", "reason")), (6, ("linkage.ReviewDecision", "reason"))} & w.filled
    # the independent rule gives the patterns the world was built for
    assert w.visible["police"] == {0, 1, 6}
    assert w.visible["childwelfare"] == {1, 2, 3}
    assert w.visible["ngo"] == {0, 4, 5}
    assert w.visible["coordinator"] == {5, 6}
    for name in ("analyst", "outsider", "agency_admin", "sysadmin", "auditor"):
        assert w.visible[name] == set(), name


@pytest.fixture
def world_with_canaries(personas, agencies) -> World:
    return build_world(personas, agencies)


# --- finding markers ------------------------------------------------------------------------------------


@dataclass
class Leak:
    persona: str
    where: str
    found: str
    case_index: int

    def __str__(self) -> str:
        return f"{self.persona}: {self.found} (case {self.case_index}) in {self.where}"


@dataclass
class Tally:
    responses: int = 0
    urls: set[str] = field(default_factory=set)
    leaks: list[Leak] = field(default_factory=list)
    seen: dict[str, dict[int, set[tuple[str, str] | None]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set))
    )
    skipped_patterns: set[str] = field(default_factory=set)
    statuses: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    csv: dict[str, int] = field(default_factory=dict)  # persona -> markers in their CSV exports

    def scan(self, world: World, persona: str | None, where: str, text: str) -> int:
        """Record every marker in `text`: a leak unless `persona` may see it (persona None: nobody may)."""
        found = 0
        for m in MARKER_RE.finditer(text):
            found += 1
            case_index = int(m.group(1))
            key = world.markers.get(m.group(0).upper(), (case_index, None))[1]
            ok = persona is not None and (
                world.allowed(persona, case_index, key)
                if key is not None
                else case_index in world.visible[persona]
            )
            if persona is not None:
                self.seen[persona][case_index].add(key)
            if not ok:
                context = text[max(0, m.start() - 300) : m.end() + 60].replace("\n", " | ")
                self.leaks.append(Leak(persona or "-", f"{where} ...{context}", m.group(0), case_index))
        return found


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def body_text(response: Any) -> str:
    """Headers and body as text; an XLSX workbook (a zip) as the values of all its cells. (A PDF from
    WeasyPrint holds glyph ids in compressed streams, not text: the HTML it is made from is crawled.)"""
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    headers = "\n".join(f"{k}: {v}" for k, v in response.items())
    if response.get("Content-Type", "").startswith(XLSX) and response.status_code == 200:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(content), read_only=True)
        cells = [
            str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row
        ]
        return headers + "\n" + "\n".join(cells)
    return headers + "\n" + content.decode("utf-8", errors="replace")


class Links(HTMLParser):
    """a[href], htmx hx-get and form[method=get] actions: what a user (or htmx) may GET from a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.found.append(a["href"] or "")
        if a.get("hx-get"):
            self.found.append(a["hx-get"] or "")
        if tag == "form" and (a.get("method") or "get").lower() == "get" and a.get("action"):
            self.found.append(a["action"] or "")


def same_origin_links(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    out = []
    for href in parser.found:
        href = urldefrag(href)[0]
        parts = urlsplit(href)
        if parts.scheme and parts.netloc != "testserver":
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if not path.startswith("/") or path.startswith("//") or path.startswith(SKIP_LINKS):
            continue
        out.append(path)
    return out


# --- every GET URL pattern, instantiated with the world's ids -------------------------------------------


def url_templates() -> Iterator[tuple[str, list[str]]]:
    """(route with <converter:name> placeholders, parameter names) of every route pattern."""

    def walk(patterns: list[Any], prefix: str) -> Iterator[tuple[str, list[str]]]:
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if not isinstance(p.pattern, RoutePattern) and any(ch in route for ch in "^$()[]*+?\\"):
                    yield route, ["<regex>"]
                    continue
                yield route, list(p.pattern.converters)

    yield from walk(get_resolver().url_patterns, "/")


def _param_values(world: World) -> dict[str, list[tuple[str, Any]]]:
    """Values for each URL parameter name: (value, the case it belongs to or None)."""
    from varde.accounts.models import Agency, Membership
    from varde.cases.models import CaseParticipation, Consent
    from varde.identification.models import Assessment, LocalQuestion
    from varde.interchange.models import ExportRequest
    from varde.linkage.models import ReviewDecision, ReviewItem
    from varde.prosecution.models import CriminalCase, PerpetratorLink
    from varde.response.models import Clock, MissingEpisode, Notification, Task
    from varde.statistics.charts import CHARTS

    ids = [c.pk for c in world.cases]

    def rows(model: Any, **kw: Any) -> list[tuple[str, Any]]:
        return [(str(o.pk), getattr(o, "case_id", None)) for o in model.objects.filter(**kw)]

    return {
        "case_id": [(str(c.pk), c.pk) for c in world.cases],
        "person_id": [(str(c.person_id), c.pk) for c in world.cases],
        "participation_id": rows(CaseParticipation, case_id__in=ids),
        "invitation_id": rows(CaseParticipation, case_id__in=ids),
        "consent_id": rows(Consent, case_id__in=ids),
        "assessment_id": rows(Assessment, case_id__in=ids),
        "clock_id": rows(Clock, case_id__in=ids),
        "episode_id": rows(MissingEpisode, case_id__in=ids),
        "task_id": rows(Task, case_id__in=ids),
        "notification_id": rows(Notification),
        "request_id": [(str(r.pk), None) for r in ExportRequest.objects.all()],
        "agency_id": [(str(a.pk), None) for a in Agency.objects.all()],
        "membership_id": [(str(m.pk), None) for m in Membership.objects.all()],
        "question_id": [(str(q.pk), None) for q in LocalQuestion.objects.all()],
        "catalogue_id": [("national_general", None), ("national_child", None)],
        "action": [("pause", None)],
        "year": [(str(world.cases[0].referrals.get().referral_date.year), None)],
        "decision_id": [(str(d.pk), None) for d in ReviewDecision.objects.all()],
        "pair_id": [(str(r.pk), None) for r in ReviewItem.objects.all()],
        "chart": [(name, None) for name in CHARTS],
        "criminal_case_id": [(str(c.pk), None) for c in CriminalCase.objects.all()],
        "link_id": [(str(link.pk), None) for link in PerpetratorLink.objects.all()],
    }


def instantiate(world: World, tally: Tally) -> list[tuple[str, str]]:
    """(pattern, URL) for every route, with every fitting combination of the world's ids; a pattern
    with both a case and another record is instantiated with that case's own records."""
    values = _param_values(world)
    urls: list[tuple[str, str]] = []
    for route, params in url_templates():
        if not params:
            urls.append((route, route))
            continue
        if any(p not in values for p in params):
            tally.skipped_patterns.add(route)
            continue
        if "case_id" in params:
            others = [p for p in params if p != "case_id"]
            for case in world.cases:
                pools = [
                    [v for v, c in values[p] if c is None or c == case.pk] or [v for v, _c in values[p]][:1]
                    for p in others
                ]
                for combo in product(*pools):
                    kwargs = dict(zip(["case_id", *others], [str(case.pk), *combo], strict=True))
                    urls.append((route, _fill_route(route, kwargs)))
        else:
            for combo in product(*[[v for v, _c in values[p]] for p in params]):
                urls.append((route, _fill_route(route, dict(zip(params, combo, strict=True)))))
    return list(dict.fromkeys(urls))


def _fill_route(route: str, kwargs: dict[str, str]) -> str:
    import re

    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: kwargs[m.group(1)], route)


# --- log capture ---------------------------------------------------------------------------------------


class Capture(logging.Handler):
    """Every record as the settings' console handler would write it (its filters and formatter: the
    log output of production), and the bare message besides."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        console = next((h for h in logging.getLogger().handlers if h.name == "console"), None)
        assert console is not None, "config/settings.py LOGGING names a 'console' handler on the root"
        self.console = console

    def emit(self, record: logging.LogRecord) -> None:
        for f in self.console.filters:
            if not (f.filter(record) if isinstance(f, logging.Filter) else f(record)):  # type: ignore[operator]
                return
        formatter = self.console.formatter or logging.Formatter()
        self.lines.append(f"{record.getMessage()}\n{formatter.format(record)}")


@contextmanager
def capture_all_logs() -> Iterator[Capture]:
    """Every record that reaches the root logger at DEBUG (as with LOG_LEVEL=DEBUG, the most an operator
    can ask for), with django.request and django.db.backends at DEBUG too; production's DEBUG = False, so
    SQL is not logged, as in production. Loggers the settings pin to a level keep it (that is the
    configuration under test); loggers that do not propagate get the handler directly."""
    assert settings.DEBUG is False and not connection.force_debug_cursor
    # The project's configuration afresh, its console bound to this test's stderr (an in-process
    # `varde` command runs django.setup() again, which leaves handlers on an earlier test's stream).
    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
    handler = Capture()
    root = logging.getLogger()
    saved: dict[logging.Logger, int] = {root: root.level}
    extra_handlers: list[logging.Logger] = []
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in ("django.request", "django.db.backends"):
        logger = logging.getLogger(name)
        saved[logger] = logger.level
        logger.setLevel(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        logger = logging.getLogger(name)
        if not logger.propagate:
            logger.addHandler(handler)
            extra_handlers.append(logger)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        for logger in extra_handlers:
            logger.removeHandler(handler)
        for logger, level in saved.items():
            logger.setLevel(level)
        for h in logging.getLogger().handlers:  # leave no handler on a stream about to be closed
            if type(h) is logging.StreamHandler:
                h.setStream(sys.__stderr__)


# --- the crawl --------------------------------------------------------------------------------------


def _clients(world: World, persona: str) -> tuple[Client, APIClient]:
    user = world.persona(persona)
    page = login_verified(Client(raise_request_exception=False), user)
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(user=verified(user))
    return page, api


def crawl_persona(world: World, persona: str, urls: list[tuple[str, str]], tally: Tally) -> None:
    page, api = _clients(world, persona)

    def get(url: str, htmx: bool = False) -> Any:
        client = api if url.startswith("/api/") else page
        headers = {"HX-Request": "true"} if htmx else {}
        response = client.get(url, headers=headers)
        tally.responses += 1
        tally.statuses[response.status_code] += 1
        tally.urls.add(url)
        where = f"GET {url}{' (htmx)' if htmx else ''} -> {response.status_code}"
        found = tally.scan(world, persona, where, body_text(response))
        if response.status_code == 200 and "text/csv" in response.get("Content-Type", ""):
            tally.csv[persona] = tally.csv.get(persona, 0) + found
        return response

    # 1. every page reachable from the dashboard (and from the admin index), following links
    queue = ["/", "/admin/"]
    seen: set[str] = set(queue)
    followed = 0
    while queue and followed < MAX_LINKED_PAGES:
        url = queue.pop(0)
        response = get(url)
        followed += 1
        if response.status_code in (301, 302) and response.get("Location", "").startswith("/"):
            target = response["Location"]
            if target not in seen and not target.startswith(SKIP_LINKS):
                seen.add(target)
                queue.append(target)
            continue
        if "html" not in response.get("Content-Type", ""):
            continue
        for link in same_origin_links(response.content.decode("utf-8", errors="replace")):
            if link not in seen:
                seen.add(link)
                queue.append(link)
    # 2. every URL pattern with the world's ids, plain and as an htmx request. A pattern whose view
    # refuses GET (405, require_POST: nothing is read) is probed once per persona, not per id.
    post_only: set[str] = set()
    for route, url in urls:
        if route in post_only or url in seen or url.startswith(SKIP_LINKS):
            continue
        response = get(url)
        if response.status_code == 405:
            post_only.add(route)
            continue
        if response.status_code != 404 and "html" in response.get("Content-Type", ""):
            get(url, htmx=True)


def test_canaries_only_where_allowed(world_with_canaries, capfd, tmp_path, settings, monkeypatch):
    w = world_with_canaries
    # Django is set up already: the in-process `varde` must not configure logging again mid-capture
    monkeypatch.setattr("varde.cli.base.setup_django", lambda: None)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    tally = Tally()
    started = time.monotonic()
    urls = instantiate(w, tally)
    capfd.readouterr()
    with capture_all_logs() as logs:
        for persona in PERSONA_NAMES:
            crawl_persona(w, persona, urls, tally)
        crawl_seconds = time.monotonic() - started
        # the notification worker: e-mail holds a reference and a link, never a marker
        from varde.cli import main as varde

        assert varde(["worker", "--once"]) == 0
        assert mail.outbox, "the worker mailed the notifications"
        for message in mail.outbox:
            tally.scan(w, None, f"e-mail to {message.to}", f"{message.subject}\n{message.body}")
        # statistics and HTCDS: no marker at all, whoever asks
        outputs = {}
        for argv in (
            ["stats", "--year", str(w.cases[0].referrals.get().referral_date.year), "--json", "--extended"],
            [
                "stats",
                "--year",
                str(w.cases[0].referrals.get().referral_date.year),
                "--json",
                "--published",
                "--user",
                "analyst",
            ],
            ["stats", "prosecution", "--from", "2000", "--to", "2100", "--json"],
        ):
            capfd.readouterr()
            assert varde(argv) == 0, argv
            outputs[" ".join(argv)] = capfd.readouterr().out
        for fmt in ("json", "csv"):
            out = tmp_path / f"htcds.{fmt}"
            assert varde(["htcds-export", "--out", str(out), "--format", fmt]) == 0
            outputs[f"htcds-export {fmt}"] = out.read_text(encoding="utf-8")
        for where, text in outputs.items():
            tally.scan(w, None, f"varde {where}", text)
        assert any('"persons"' in t for t in outputs.values())  # the figures were really produced
        # the identified interchange export through the API (POST, so not in the GET crawl), each
        # requester with a fresh request approved by another person
        from varde.interchange import approval

        approvers = {"police": "agency_admin", "childwelfare": "coordinator", "ngo": "coordinator"}
        api_csv = {}
        for requester, approver in approvers.items():
            req = approval.export_request_create(
                actor=w.persona(requester), reason="Court case 26-123, hearing"
            )
            approval.export_request_approve(actor=w.persona(approver), request=req)
            _page, api = _clients(w, requester)
            response = api.post(
                f"/api/exports/{req.pk}/download/",
                {"password": PASSWORD, "otp_code": otp_code(w.persona(requester))},
                format="json",
            )
            assert response.status_code == 200 and "text/csv" in response["Content-Type"], response
            api_csv[requester] = tally.scan(
                w, requester, f"POST /api/exports/{req.pk}/download/", body_text(response)
            )
        assert all(n > 0 for n in api_csv.values()), api_csv
        # the identified interchange export on the command line, with its own approved request

        req = approval.export_request_create(actor=w.persona("ngo"), reason="Court case 26-123, hearing")
        approval.export_request_approve(actor=w.persona("coordinator"), request=req)
        out = tmp_path / "export.csv"
        assert varde(["export", "--user", "ngo", "--request", str(req.pk), "--out", str(out)]) == 0
        cli_export = out.read_text(encoding="utf-8")
        assert tally.scan(w, "ngo", "varde export (ngo)", cli_export) > 0
    captured = capfd.readouterr()
    for line in logs.lines:
        tally.scan(w, None, f"log: {line[:120]}", line)
    tally.scan(w, None, "stdout", captured.out)
    tally.scan(w, None, "stderr", captured.err)

    # the figures
    kinds = {key for _i, key in w.filled}
    print(
        f"\ncanaries: {len(w.filled)} canaried fields ({len(kinds)} field kinds x {len(w.cases)} cases), "
        f"{len(w.markers)} markers; {len(PERSONA_NAMES)} personas; {len(urls)} URLs from "
        f"{sum(1 for _ in url_templates())} patterns, {len(tally.urls)} distinct URLs crawled, "
        f"{tally.responses} responses checked, {len(logs.lines)} log records, {len(mail.outbox)} e-mails; statuses "
        f"{dict(sorted(tally.statuses.items()))}; crawl {crawl_seconds:.1f}s; patterns not instantiated "
        f"(admin ones are reached by following the admin's links): "
        f"{sorted(p for p in tally.skipped_patterns if not p.startswith('/admin/'))}"
    )
    seen_kinds = {k for per in tally.seen.values() for keys in per.values() for k in keys if k}
    print(
        f"field kinds shown somewhere: {len(seen_kinds)}/{len(kinds)}; never shown: {sorted(kinds - seen_kinds)}"
    )

    assert not tally.leaks, "markers where they must not be:\n" + "\n".join(
        str(leak) for leak in tally.leaks[:40]
    )
    # sanity: the markers DO show where allowed, so a crawl that sees nothing cannot pass
    names = {("persons.PersonName", "given"), ("persons.PersonName", "family")}
    for persona in PERSONA_NAMES:
        for i in w.visible[persona]:
            shown = tally.seen[persona][i]
            assert names <= shown, (persona, i, shown)
            assert ("cases.Referral", "description") in shown, (persona, i)
            assert ("response.PlanGoal", "text") in shown, (persona, i)
    assert ("audit.BreakGlassAccess", "reason") in tally.seen["auditor"][5]
    assert ("audit.BreakGlassAccess", "reason") in tally.seen["ngo"][5]
    # the approved four-eyes exports reached their requesters, with markers of their own cases only
    assert set(tally.csv) == {"police", "childwelfare", "ngo", "coordinator"}, tally.csv
    assert all(n > 0 for n in tally.csv.values()), tally.csv
    assert tally.responses > 1000 and len(seen_kinds) >= 15


# --- error paths -------------------------------------------------------------------------------------------


def test_error_paths_hold_no_marker(world_with_canaries, capfd):
    """A 404, a form rejected with a marker in the posted body, and a 500 raised with a marker in the
    exception: the responses and every log record hold no marker."""
    w = world_with_canaries
    tally = Tally()
    police, _api = _clients(w, "police")
    outsider, outsider_api = _clients(w, "outsider")
    other = w.cases[4]  # police declined: not theirs
    mine = w.cases[0]
    capfd.readouterr()
    with capture_all_logs() as logs:
        responses = {
            "404 case": outsider.get(f"/cases/{other.pk}/"),
            "404 api": outsider_api.get(f"/api/cases/{other.pk}/"),
            "404 path": police.get("/no-such-page/"),
            # too short a reason with a marker: rejected (the form echoes what the user typed, to the user)
            "invalid break-glass (not coordinator)": police.post(
                f"/cases/{other.pk}/break-glass/", {"glass-reason": marker(9, "ZZ")}
            ),
            "invalid note": police.post(f"/cases/{mine.pk}/notes/", {"note-text": ""}),
            "invalid status": police.post(
                f"/cases/{mine.pk}/status/",
                {"status-status": "nonsense", "status-reason": marker(0, "ZZ", 1)},
            ),
            "invalid api status": _api.post(
                f"/api/cases/{mine.pk}/status/",
                {"status": "nonsense", "reason": marker(0, "ZZ", 2)},
                format="json",
            ),
            "outsider posts a note": outsider.post(
                f"/cases/{mine.pk}/notes/", {"note-text": marker(0, "ZZ", 3)}
            ),
        }
        for where, response in responses.items():
            assert response.status_code in (400, 403, 404, 405, 409, 422, 200), (where, response.status_code)
            # the user's own visible case may echo the user's own input back; not to anyone else
            persona = "police" if where.startswith("invalid") else None
            tally.scan(w, persona, where, body_text(response))
        assert responses["404 case"].status_code == 404 and responses["404 api"].status_code == 404
        # a 500 whose exception message carries a marker (as a database error's detail might)
        import varde.web.views.persons as person_views

        def boom(**_kw: Any) -> Any:
            raise RuntimeError(f"duplicate key value {marker(0, 'NI')}")

        original = person_views.person_get_for_user
        person_views.person_get_for_user = boom
        try:
            crash = police.get(f"/persons/{mine.person_id}/")
        finally:
            person_views.person_get_for_user = original
        assert crash.status_code == 500
        tally.scan(w, None, "500 page", body_text(crash))
    captured = capfd.readouterr()
    # the 500 is logged, traceback and exception type kept for the operator, the message withheld
    assert any(
        "Internal Server Error" in line and "builtins.RuntimeError (message withheld)" in line
        for line in logs.lines
    ), logs.lines
    for line in logs.lines:
        tally.scan(w, None, f"log: {line[:160]}", line)
    tally.scan(w, None, "stdout", captured.out)
    tally.scan(w, None, "stderr", captured.err)
    assert not tally.leaks, "\n".join(str(leak) for leak in tally.leaks)
