"""`varde stats` without --json: the figures as readable tables, in Norwegian (Bokmål) or English.

Codes become names (countries from varde.persons.codes, forms of exploitation, kinds of agency and
states of cooperation from their choices); a withheld cell prints as "-"; a period without any person
followed up or first identified says so instead of printing a table of zeros.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from varde.accounts.models import AgencyKind
from varde.cases.models import ExploitationForm
from varde.persons.codes import country_name
from varde.response.models import CooperationState

from .police_districts import districts
from .report import choice_label

WIDTH = 56


def _value(value: Any) -> str:
    return "-" if value is None else str(value)


def _line(label: str, value: Any, indent: int = 2) -> str:
    pad = " " * indent
    return f"{pad}{label:<{WIDTH - indent}} {_value(value):>6}"


def _table(title: str, cells: Mapping[str, Any] | None, name: Any, *, by_size: bool = False) -> list[str]:
    if cells is None:
        return [_line(title, None)]
    if not cells:
        return []
    keys = sorted(cells, key=lambda k: (-(cells[k] or 0), name(k)) if by_size else name(k))
    return [f"  {title}"] + [_line(name(k), cells[k], 4) for k in keys]


def _named(choices: Any) -> Any:
    return lambda key: choice_label(choices, key)


def figures_text(data: Mapping[str, Any], *, period: str, published: bool, lang: str) -> str:
    """The figures of `as_json` (extended or not) as text in `lang` ("nb" or "en")."""
    with override(lang):
        kind = _("published") if published else _("internal")
        head = _("National figures for %(period)s (%(kind)s)") % {"period": period, "kind": kind}
        if data.get("persons") == 0 and not data.get("first_identified"):
            return head + "\n  " + _("No data: nobody was followed up in this period.")
        country = lambda code: country_name(code, lang)  # noqa: E731
        out = [head, _line(_("Persons followed up"), data["persons"])]
        for key, label in (
            ("women", _("Women")),
            ("men", _("Men")),
            ("girls", _("Girls (under 18)")),
            ("boys", _("Boys (under 18)")),
        ):
            out.append(_line(label, data[key], 4))
        out.append(_line(_("Nationalities"), data["nationalities"]))
        out += _table(_("By nationality"), data["by_nationality"], country, by_size=True)
        out += _table(_("Forms of exploitation"), data["by_exploitation"], _named(ExploitationForm))
        out += _table(
            _("Kinds of agency that reported"), data["by_reporting_agency_kind"], _named(AgencyKind)
        )
        reflection = data["reflection_period"]
        out.append(f"  {_('Reflection period')}")
        out += [
            _line(_("Applied for"), reflection.get("applied"), 4),
            _line(_("Granted"), reflection.get("granted"), 4),
            _line(_("Rejected"), reflection.get("rejected"), 4),
        ]
        out.append(_line(_("Disappearances of minors"), data["disappearances"]))
        if "first_identified" in data:
            out += _extended(data, country)
        return "\n".join(out)


def _extended(data: Mapping[str, Any], country: Any) -> list[str]:
    out = [_line(_("Identified for the first time"), data["first_identified"])]
    by_sex = data["first_identified_by_sex"] or {}
    out += [
        _line(_("Female"), by_sex.get("female"), 4),
        _line(_("Male"), by_sex.get("male"), 4),
        _line(_("Children"), data["first_identified_children"], 4),
        _line(_("Identified victims (Eurostat)"), data["identified"]),
        _line(_("Presumed victims, not (yet) identified (Eurostat)"), data["presumed"]),
    ]
    out += _table(
        _("Children: the largest nationalities"), data["children_by_nationality"], country, by_size=True
    )
    out += _table(
        _("Children: forms of exploitation"), data["children_by_exploitation"], _named(ExploitationForm)
    )
    names = districts()
    lang = get_language() or "en"
    district = lambda code: names.get(code, {}).get("nb" if lang.startswith("nb") else "en", code)  # noqa: E731
    out += _table(_("By police district"), data["by_police_district"], district)
    out.append(_line(_("Residence permits granted"), data["residence_permits"]))
    out.append(_line(_("Assisted voluntary returns"), data["voluntary_returns"]))
    cooperation = {k: v for k, v in (data.get("police_cooperation") or {}).items() if k != "cooperating"}
    out += _table(
        _("Cooperation with the police at the end of the period"), cooperation, _named(CooperationState)
    )
    return out
