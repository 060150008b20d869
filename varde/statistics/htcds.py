"""Export of de-identified case data in the Human Trafficking Case Data Standard (HTCDS) 2.0.

Field names and picklist value names are read at run time from htcds/HTCDS-2.0-fields.csv (the
standard's field table, IOM, CC BY 4.0; see htcds/README.md), and every exported field and value is
checked against it before anything is written. The mapping from Varde's fields is documented in
docs/HTCDS_MAPPING.md.

One record per de-duplicated person, built from the pseudonymised extract (varde.statistics.extract):
no names, birth dates, documents, phones, addresses, dates, free text or ids of any kind. A
citizenship held by fewer than k exported persons is left empty, so that a rare nationality cannot
single a person out.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TextIO

from .disclosure import check_k
from .extract import PersonRow

FIELDS_FILE = Path(__file__).with_name("htcds") / "HTCDS-2.0-fields.csv"
MULTI_SEPARATOR = ";"  # Salesforce multiselect picklists store values separated by semicolons


class HtcdsError(ValueError):
    """A field or value that is not in the HTCDS 2.0 field table (a bug in the mapping)."""


@dataclass(frozen=True)
class HtcdsField:
    name: str  # "Field Name including Prefix"
    section: str
    field_type: str
    values: tuple[str, ...]  # picklist value names; empty for free fields and ISO-code fields

    @property
    def is_multiselect(self) -> bool:
        return self.field_type.startswith("Multiselect")


@cache
def field_table() -> dict[str, HtcdsField]:
    """The standard's fields by name, as in the shipped CSV."""
    table: dict[str, HtcdsField] = {}
    with FIELDS_FILE.open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            raw = [v.strip() for v in (row["Value Names (if picklist)"] or "").splitlines() if v.strip()]
            iso = any(v.startswith("Use ISO") for v in raw)
            name = row["Field Name including Prefix"].strip()
            table[name] = HtcdsField(
                name, " ".join(row["Section"].split()), row["Field Type"].strip(), () if iso else tuple(raw)
            )
    return table


# --- the mapping from Varde's codes to HTCDS value names (see docs/HTCDS_MAPPING.md) -----------------

GENDER = {"F": "Feminine", "M": "Masculine", "X": "NonConforming", "": "NonSpecifiedUnknown"}

EXPLOITATION = {
    "sexual": "SexualExploitation",
    "forced_labour": "ForcedLabour",
    "begging": "ForcedBegging",
    "forced_criminality": "Other",
    "domestic_servitude": "Servitude",
    "forced_marriage": "ForcedMarriage",
    "organ_removal": "OrganRemoval",
    "war_service": "Other",
}
CHILD_LABOUR_FORMS = frozenset({"forced_labour"})  # a child in forced labour is also ChildLabour

TRAFFICKING_STATUS = {
    "reported": "PossibleVictimOfTrafficking",
    "under_assessment": "PossibleVictimOfTrafficking",
    "identified": "PossibleVictimOfTrafficking",
    "assistance": "PossibleVictimOfTrafficking",
    "closed": "PossibleVictimOfTrafficking",
    "not_victim": "NotAVictimOfTrafficking",
}

CASE_STATUS = {
    "reported": "Active",
    "under_assessment": "Active",
    "identified": "Active",
    "not_victim": "Active",
    "assistance": "FollowUp",
    "closed": "Closed",
}

ORGANISATION_TYPE = {
    "police_district": "LawEnforcement",
    "police_national": "LawEnforcement",
    "prosecution": "LawEnforcement",
    "police_immigration": "LawEnforcement",
    "udi": "ImmigrationService",
    "child_welfare_municipal": "LocalGovernmentOrganisation",
    "child_welfare_state": "CentralGovernmentOrganisation",
    "health": "HealthServiceOrganisation",
    "nav": "CentralGovernmentOrganisation",
    "social_services": "LocalGovernmentOrganisation",
    "labour_inspection": "CentralGovernmentOrganisation",
    "shelter": "LocalGovernmentOrganisation",
    "ngo": "NGO",
    "iom": "NGO",
    "kom": "CentralGovernmentOrganisation",
}

