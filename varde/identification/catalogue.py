"""Indicator catalogues as data files: reading, validating and describing them. Pure: no database.

A catalogue file is JSON named `<id>.json` in `catalogues/`:

    {"id", "version": int, "rule": "ilo" | "checklist", "population": "adult" | "child" | "all",
     "exploitation": "labour" | "sexual" | null, "title": {"nb", "en"}, "source": str,
     "note": {"nb", "en"} (optional),
     "elements": [{"id", "title": {"nb", "en"}, "help": {...} (optional),
                   "indicators": [{"id", "strength": "strong" | "medium" | "weak",
                                   "text": {"nb", "en"}, "help": {"nb", "en"}}]}]}

A change of content is a new version (see loader.py); old versions stay in the database so that an
assessment is re-shown exactly as it was made.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from .errors import CatalogueInvalid, UnknownCatalogue

CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogues"

LANGS = ("nb", "en")
STRENGTHS = ("strong", "medium", "weak")
POPULATIONS = ("adult", "child", "all")
EXPLOITATIONS = ("labour", "sexual", None)
RULES = ("ilo", "checklist")

DECEPTIVE_RECRUITMENT = "deceptive_recruitment"
COERCIVE_RECRUITMENT = "coercive_recruitment"
ABUSE_OF_VULNERABILITY_RECRUITMENT = "abuse_of_vulnerability_recruitment"
EXPLOITATION = "exploitation"
COERCION_AT_DESTINATION = "coercion_at_destination"
ABUSE_OF_VULNERABILITY_AT_DESTINATION = "abuse_of_vulnerability_at_destination"

RECRUITMENT_ELEMENTS = (DECEPTIVE_RECRUITMENT, COERCIVE_RECRUITMENT, ABUSE_OF_VULNERABILITY_RECRUITMENT)
DESTINATION_ELEMENTS = (COERCION_AT_DESTINATION, ABUSE_OF_VULNERABILITY_AT_DESTINATION)
ILO_ELEMENTS = (*RECRUITMENT_ELEMENTS, EXPLOITATION, *DESTINATION_ELEMENTS)

_ID = re.compile(r"^[a-z][a-z0-9_]{0,59}$")

Catalogue = dict[str, Any]


def _texts_ok(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(value.get(lang), str) and value[lang].strip() for lang in LANGS
    )


def catalogue_validate(data: Any) -> list[str]:
    """Every problem with a catalogue's shape, as messages naming ids. Empty when valid."""
    if not isinstance(data, dict):
        return ["a catalogue must be a JSON object"]
    problems: list[str] = []
    cid = data.get("id")
    if not isinstance(cid, str) or not _ID.match(cid):
        problems.append("id must be a lower-case identifier")
        cid = "?"
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        problems.append(f"{cid}: version must be a positive integer")
    if data.get("rule") not in RULES:
        problems.append(f"{cid}: rule must be one of {', '.join(RULES)}")
    if data.get("population") not in POPULATIONS:
        problems.append(f"{cid}: population must be one of {', '.join(POPULATIONS)}")
    if "exploitation" not in data or data.get("exploitation") not in EXPLOITATIONS:
        problems.append(f"{cid}: exploitation must be labour, sexual or null")
    if not _texts_ok(data.get("title")):
        problems.append(f"{cid}: title needs nb and en")
    if not isinstance(data.get("source"), str) or len(data["source"].strip()) < 20:
        problems.append(f"{cid}: source must name where the indicators come from")
    if "note" in data and not _texts_ok(data["note"]):
        problems.append(f"{cid}: note needs nb and en")
    elements = data.get("elements")
    if not isinstance(elements, list) or not elements:
        return [*problems, f"{cid}: elements must be a non-empty list"]
    element_ids: list[str] = []
    indicator_ids: list[str] = []
    for element in elements:
        eid = element.get("id") if isinstance(element, dict) else None
        if not isinstance(eid, str) or not _ID.match(eid):
            problems.append(f"{cid}: every element needs an id")
            continue
        element_ids.append(eid)
        if not _texts_ok(element.get("title")):
            problems.append(f"{cid}/{eid}: title needs nb and en")
        if "help" in element and not _texts_ok(element["help"]):
            problems.append(f"{cid}/{eid}: help needs nb and en")
        indicators = element.get("indicators")
        if not isinstance(indicators, list) or not indicators:
            problems.append(f"{cid}/{eid}: indicators must be a non-empty list")
            continue
        for indicator in indicators:
            iid = indicator.get("id") if isinstance(indicator, dict) else None
            if not isinstance(iid, str) or not _ID.match(iid):
                problems.append(f"{cid}/{eid}: every indicator needs an id")
                continue
            indicator_ids.append(iid)
            if indicator.get("strength") not in STRENGTHS:
                problems.append(f"{cid}/{iid}: strength must be strong, medium or weak")
            if not _texts_ok(indicator.get("text")):
                problems.append(f"{cid}/{iid}: text needs nb and en")
            if not _texts_ok(indicator.get("help")):
                problems.append(f"{cid}/{iid}: help needs nb and en")
    for kind, ids in (("element", element_ids), ("indicator", indicator_ids)):
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            problems.append(f"{cid}: duplicate {kind} ids: {', '.join(duplicates)}")
    if data.get("rule") == "ilo":
        if tuple(element_ids) != ILO_ELEMENTS:
            problems.append(
                f"{cid}: an ILO catalogue has exactly the six elements {', '.join(ILO_ELEMENTS)}, in order"
            )
        if data.get("population") not in ("adult", "child"):
            problems.append(f"{cid}: an ILO catalogue is for adults or for children")
    return problems


