"""The action plans as data (rules/plan_*.json, rules/ministries.json): checked, then loaded.

Each file names its source. A measure's wording, chapter or ministries that cannot be read from the
sources are marked unverified in the file (verified.text / .ministries / .chapter false), never
guessed silently; the pages and the CLI show the mark. Loading is idempotent: a plan already loaded
with the same file version is left alone, a newer version updates texts and ministries in place
(status reports keep pointing at the same measures).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.db import transaction

from varde.accounts.models import User
from varde.audit.models import AuditAction
from varde.audit.services import audit_record

from .models import ActionPlan, Chapter, Measure, MeasureMinistry, Ministry

RULES_DIR = Path(__file__).resolve().parent / "rules"
PLAN_FILES = ("plan_2011_2014", "plan_2006_2009")
LANGS = ("nb", "en")


class PlanFileError(ValueError):
    """A plan file is malformed; names the file and the problem."""


def _text(where: str, value: Any, *, optional: bool = False) -> dict[str, str]:
    if value is None and optional:
        return {"nb": "", "en": ""}
    if (
        not isinstance(value, dict)
        or set(value) != set(LANGS)
        or not all(isinstance(v, str) for v in value.values())
    ):
        raise PlanFileError(f"{where}: needs a text in nb and en")
    return value


@cache
def ministries_file() -> dict[str, Any]:
    data = json.loads((RULES_DIR / "ministries.json").read_text(encoding="utf-8"))
    if data.get("id") != "ministries" or not isinstance(data.get("version"), int):
        raise PlanFileError("ministries.json: needs id 'ministries' and an integer version")
    for code, m in data["ministries"].items():
        _text(f"ministries.json {code}", m.get("name"))
    return data


@cache
def plan_file(name: str) -> dict[str, Any]:
    path = RULES_DIR / f"{name}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    validate_plan(data, path.name)
    return data


def validate_plan(data: dict[str, Any], where: str) -> None:
    """Refuse a plan file that would load wrongly: every measure once, numbered 1..n, in a chapter of
    the plan (or none, marked unverified), with known ministries and a source."""
    known = set(ministries_file()["ministries"])
    if not isinstance(data.get("version"), int) or not data.get("code") or not data.get("source"):
        raise PlanFileError(f"{where}: needs code, an integer version and a source")
    _text(f"{where} title", data.get("title"))
    chapters = {c["number"] for c in data.get("chapters", [])}
    for c in data.get("chapters", []):
        _text(f"{where} chapter {c.get('number')}", c.get("title"))
    numbers = [m["number"] for m in data.get("measures", [])]
    if numbers != list(range(1, len(numbers) + 1)):
        raise PlanFileError(f"{where}: measures must be numbered 1..n in order")
    for m in data["measures"]:
        at = f"{where} measure {m['number']}"
        verified = m.get("verified", {})
        if set(verified) != {"text", "ministries", "chapter"}:
            raise PlanFileError(f"{at}: verified needs text, ministries and chapter")
        _text(at, m.get("text"), optional=not verified["text"])
        if m.get("chapter") is None:
            if verified["chapter"]:
                raise PlanFileError(f"{at}: no chapter, so the chapter cannot be verified")
        elif m["chapter"] not in chapters:
            raise PlanFileError(f"{at}: chapter {m['chapter']} is not in the plan")
        unknown = [c for c in m.get("ministries", []) if c not in known]
        if unknown:
            raise PlanFileError(f"{at}: unknown ministry code(s) {', '.join(unknown)}")
        if not m.get("ministries") and verified["ministries"]:
            raise PlanFileError(f"{at}: no ministry, so the ministries cannot be verified")
        if m.get("lead") is not None and m["lead"] not in m.get("ministries", []):
            raise PlanFileError(f"{at}: the lead must be one of its ministries")
        if not m.get("source"):
            raise PlanFileError(f"{at}: needs a source")


@dataclass
class LoadResult:
    ministries: int = 0
    plans: int = 0
    measures: int = 0
    loaded: list[tuple[Any, str, int]] = field(default_factory=list)  # (plan, file, measures)


@dataclass(frozen=True)
class Tables:
    """The models to load into: the real ones, or a migration's historical ones."""

    ministry: Any
    plan: Any
    chapter: Any
    measure: Any
    measure_ministry: Any


