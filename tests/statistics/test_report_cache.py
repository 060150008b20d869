"""The annual report is made once per year, threshold, language and version of the data: a second
read is the cached one (still audited), any audited write or linkage run makes a new one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from varde.audit.models import AuditEvent
from varde.linkage.services import linkage_run
from varde.response.legal_status import legal_status_record
from varde.statistics.report import annual_report_for_user, report_years
from varde.statistics.selectors import data_version

pytestmark = pytest.mark.django_db


def _reads() -> int:
    return AuditEvent.objects.filter(object_type="statistics.annual_report").count()


def test_the_report_is_cached_until_the_data_changes(world, personas):
    _esther_police, _esther_ngo, mihai, _late = world
    first = annual_report_for_user(user=personas.coordinator, year=2026, k=3)
    again = annual_report_for_user(user=personas.coordinator, year=2026, k=3)
    assert again.generated_at == first.generated_at  # the cached report
    assert _reads() == 2  # each read audited all the same
    other_k = annual_report_for_user(user=personas.coordinator, year=2026, k=5)
    assert other_k.generated_at != first.generated_at and other_k.k == 5
    with translation.override("en"):
        english = annual_report_for_user(user=personas.coordinator, year=2026, k=3)
    assert english.generated_at != first.generated_at  # the tables' titles are in the language

    version = data_version()
    legal_status_record(
        actor=personas.childwelfare, case=mihai, kind="reflection_applied", from_date=dt.date(2026, 11, 2)
    )
    assert data_version() != version
    changed = annual_report_for_user(user=personas.coordinator, year=2026, k=3)
    assert changed.generated_at != first.generated_at
    applied = {row.key: row.value for row in changed.table("reflection_period").rows}["applied"]
    before = {row.key: row.value for row in first.table("reflection_period").rows}["applied"]
    assert applied is None or applied != before or before is None

    version = data_version()
    linkage_run(actor=personas.coordinator)
    assert data_version() != version  # a new linkage run may join or split persons


def test_the_index_years_come_from_the_earliest_referral_without_the_extract(
    world, django_assert_max_num_queries
):
    with django_assert_max_num_queries(1):
        years = report_years()
    assert years[0] == 2026 and years[-1] >= 2026
