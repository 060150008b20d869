"""Template helpers: Designsystemet form widgets with accessible error wiring, code names."""

from __future__ import annotations

import datetime as dt
from collections.abc import Container, Iterable
from typing import Any

from django import forms, template
from django.forms.boundfield import BoundField
from django.template.base import FilterExpression, Parser, Token, token_kwargs
from django.urls import reverse
from django.utils import dateformat
from django.utils.formats import get_format, number_format
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from varde.persons import codes, phones

register = template.Library()

_GROUP_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple)


@register.filter
def field_kind(field: BoundField) -> str:
    widget = field.field.widget
    if isinstance(widget, forms.HiddenInput):
        return "hidden"
    if isinstance(widget, _GROUP_WIDGETS):
        return "group"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    return "input"


def _target_id(field: BoundField) -> str:
    if isinstance(field.field.widget, _GROUP_WIDGETS):
        return f"{field.auto_id}_0"
    return str(field.auto_id)


@register.simple_tag
def ds_widget(field: BoundField) -> SafeString:
    """The field's widget with the ds-input class, aria-describedby for help and error, aria-invalid."""
    describedby = []
    if field.help_text:
        describedby.append(f"{field.auto_id}_helptext")
    if field.errors:
        describedby.append(f"{field.auto_id}_error")
    attrs: dict[str, Any] = {"class": "ds-input"}
    if describedby:
        attrs["aria-describedby"] = " ".join(describedby)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.simple_tag
def fields_named(form: forms.Form, names: str = "") -> list[BoundField]:
    """The form's fields named in `names` (separated by spaces), in that order; every field if none."""
    return [form[name] for name in names.split()] if names else list(form)


@register.simple_tag
def error_links(*forms_: forms.Form | None, summary: str = "error-summary") -> list[tuple[str, str]]:
    """(href, message) for every error of the given forms, in field order, for the error summary."""
    links: list[tuple[str, str]] = []
    for form in forms_:
        if form is None or not form.is_bound or not form.errors:
            continue
        for error in form.non_field_errors():
            links.append((f"#{summary}", str(error)))
        for field in form:
            for error in field.errors:
                target = summary if field.is_hidden else _target_id(field)
                links.append((f"#{target}", f"{field.label}: {error}" if field.label else str(error)))
    return links


@register.filter
def grouped(value: int | None) -> str:
    """A whole amount with the language's digit grouping (221 000 000 in Bokmål, 221,000,000 in English)."""
    return "" if value is None else number_format(value, force_grouping=True)


@register.filter
def country(code: str) -> str:
    return codes.country_name(code) if code else ""


@register.filter
def language(code: str) -> str:
    return codes.language_name(code) if code else ""


@register.filter
def phone(number: str) -> str:
    """A phone number in international format, "+47 912 34 567"; as stored if it cannot be one."""
    return phones.display(number) if number else ""


@register.filter
def agency_kind(code: str) -> str:
    from varde.accounts.models import AgencyKind

    try:
        return str(AgencyKind(code).label)
    except ValueError:
        return code


@register.filter
def time_left(delta: dt.timedelta) -> dict[str, Any]:
    """A deadline's time left (or overdue), to the minute under a day, to the hour under a week."""
    seconds = int(delta.total_seconds())
    overdue = seconds <= 0
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days >= 7:
        text = ngettext("%(d)d day", "%(d)d days", days) % {"d": days}
    elif days:
        text = _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    elif hours:
        text = _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    else:
        text = _("%(m)d min") % {"m": minutes}
    return {"overdue": overdue, "text": text}


# Clock states as Designsystemet tags. Tags in Python, not included templates: the deadline lists show
# fifty rows, and an include a cell costs more than the rest of the row.
_STATE_TAGS = {
    "missed": ("danger", gettext_lazy("Missed")),
    "met": ("success", gettext_lazy("Met")),
    "paused": ("warning", gettext_lazy("Paused")),
    "cancelled": ("neutral", gettext_lazy("Cancelled")),
}


@register.simple_tag
def clock_state_tag(state: str, overdue: bool = False, label: str = "") -> SafeString:
    """A clock's state: its own label where the rule gives one (a reflection period is 'granted'),
    else missed, met, paused, cancelled, past due, about to run out or running."""
    if label:
        return format_html('<span class="ds-tag" data-color="{}">{}</span>', _label_color(state), label)
    if state in _STATE_TAGS:
        color, text = _STATE_TAGS[state]
        return format_html('<span class="ds-tag" data-color="{}">{}</span>', color, text)
    if overdue:
        return format_html('<span class="ds-tag" data-color="danger">{}</span>', _("Past due"))
    if state == "warning":
        return format_html('<span class="ds-tag" data-color="warning">{}</span>', _("About to run out"))
    return format_html('<span class="ds-tag" data-color="info">{}</span>', _("Running"))


