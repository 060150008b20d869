"""Charts of the annual status report: matplotlib (Agg), SVG, drawn from published values only.

A suppressed cell (None) is never drawn as a value: a year whose figure is suppressed is left out of
the line and its gap is visible; a suppressed category is left out of a bar chart. Each chart has a
text alternative (`alt_text`) and its figures are in the report's tables. Fonts are matplotlib's own
DejaVu Sans (shipped with matplotlib), text drawn as paths: nothing is downloaded.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import matplotlib

matplotlib.use("Agg")

from django.utils.translation import gettext as _  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from .report import AnnualReport  # noqa: E402

CHARTS = ("trend", "exploitation", "nationalities", "minors")
WIDTH, HEIGHT = 7.0, 3.6  # inches; 100 dpi in SVG user units
PRIMARY, SECONDARY = "#1e4e8c", "#c05621"  # contrast >= 4.5:1 against white

_RC: Any = {  # matplotlib's stubs type rcParams keys as literals
    "svg.fonttype": "path",
    "svg.hashsalt": "varde-annual-report",  # stable ids: the same figures give the same file
    "font.family": "DejaVu Sans",
    "font.size": 10,
}


def _figure() -> Figure:
    fig = Figure(figsize=(WIDTH, HEIGHT), dpi=100, layout="constrained")
    return fig


def _svg(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    with matplotlib.rc_context(_RC):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


def _no_data(fig: Figure, ax: object) -> None:
    ax.text(0.5, 0.5, _("No published figures"), ha="center", va="center", transform=ax.transAxes)  # type: ignore[attr-defined]
    ax.set_axis_off()  # type: ignore[attr-defined]


def trend_chart(report: AnnualReport) -> bytes:
    with matplotlib.rc_context(_RC):
        fig = _figure()
        ax = fig.add_subplot()
        points = [(r.year, r.persons) for r in report.trend if r.persons is not None]
        if not points:
            _no_data(fig, ax)
            return _svg(fig)
        years = [r.year for r in report.trend]
        # None breaks the line: a suppressed year is a gap, never a value.
        values = [float("nan") if r.persons is None else r.persons for r in report.trend]
        ax.plot(years, values, marker="o", color=PRIMARY, linewidth=2)
        ax.set_xticks(years, [str(y) for y in years], rotation=45 if len(years) > 8 else 0)
        ax.set_ylim(bottom=0)
        ax.set_ylabel(_("Persons followed up"))
        ax.grid(axis="y", alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
        return _svg(fig)


def _bars(keys: list[str], labels: list[str], values: list[int], xlabel: str) -> bytes:
    with matplotlib.rc_context(_RC):
        fig = _figure()
        ax = fig.add_subplot()
        if not values:
            _no_data(fig, ax)
            return _svg(fig)
        positions = list(range(len(values)))
        bars = ax.barh(positions, values, color=PRIMARY)
        for key, bar in zip(keys, bars, strict=True):
            bar.set_gid(f"bar-{key}")
        ax.set_yticks(positions, labels)
        ax.invert_yaxis()
        ax.set_xlabel(xlabel)
        for y, v in zip(positions, values, strict=True):
            ax.annotate(str(v), (v, y), xytext=(3, 0), textcoords="offset points", va="center")
        ax.spines[["top", "right"]].set_visible(False)
        return _svg(fig)


def exploitation_chart(report: AnnualReport) -> bytes:
    rows = [r for r in report.table("exploitation").rows if r.value is not None]
    rows.sort(key=lambda r: -(r.value or 0))
    return _bars([r.key for r in rows], [r.label for r in rows], [r.value or 0 for r in rows], _("Persons"))


def nationalities_chart(report: AnnualReport) -> bytes:
    rows = [r for r in report.table("nationalities").rows if r.value is not None and not r.derived]
    return _bars([r.key for r in rows], [r.label for r in rows], [r.value or 0 for r in rows], _("Persons"))


def minors_chart(report: AnnualReport) -> bytes:
    with matplotlib.rc_context(_RC):
        fig = _figure()
        ax = fig.add_subplot()
        if all(r.girls is None and r.boys is None for r in report.trend):
            _no_data(fig, ax)
            return _svg(fig)
        years = [r.year for r in report.trend]
        width = 0.4
        girls = [(r.year - width / 2, r.girls) for r in report.trend if r.girls is not None]
        boys = [(r.year + width / 2, r.boys) for r in report.trend if r.boys is not None]
        ax.bar([x for x, _v in girls], [v for _x, v in girls], width, color=PRIMARY, label=_("Girls"))
        ax.bar([x for x, _v in boys], [v for _x, v in boys], width, color=SECONDARY, label=_("Boys"))
        ax.set_xticks(years, [str(y) for y in years], rotation=45 if len(years) > 8 else 0)
        ax.set_ylabel(_("Children followed up"))
        ax.legend(frameon=False)
        ax.grid(axis="y", alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
        return _svg(fig)


RENDERERS: dict[str, Callable[[AnnualReport], bytes]] = {
    "trend": trend_chart,
    "exploitation": exploitation_chart,
    "nationalities": nationalities_chart,
    "minors": minors_chart,
}


def chart_svg(report: AnnualReport, name: str) -> bytes:
    return RENDERERS[name](report)


def chart_title(name: str) -> str:
    return {
        "trend": _("Persons followed up, year by year"),
        "exploitation": _("Forms of exploitation"),
        "nationalities": _("The largest nationalities"),
        "minors": _("Girls and boys followed up, year by year"),
    }[name]


def alt_text(report: AnnualReport, name: str) -> str:
    """A short text alternative; the figures themselves are in the table that follows each chart."""
    first, last = report.trend[0].year, report.trend[-1].year
    if name == "trend":
        return _(
            "Line chart of persons followed up each year from %(first)s to %(last)s. "
            "The figures are in the table “Trend over the years”."
        ) % {"first": first, "last": last}
    if name == "minors":
        return _(
            "Bar chart of girls and boys followed up each year from %(first)s to %(last)s. "
            "The figures are in the table “Trend over the years”."
        ) % {"first": first, "last": last}
    if name == "exploitation":
        return _(
            "Bar chart of persons by form of exploitation in %(year)s. "
            "The figures are in the table “Forms of exploitation”."
        ) % {"year": report.year}
    return _(
        "Bar chart of the largest nationalities in %(year)s. The figures are in the table “The largest nationalities”."
    ) % {"year": report.year}