def catalogue_checksum(data: Catalogue) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def catalogue_read(path: Path) -> Catalogue:
    """Parse and validate one file; the file's name must be its id."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CatalogueInvalid(f"{path.name}: not readable JSON ({exc})") from exc
    problems = catalogue_validate(data)
    if not problems and data["id"] != path.stem:
        problems.append(f"{path.name}: the file name must be the catalogue id {data['id']!r}")
    if problems:
        raise CatalogueInvalid("; ".join(problems))
    return data  # type: ignore[no-any-return]


def catalogue_files(directory: Path | None = None) -> list[Path]:
    return sorted((directory or CATALOGUE_DIR).glob("*.json"))


def shipped_catalogues(directory: Path | None = None) -> list[Catalogue]:
    """Every catalogue file in the directory, validated, in id order."""
    return [catalogue_read(path) for path in catalogue_files(directory)]


def shipped_catalogue(catalogue_id: str, directory: Path | None = None) -> Catalogue:
    if not isinstance(catalogue_id, str) or not _ID.match(catalogue_id):
        raise UnknownCatalogue(str(catalogue_id))
    path = (directory or CATALOGUE_DIR) / f"{catalogue_id}.json"
    if not path.is_file():
        raise UnknownCatalogue(catalogue_id)
    return catalogue_read(path)


def text(value: dict[str, str], lang: str) -> str:
    """The text in the wanted language, falling back to Bokmål then English."""
    return value.get(lang) or value.get("nb") or value.get("en") or ""


def indicator_index(catalogue: Catalogue) -> dict[str, tuple[str, dict[str, Any]]]:
    """indicator id -> (element id, indicator)."""
    return {ind["id"]: (el["id"], ind) for el in catalogue["elements"] for ind in el["indicators"]}


def catalogue_summary(catalogue: Catalogue, lang: str = "en") -> dict[str, Any]:
    """The `indicators list --json` shape."""
    return {
        "id": catalogue["id"],
        "version": catalogue["version"],
        "title": text(catalogue["title"], lang),
        "population": catalogue["population"],
        "exploitation": catalogue["exploitation"],
        "source": catalogue["source"],
    }


def catalogue_outline(catalogue: Catalogue, lang: str = "en", *, with_help: bool = False) -> dict[str, Any]:
    """The `indicators show --json` shape; with_help adds plain-language help for pages."""
    elements = []
    for el in catalogue["elements"]:
        indicators = []
        for ind in el["indicators"]:
            row: dict[str, Any] = {
                "id": ind["id"],
                "text": text(ind["text"], lang),
                "strength": ind["strength"],
            }
            if with_help:
                row["help"] = text(ind["help"], lang)
            indicators.append(row)
        element: dict[str, Any] = {"id": el["id"], "title": text(el["title"], lang), "indicators": indicators}
        if with_help:
            element["help"] = text(el["help"], lang) if "help" in el else ""
        elements.append(element)
    return {"id": catalogue["id"], "version": catalogue["version"], "elements": elements}