LABOUR_INDUSTRY = {
    "agriculture": "A_AgricultureForestryAndFishing",
    "construction": "F_Construction",
    "cleaning": "N_AdministrativeAndSupportServiceActivities",
    "hospitality": "I_AccommodationAndFoodServiceActivities",
    "car_wash": "G_WholesaleAndRetailTradeRepairOfMotorVehicles",
    "transport": "H_TransportationAndStorage",
    "manufacturing": "C_Manufacturing",
    "other": "",  # no HTCDS industry for "other": left empty
}

EXPORT_FIELDS = (
    "org_Type",
    "prs_Gender",
    "prs_Citizenship",
    "vic_TraffickingStatus",
    "vic_TypeOfExploitation",
    "vic_ForcedLabourIndustry",
    "cas_Status",
)

HtcdsRecord = dict[str, str | list[str]]


def _exploitation(row: PersonRow) -> list[str]:
    values = {EXPLOITATION[f] for f in row.exploitation if f in EXPLOITATION}
    if row.child and row.exploitation & CHILD_LABOUR_FORMS:
        values.add("ChildLabour")
    return sorted(values)


def htcds_records(rows: Iterable[PersonRow], *, k: int | None = None) -> list[HtcdsRecord]:
    """One HTCDS record per de-duplicated person; multiselect fields are lists."""
    people = list(rows)
    threshold = check_k(k)
    common = {c for c, n in Counter(r.nationality for r in people if r.nationality).items() if n >= threshold}
    records: list[HtcdsRecord] = []
    for row in people:
        records.append(
            {
                "org_Type": ORGANISATION_TYPE.get(row.first_agency_kind, ""),
                "prs_Gender": GENDER.get(row.sex, "NonSpecifiedUnknown"),
                "prs_Citizenship": [row.nationality] if row.nationality in common else [],
                "vic_TraffickingStatus": TRAFFICKING_STATUS.get(row.status, "PossibleVictimOfTrafficking"),
                "vic_TypeOfExploitation": _exploitation(row),
                "vic_ForcedLabourIndustry": LABOUR_INDUSTRY.get(row.labour_sector, "")
                if "forced_labour" in row.exploitation
                else "",
                "cas_Status": CASE_STATUS.get(row.status, "Active"),
            }
        )
    validate(records)
    return records


def validate(records: Sequence[HtcdsRecord]) -> None:
    """Every field name is in the standard, and every picklist value is one of the field's values."""
    table = field_table()
    for record in records:
        for name, value in record.items():
            spec = table.get(name)
            if spec is None:
                raise HtcdsError(f"{name} is not an HTCDS 2.0 field")
            values = value if isinstance(value, list) else [value] if value else []
            if isinstance(value, list) and not spec.is_multiselect:
                raise HtcdsError(f"{name} is not a multiselect field")
            for v in values:
                if spec.values and v not in spec.values:
                    raise HtcdsError(f"{v} is not a value of {name}")
                if not spec.values and not (len(v) == 2 and v.isalpha() and v.isupper()):
                    raise HtcdsError(f"{name} takes ISO 3166 alpha-2 codes")


def write_json(records: Sequence[HtcdsRecord], out: TextIO) -> None:
    json.dump({"standard": "HTCDS 2.0", "records": list(records)}, out, ensure_ascii=False, indent=2)
    out.write("\n")


def write_csv(records: Sequence[HtcdsRecord], out: TextIO) -> None:
    writer = csv.DictWriter(out, fieldnames=list(EXPORT_FIELDS), lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: MULTI_SEPARATOR.join(v) if isinstance(v, list) else v for k, v in record.items()})
