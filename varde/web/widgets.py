"""Form widgets of the pages beyond Django's own."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from varde.persons import codes


class CodePicker(forms.Select):
    """A <select> of countries or languages that varde.js makes searchable.

    Without the script it is a plain <select> (its type-ahead finds the start of a name in the
    page's language). With it, a search field above the list finds an entry by its Bokmål or English
    name, another common name or its code ("USA", "Russia", "us", "pidgin"), narrows the list to the
    matches and chooses the best one; `codes.find_countries` / `find_languages` rank the same way.
    Each option carries its names, folded (lower case, no accents), in data-names.
    """

    def __init__(self, kind: codes.Kind, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            {
                "data-picker": kind,
                "data-picker-label": _("Search by name or code"),
                "data-picker-none": _("No match"),
                "data-picker-chosen": _("Chosen: %(name)s"),
                **(attrs or {}),
            }
        )
        self.kind: codes.Kind = kind

    def create_option(
        self,
        name: str,
        value: Any,
        label: Any,
        selected: bool,
        index: int,
        subindex: int | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value:
            option["attrs"]["data-names"] = "|".join(codes.search_names(self.kind, str(value)))
        return option
