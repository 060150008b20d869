"""The interchange CSV: the columns every agency's referral file has, shared by the import
(`varde import`, interchange) and the linkage's files (`varde link`). One definition, so that the two
never disagree on what a referral row is."""

from __future__ import annotations

INTERCHANGE_COLUMNS: tuple[str, ...] = (
    "record_id",
    "reporting_agency",
    "referral_date",
    "given_name",
    "family_name",
    "sex",
    "date_of_birth",
    "estimated_age",
    "nationality",
    "phone",
    "id_document_number",
    "municipality",
)
# A row without these cannot be placed: which agency reported whom, and when.
REQUIRED_COLUMNS: tuple[str, ...] = ("record_id", "reporting_agency", "referral_date")
