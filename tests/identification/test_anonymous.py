"""Anonymous notifications (issue 22): the services. Who may record and withdraw, each rule of
validation with its message (Bokmål and English), nothing half-saved, the audit events (codes only),
and the access selectors (own agency's, coordinators every agency's, nobody else)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import translation

from tests.conftest import verified
from varde.access import anonymous as reads
from varde.audit.models import AuditEvent
from varde.core import clock
from varde.core.errors import EditConflict, NotPermitted
from varde.identification.anonymous import (
    anonymous_notification_record,
    anonymous_notification_withdraw,
)
from varde.identification.models import AnonymousNotification

OBJECT = "identification.anonymousnotification"


def record(actor, agency, **kw):
    args = {
        "noticed_on": clock.today(),
        "age_band": "25-34",
        "sex": "F",
        "nationality": "ng",
        "exploitation_forms": ["sexual"],
        "municipality": "0301",
        **kw,
    }
    return anonymous_notification_record(actor=actor, agency=agency, **args)


def errors_of(call) -> dict[str, list[str]]:
    """The ValidationError's messages by field, and proof that nothing was saved or audited."""
    before = (AnonymousNotification.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as caught, transaction.atomic():
        call()
    assert (AnonymousNotification.objects.count(), AuditEvent.objects.count()) == before
    return caught.value.message_dict


def test_records_codes_only_and_audits_them(personas, agencies):
    n = record(personas.police, agencies.police, exploitation_forms=["forced_labour", "sexual", "sexual"])
    n.refresh_from_db()
    assert n.agency == agencies.police and n.recorded_by == personas.police
    assert n.nationality == "NG" and n.municipality == "0301" and n.sex == "F" and n.age_band == "25-34"
    assert n.exploitation_forms == ["sexual", "forced_labour"]  # once each, in the catalogue's order
    assert n.withdrawn_at is None and not n.is_withdrawn and str(n) == f"AnonymousNotification {n.pk}"
    event = AuditEvent.objects.get(object_type=OBJECT, object_id=str(n.pk))
    assert event.action == "create" and event.actor_id == personas.police.pk
    assert event.agency_code == agencies.police.code
    assert event.detail == {"age_band": "25-34", "sex": "F", "forms": ["sexual", "forced_labour"]}


def test_the_model_has_no_field_that_could_identify_anyone():
    names = {f.name for f in AnonymousNotification._meta.get_fields()}
    text = {
        f.name
        for f in AnonymousNotification._meta.get_fields()
        if f.get_internal_type() in ("CharField", "TextField") and not f.choices
    }
    assert text == {"nationality", "municipality"}  # a code each, checked by the service
    for word in (
        "name",
        "phone",
        "note",
        "description",
        "document",
        "birth",
        "national_id",
        "person",
        "case",
    ):
        assert not any(word in n for n in names), word


def test_optional_fields_may_be_left_out(personas, agencies):
    n = record(personas.ngo, agencies.ngo, sex="", nationality="", municipality="", age_band="unknown_adult")
    assert (n.sex, n.nationality, n.municipality, n.age_band) == ("", "", "", "unknown_adult")


@pytest.mark.parametrize(
    ("kw", "field", "en", "nb"),
    [
        (
            {"noticed_on": dt.date(2999, 1, 1)},
            "noticed_on",
            "The date cannot be in the future.",
            "Datoen kan ikke være fram i tid.",
        ),
        (
            {"noticed_on": dt.date(1999, 12, 31)},
            "noticed_on",
            "The date cannot be before 1 January 2000.",
            "Datoen kan ikke være før 1. januar 2000.",
        ),
        (
            {"exploitation_forms": []},
            "exploitation_forms",
            "Choose at least one form of exploitation.",
            "Velg minst én form for utnyttelse.",
        ),
        (
            {"exploitation_forms": ["sexual", "smuggling"]},
            "exploitation_forms",
            "Choose forms of exploitation from the list.",
            "Velg former for utnyttelse fra listen.",
        ),
        (
            {"nationality": "QQ"},
            "nationality",
            "Choose a country from the list (an ISO 3166 code, e.g. NG).",
            "Velg et land fra listen (en ISO 3166-kode, f.eks. NG).",
        ),
        (
            {"municipality": "301"},
            "municipality",
            "A municipality number has four digits, e.g. 0301 for Oslo",
            None,
        ),
        (
            {"age_band": "16-17"},
            "age_band",
            "Choose an age band for an adult.",
            "Velg en aldersgruppe for en voksen.",
        ),
        (
            {"sex": "Q"},
            "sex",
            "Choose female, male, other or unknown.",
            "Velg kvinne, mann, annet eller ukjent.",
        ),
    ],
)
def test_each_rule_refuses_with_a_clear_message_and_saves_nothing(personas, agencies, kw, field, en, nb):
    with translation.override("en"):
        errors = errors_of(lambda: record(personas.police, agencies.police, **kw))
    assert errors == {field: [en]}
    if nb is not None:
        with translation.override("nb"):
            assert errors_of(lambda: record(personas.police, agencies.police, **kw)) == {field: [nb]}


def test_every_error_is_given_at_once(personas, agencies):
    errors = errors_of(
        lambda: record(
            personas.police,
            agencies.police,
            noticed_on=dt.date(1990, 1, 1),
            exploitation_forms=[],
            nationality="QQ",
            municipality="0000",
        )
    )
    assert set(errors) == {"noticed_on", "exploitation_forms", "nationality", "municipality"}


def test_only_for_an_agency_one_works_with_cases_in(personas, agencies):
    record(personas.coordinator, agencies.kom)  # a coordinator records for KOM
    for actor, agency in (
        (personas.police, agencies.ngo),  # another agency
        (personas.coordinator, agencies.police),  # coordinators too: their own agency only
        (personas.analyst, agencies.kom),
        (personas.agency_admin, agencies.police),
        (personas.auditor, agencies.kom),
    ):
        before = AnonymousNotification.objects.count()
        with pytest.raises(NotPermitted), transaction.atomic():
            record(actor, agency)
        assert AnonymousNotification.objects.count() == before
    agencies.police.is_active = False
    agencies.police.save()
    personas.police.refresh_from_db()
    with pytest.raises(NotPermitted):
        record(personas.police, agencies.police)


def test_withdraw_keeps_it_marked_and_audits_the_reason_code(personas, agencies):
    n = record(personas.police, agencies.police)
    withdrawn = anonymous_notification_withdraw(actor=personas.police, notification=n, reason="duplicate")
    assert withdrawn.is_withdrawn and withdrawn.withdrawn_by == personas.police
    assert withdrawn.withdrawn_reason == "duplicate" and withdrawn.version == n.version + 1
    assert AnonymousNotification.objects.filter(pk=n.pk).exists()  # never deleted
    event = AuditEvent.objects.filter(object_type=OBJECT, object_id=str(n.pk)).latest("seq")
    assert event.action == "update" and event.detail == {"withdrawn": True, "reason": "duplicate"}
    # Withdrawn once: again is a conflict (409 in the API), and nothing changes.
    with pytest.raises(EditConflict), transaction.atomic():
        anonymous_notification_withdraw(actor=personas.police, notification=withdrawn, reason="mistake")
    with pytest.raises(EditConflict), transaction.atomic():
        anonymous_notification_withdraw(actor=personas.police, notification=n, reason="mistake")  # stale
    assert AnonymousNotification.objects.get(pk=n.pk).withdrawn_reason == "duplicate"


def test_withdraw_by_its_agency_only_and_with_a_known_reason(personas, agencies):
    n = record(personas.police, agencies.police)
    for actor in (personas.coordinator, personas.ngo, personas.outsider):
        with pytest.raises(NotPermitted), transaction.atomic():
            anonymous_notification_withdraw(actor=actor, notification=n, reason="mistake")
    with translation.override("en"):
        errors = errors_of(
            lambda: anonymous_notification_withdraw(
                actor=personas.police, notification=n, reason="The woman called Ana"
            )
        )
    assert errors == {"reason": ["Choose why the notification is withdrawn."]}
    n.refresh_from_db()
    assert not n.is_withdrawn


def test_the_selectors_show_an_agencys_own_coordinators_all_nobody_else(personas, agencies):
    police = record(personas.police, agencies.police)
    ngo = record(personas.ngo, agencies.ngo)
    kom = record(personas.coordinator, agencies.kom)

    def visible(user):
        return set(reads.anonymous_notifications_visible_to(user=verified(user)))

    assert visible(personas.police) == {police}
    assert visible(personas.ngo) == {ngo}
    assert visible(personas.coordinator) == {police, ngo, kom}
    for user in (personas.outsider, personas.childwelfare):
        assert visible(user) == set()
    for user in (personas.analyst, personas.auditor, personas.sysadmin, personas.agency_admin):
        assert visible(user) == set()
        assert not reads.may_use_anonymous_notifications(verified(user))
        assert reads.anonymous_agencies_for(verified(user)) == []
    assert reads.anonymous_agencies_for(verified(personas.police)) == [agencies.police]

    with pytest.raises(Http404):
        reads.anonymous_notification_get_for_user(user=verified(personas.ngo), notification_id=police.pk)
    with pytest.raises(Http404):
        reads.anonymous_notification_get_for_user(
            user=verified(personas.police), notification_id="not-a-uuid"
        )
    got = reads.anonymous_notification_get_for_user(
        user=verified(personas.coordinator), notification_id=police.pk
    )
    assert got == police and not reads.is_own_agency(personas.coordinator, got)
    assert reads.may_withdraw(personas.police, police) and not reads.may_withdraw(
        personas.coordinator, police
    )
    event = AuditEvent.objects.filter(object_type=OBJECT, object_id=str(police.pk)).latest("seq")
    assert event.action == "view" and event.actor_id == personas.coordinator.pk and event.detail == {}


def test_reading_a_list_is_audited_with_the_ids_shown(personas, agencies):
    n = record(personas.police, agencies.police)
    shown = list(reads.anonymous_notifications_newest_first(user=verified(personas.police)))
    reads.anonymous_notifications_list_audit(user=personas.police, notifications=shown, page="web")
    event = AuditEvent.objects.filter(object_type=OBJECT, action="list").latest("seq")
    assert event.actor_id == personas.police.pk
    assert event.detail == {"page": "web", "notifications": [str(n.pk)]}
