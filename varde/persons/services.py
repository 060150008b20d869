"""Writes on persons that no single case owns."""

from __future__ import annotations

import datetime as dt

from varde.core import clock

from .models import Person

# Age bands kept after anonymisation (the lower bound of the band at the case's opening).
AGE_BANDS = (0, 13, 16, 18, 25, 35, 50, 65)


def age_band_floor(age: int) -> int:
    return max(b for b in AGE_BANDS if b <= age)


def person_anonymise(*, person: Person, opened: dt.date) -> None:
    """Remove names and aliases, identity documents, phone numbers, national id and birth date; keep
    the age band at `opened`. The caller (varde.retention) audits and runs it in its transaction."""
    age = person.age_on(opened)
    person.names.all().delete()
    person.documents.all().delete()
    person.phones.all().delete()
    Person.objects.filter(pk=person.pk).update(
        date_of_birth=None,
        national_id="",
        estimated_age=age_band_floor(age) if age is not None else None,
        estimated_age_certainty="",
        age_estimated_on=opened if age is not None else None,
        version=person.version + 1,
        updated_at=clock.now(),
    )