def real_tables() -> Tables:
    return Tables(Ministry, ActionPlan, Chapter, Measure, MeasureMinistry)


def _ministries(t: Tables) -> tuple[dict[str, Any], int]:
    created = 0
    out: dict[str, Any] = {}
    for code, m in ministries_file()["ministries"].items():
        ministry, made = t.ministry.objects.get_or_create(
            code=code, defaults={"name_nb": m["name"]["nb"], "name_en": m["name"]["en"]}
        )
        if not made and (ministry.name_nb, ministry.name_en) != (m["name"]["nb"], m["name"]["en"]):
            t.ministry.objects.filter(pk=ministry.pk).update(
                name_nb=m["name"]["nb"], name_en=m["name"]["en"], version=ministry.version + 1
            )
        created += int(made)
        out[code] = ministry
    return out, created


def _load_plan(t: Tables, data: dict[str, Any], ministries: dict[str, Any]) -> tuple[Any, int] | None:
    existing = t.plan.objects.filter(code=data["code"]).first()
    if existing is not None and existing.rule_version >= data["version"]:
        return None
    fields = {
        "title_nb": data["title"]["nb"],
        "title_en": data["title"]["en"],
        "start_year": data["start_year"],
        "end_year": data["end_year"],
        "source": data["source"],
        "note": data.get("note", ""),
        "rule_version": data["version"],
    }
    if existing is None:
        plan = t.plan.objects.create(code=data["code"], **fields)
    else:
        t.plan.objects.filter(pk=existing.pk).update(**fields, version=existing.version + 1)
        plan = t.plan.objects.get(pk=existing.pk)
    chapters: dict[int, Any] = {}
    for c in data.get("chapters", []):
        chapters[c["number"]], _ = t.chapter.objects.update_or_create(
            plan=plan,
            number=c["number"],
            defaults={
                "title_nb": c["title"]["nb"],
                "title_en": c["title"]["en"],
                "verified": bool(c.get("verified", True)),
                "source": c.get("source", data["source"]),
            },
        )
    count = 0
    for m in data["measures"]:
        text = _text("", m.get("text"), optional=True)
        measure, _ = t.measure.objects.update_or_create(
            plan=plan,
            number=m["number"],
            defaults={
                "chapter": chapters.get(m["chapter"]) if m.get("chapter") is not None else None,
                "text_nb": text["nb"],
                "text_en": text["en"],
                "text_verified": m["verified"]["text"],
                "ministries_verified": m["verified"]["ministries"],
                "chapter_verified": m["verified"]["chapter"],
                "source": m["source"],
            },
        )
        t.measure_ministry.objects.filter(measure=measure).delete()
        t.measure_ministry.objects.bulk_create(
            t.measure_ministry(
                measure=measure, ministry=ministries[code], is_lead=code == m.get("lead"), position=i
            )
            for i, code in enumerate(m.get("ministries", []))
        )
        count += 1
    return plan, count


def load_into(t: Tables, names: tuple[str, ...] = PLAN_FILES) -> LoadResult:
    """Load the ministries and the named plan files into the given tables (no audit: the data
    migration uses this with its historical models)."""
    result = LoadResult()
    ministries, result.ministries = _ministries(t)
    for name in names:
        loaded = _load_plan(t, plan_file(name), ministries)
        if loaded is not None:
            result.plans += 1
            result.measures += loaded[1]
            result.loaded.append((loaded[0], name, loaded[1]))
    return result


@transaction.atomic
def plans_load(*, actor: User | None = None, names: tuple[str, ...] = PLAN_FILES) -> LoadResult:
    """Load the ministries and the plans from their files (idempotent), audited per plan loaded."""
    result = load_into(real_tables(), names)
    for plan, name, count in result.loaded:
        audit_record(
            actor=actor,
            action=AuditAction.IMPORT,
            obj=plan,
            detail={"file": name, "version": plan.rule_version, "measures": count},
        )
    return result


def plan_ministry_codes(plan: ActionPlan) -> list[str]:
    """The ministries the plan names as its own (the file's plan_ministries, else those of its
    measures), for the pages."""
    for name in PLAN_FILES:
        data = plan_file(name)
        if data["code"] == plan.code and data.get("plan_ministries"):
            return list(data["plan_ministries"])
    codes = MeasureMinistry.objects.filter(measure__plan=plan).values_list("ministry__code", flat=True)
    return sorted(set(codes))