def _label_color(state: str) -> str:
    return "success" if state == "running" else "neutral"


@register.simple_tag
def time_left_tag(delta: dt.timedelta) -> SafeString:
    """Time left on a deadline, or a red tag with how long it is overdue."""
    parts = time_left(delta)
    if parts["overdue"]:
        return format_html(
            '<span class="ds-tag" data-color="danger" data-size="sm">{}</span>',
            _("%(span)s overdue") % {"span": parts["text"]},
        )
    return format_html("{}", _("%(span)s left") % {"span": parts["text"]})


class TableNode(template.Node):
    """A Designsystemet data table: the scrolling wrapper, a caption, a column header for each label."""

    def __init__(
        self,
        headers: list[FilterExpression],
        options: dict[str, FilterExpression],
        nodelist: template.NodeList,
    ) -> None:
        self.headers = headers
        self.options = options
        self.nodelist = nodelist

    def render(self, context: template.Context) -> SafeString:
        options = {name: value.resolve(context) for name, value in self.options.items()}
        attrs = format_html(
            "{}{}{}",
            mark_safe(" data-zebra") if options.get("zebra") else "",
            format_html(' data-testid="{}"', options["testid"]) if options.get("testid") else "",
            format_html(' aria-labelledby="{}"', options["labelledby"]) if options.get("labelledby") else "",
        )
        caption = (
            format_html("\n  <caption>{}</caption>", options["caption"]) if options.get("caption") else ""
        )
        headers = format_html_join(
            "", '<th scope="col">{}</th>', ((header.resolve(context),) for header in self.headers)
        )
        return format_html(
            '<div class="varde-table-wrap">\n<table class="ds-table" data-border{}>{}\n'
            "  <thead><tr>{}</tr></thead>\n  <tbody>{}</tbody>\n</table>\n</div>",
            attrs,
            caption,
            headers,
            self.nodelist.render(context),
        )


@register.tag("table")
def do_table(parser: Parser, token: Token) -> TableNode:
    """{% table _("Name") _("Kind") caption=... zebra=True testid="..." labelledby="..." %} rows {% endtable %}:
    the table markup every list page shares (wrapper, data-border, column headers with scope)."""
    headers: list[FilterExpression] = []
    options: dict[str, FilterExpression] = {}
    for bit in token.split_contents()[1:]:
        option = token_kwargs([bit], parser)
        if option:
            options.update(option)
        else:
            headers.append(parser.compile_filter(bit))
    unknown = set(options) - {"caption", "zebra", "testid", "labelledby"}
    if unknown:
        raise template.TemplateSyntaxError(f"table: unknown option {sorted(unknown)}")
    nodelist = parser.parse(("endtable",))
    parser.delete_first_token()
    return TableNode(headers, options, nodelist)


@register.simple_tag
def deadline_rows(
    rows: Iterable[Any],
    openable: Container[Any] = (),
    *,
    all_openable: bool = False,
    coordinator_view: bool = False,
) -> SafeString:
    """The rows of a deadline list (the national view, my next actions), written here rather than by
    a template loop: at 50 rows a page the template engine's loop was a large part of the page's
    cost (bench/response). Every value is escaped (`escape`). The case reference links to the case's
    deadlines where the user may open it, to break-the-glass on the coordinators' view, else it is
    plain text."""
    openable = openable or ()  # not given in the page's context: none
    child = format_html(' <span class="ds-tag" data-color="info" data-size="sm">{}</span>', _("Child"))
    glass = escape(_("break the glass to open"))
    short = get_format("SHORT_DATETIME_FORMAT")
    out = []
    for row in rows:
        ref = escape(row.reference)
        if all_openable or row.case_id in openable:
            url = escape(reverse("case-response", args=[row.case_id]))
            case = f'<a class="ds-link" href="{url}#clocks-heading">{ref}</a>'
        elif coordinator_view:
            url = escape(reverse("break-glass", args=[row.case_id]))
            case = f'<a class="ds-link" href="{url}">{ref}<span class="ds-sr-only"> – {glass}</span></a>'
        else:
            case = ref
        due = localtime(row.due_at)
        title = f": {escape(row.title)}" if row.title else ""
        out.append(
            f'\n    <tr>\n      <th scope="row">{case}{child if row.is_child else ""}</th>\n'
            f"      <td>{escape(row.label)}{title}</td>\n      <td>{escape(row.responsible or '–')}</td>\n"
            f'      <td><time datetime="{escape(due.isoformat())}">{escape(dateformat.format(due, short))}</time></td>\n'
            f"      <td>{time_left_tag(row.time_left)}</td>\n"
            f"      <td>{clock_state_tag(row.display_state, row.overdue, row.state_label)}</td>\n    </tr>"
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
