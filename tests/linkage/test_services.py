"""Linkage in Django: runs, decisions and undo are audited and bind later runs; the caseworker hint
reveals nothing of the other agency."""

import dataclasses
import datetime as dt

import pytest

from tests.factories import MIHAI_BORN, esther_input, linkage_world, referral_input, share_case
from varde.audit.models import AuditEvent
from varde.core.errors import NotPermitted
from varde.linkage.models import ClusterMember, LinkageRun, ReviewItem
from varde.linkage.selectors import likely_earlier_records, review_items_for
from varde.linkage.services import linkage_run, review_decide, review_decide_pair, review_undo

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked_world(personas, agencies):
    return tuple(case.referrals.get() for case in linkage_world(personas, agencies))


def key_of(referral) -> str:
    return ClusterMember.objects.get(referral=referral).person_key


def test_only_coordinators_run_linkage(personas, linked_world):
    for user in (personas.police, personas.analyst, personas.outsider):
        with pytest.raises(NotPermitted):
            linkage_run(actor=user)
    assert not LinkageRun.objects.exists()


def test_run_links_referrals_and_is_audited_without_personal_data(personas, linked_world):
    police, ngo, other = linked_world
    run = linkage_run(actor=personas.coordinator)
    assert key_of(police) == key_of(ngo) != key_of(other)
    assert run.counts["records"] == 3 and run.parameters["prior"] > 0
    event = AuditEvent.objects.get(object_type="linkage.linkagerun", object_id=str(run.pk))
    assert event.actor_id == personas.coordinator.pk
    assert set(event.detail) == {"records", "persons", "review_pairs"}
    text = str(event.detail) + str(run.counts) + str(run.parameters)
    for secret in ("Esther", "Igbinovia", "93456789", "KL1234567"):
        assert secret not in text


def test_not_same_binds_the_next_run_and_undo_restores(personas, linked_world):
    police, ngo, _other = linked_world
    linkage_run(actor=personas.coordinator)
    assert key_of(police) == key_of(ngo)
    decision = review_decide_pair(
        actor=personas.coordinator,
        record_a=police,
        record_b=ngo,
        decision="not_same",
        reason="different mothers' names",
    )
    linkage_run(actor=personas.coordinator)
    assert key_of(police) != key_of(ngo)
    review_undo(actor=personas.coordinator, decision=decision, reason="entered by mistake")
    linkage_run(actor=personas.coordinator)
    assert key_of(police) == key_of(ngo)
    actions = list(AuditEvent.objects.filter(object_id=str(decision.pk)).values_list("action", flat=True))
    assert actions == ["create", "update"]


def test_review_item_decided_same_joins_and_undo_splits(personas, linked_world):
    police, _ngo, other = linked_world
    run = linkage_run(actor=personas.coordinator)
    assert key_of(police) != key_of(other)
    item = ReviewItem.objects.create(run=run, record_a=police, record_b=other, match_probability=0.4)
    assert item in review_items_for(user=personas.coordinator)
    assert not review_items_for(user=personas.police).exists()
    with pytest.raises(NotPermitted):
        review_decide(actor=personas.police, item=item, decision="same")
    decision = review_decide(
        actor=personas.coordinator, item=item, decision="same", reason="same passport photo"
    )
    item.refresh_from_db()
    assert item.state == ReviewItem.State.DECIDED
    linkage_run(actor=personas.coordinator)
    assert key_of(police) == key_of(other)  # the merge
    review_undo(actor=personas.coordinator, decision=decision, reason="wrong pair")
    linkage_run(actor=personas.coordinator)
    assert key_of(police) != key_of(other)  # the merge undone
    assert AuditEvent.objects.filter(
        object_id=str(decision.pk), action="create", detail__decision="same"
    ).exists()


def test_likely_earlier_record_in_another_agency_reveals_nothing(personas, agencies, linked_world):
    # child welfare takes part in both Esther cases (issue 21, finding 3: else it is told nothing)
    for referral, lead in zip(linked_world[:2], (personas.police, personas.ngo), strict=True):
        share_case(referral.case, lead=lead, agency=agencies.childwelfare, accepter=personas.childwelfare)
    hint = likely_earlier_records(
        referral_data=esther_input(), agency=agencies.childwelfare, actor=personas.childwelfare
    )
    assert hint.exists and hint.count == 2
    assert [c.name for c in hint.coordinators] == [personas.coordinator.full_name]
    assert {f.name for f in dataclasses.fields(hint)} == {"exists", "count", "coordinators"}
    shown = repr(hint)
    for secret in (
        "Igbinovia",
        agencies.police.name,
        agencies.ngo.name,
        agencies.police.code,
        "KL1234567",
        *(str(r.pk) for r in linked_world),
    ):
        assert secret not in shown
    event = AuditEvent.objects.filter(object_type="linkage.earlier_records").latest("seq")
    assert event.detail == {"likely_earlier_records": 2}


def test_no_hint_for_a_stranger_or_for_the_own_agency(personas, agencies, linked_world):
    stranger = referral_input("Ida", "Hansen", date_of_birth=dt.date(1999, 9, 9), nationalities=["NO"])
    assert not likely_earlier_records(referral_data=stranger, agency=agencies.childwelfare).exists
    # Mihai Popescu is known only to child welfare itself: no hint about "another agency"
    own = referral_input(
        "Mihai",
        "Popescu",
        sex="M",
        date_of_birth=MIHAI_BORN,
        nationalities=["RO"],
        phones=["+47 955 55 555"],
    )
    hint = likely_earlier_records(referral_data=own, agency=agencies.childwelfare)
    assert not hint.exists and hint.count == 0 and hint.coordinators == []


@pytest.mark.django_db
def test_parameters_trained_for_other_comparison_levels_are_not_reused():
    """A run's trained parameters are reused only by the model version that trained them: an older
    model's values would land on the wrong comparison levels."""
    from varde.core import clock
    from varde.linkage.model import MODEL_VERSION, ModelParameters, default_parameters
    from varde.linkage.services import latest_parameters

    current = default_parameters()
    run = LinkageRun.objects.create(
        started=clock.now(), state=LinkageRun.State.FINISHED, parameters=current.to_json()
    )
    assert latest_parameters() == current
    older = ModelParameters(prior=current.prior, levels=current.levels, version="varde-linkage-1")
    run.parameters = older.to_json()
    run.save()
    assert older.version != MODEL_VERSION
    assert latest_parameters() is None
