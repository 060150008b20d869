"""The linkage review pages: coordinators only (everyone else 404), the queue without names, a pair
side by side with only the fields needed to decide (audited per case read), decisions that bind the
next linkage run, undo that splits the persons again, and 409 on a stale form."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import linkage_world, report, share_case
from varde.audit.models import AuditEvent
from varde.cases.services import case_add_note
from varde.linkage.models import ClusterMember, ReviewDecision, ReviewItem
from varde.linkage.services import linkage_run, review_decide

pytestmark = pytest.mark.django_db

NOTE_MARKER = "NOTE-MARKER-7Q"
ADDRESS_MARKER = "Storgata 99 ADDRESS-MARKER"
NARRATIVE_MARKER = "NARRATIVE-MARKER-K3"


@pytest.fixture
def pair_world(personas, agencies):
    """Esther reported by police and by ROSA (one person); Mihai by child welfare (another)."""
    police, ngo, other = linkage_world(
        personas,
        agencies,
        mihai={"referral_date": dt.date(2026, 9, 14)},
        met_where=ADDRESS_MARKER,
        description=NARRATIVE_MARKER,
    )
    case_add_note(actor=personas.police, case=police, text=NOTE_MARKER)
    run = linkage_run(actor=personas.coordinator)
    # A pair the model kept apart, put in the queue as a run would for a borderline pair.
    item = ReviewItem.objects.create(
        run=run, record_a=police.referrals.get(), record_b=other.referrals.get(), match_probability=0.31
    )
    return police.referrals.get(), ngo.referrals.get(), other.referrals.get(), item


def key_of(referral) -> str:
    return ClusterMember.objects.get(referral=referral).person_key


def _urls(item, decision) -> list[tuple[str, str]]:
    return [
        ("get", reverse("linkage-review")),
        ("get", reverse("linkage-review-pair", args=[item.pk])),
        ("post", reverse("linkage-review-pair", args=[item.pk])),
        ("get", reverse("linkage-merges")),
        ("post", reverse("linkage-merge-undo", args=[decision.pk])),
    ]


def test_everyone_but_coordinators_gets_404(client, login, personas, pair_world):
    police, ngo, _other, item = pair_world
    decision = ReviewDecision.objects.create(
        record_a=police,
        record_b=ngo,
        decision="same",
        decided_by=personas.coordinator,
        decided_at=item.created_at,
    )
    others = [
        personas.police,
        personas.childwelfare,
        personas.ngo,
        personas.analyst,
        personas.outsider,
        personas.agency_admin,
        personas.sysadmin,
        personas.auditor,
    ]
    data = {"decide-decision": "same", "decide-version": item.version, f"undo-{decision.pk}-reason": "x"}
    for user in others:
        login(user)
        for method, url in _urls(item, decision):
            response = getattr(client, method)(url, data) if method == "post" else client.get(url)
            assert response.status_code == 404, (user.username, url)
        client.logout()
    item.refresh_from_db()
    decision.refresh_from_db()
    assert item.state == ReviewItem.State.OPEN and decision.is_active  # nothing changed
    # signed out: to the sign-in page
    assert client.get(reverse("linkage-review")).status_code == 302
    login(personas.coordinator)
    for method, url in _urls(item, decision)[:2] + _urls(item, decision)[3:4]:
        assert client.get(url).status_code == 200, url


def test_queue_shows_agreement_but_no_names_and_has_a_query_budget(client, login, personas, pair_world):
    police, ngo, other, item = pair_world
    login(personas.coordinator)
    response = client.get(reverse("linkage-review"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("linkage-review-pair", args=[item.pk]) in html
    assert "31 %" in html  # the match probability
    for secret in (
        "Esther",
        "Igbinovia",
        "Mihai",
        "Popescu",
        "1990-05-06",
        "56789",
        "KL1234567",
        NOTE_MARKER,
    ):
        assert secret not in html
    assert "Police district" in html or "Politidistrikt" in html
    # the nav link for coordinators
    assert f'href="{reverse("linkage-review")}"' in html

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("linkage-review"))
    run = item.run
    referrals = [police, ngo, other]
    extra = [
        report(personas.police, police.reporting_agency, given=f"Anna{i}", family="Berg", child=False)
        for i in range(6)
    ]
    for i, case in enumerate(extra):
        ReviewItem.objects.create(
            run=run, record_a=case.referrals.get(), record_b=referrals[i % 3], match_probability=0.2 + i / 100
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("linkage-review"))
    html = response.content.decode()
    for pair in ReviewItem.objects.all():
        assert reverse("linkage-review-pair", args=[pair.pk]) in html  # seven pairs listed
    assert len(many) == len(one)  # no query per pair


def test_pair_shows_only_what_is_needed_and_is_audited(client, login, personas, agencies, pair_world):
    police, _ngo, other, item = pair_world
    login(personas.coordinator)
    response = client.get(reverse("linkage-review-pair", args=[item.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for shown in ("Esther", "Igbinovia", "Mihai", "Popescu", "1990-05-06", "1996-02-03", "RO", "NG"):
        assert shown in html
    # phones and documents masked: the last two characters only
    assert "•••• 89" in html and "•••• 67" in html
    for hidden in (
        "934 56 789",
        "93456789",
        "KL1234567",
        "RO9999999",
        NOTE_MARKER,
        ADDRESS_MARKER,
        NARRATIVE_MARKER,
        police.case.reference,
        agencies.police.name,
        agencies.childwelfare.name,
    ):
        assert hidden not in html, hidden
    assert 'type="radio"' in html and 'name="decide-decision"' in html
    assert '<label class="ds-label" data-weight="regular" for="id_decide-decision_0">' in html
    events = AuditEvent.objects.filter(object_type="cases.case", detail__purpose="linkage_review")
    assert {e.object_id for e in events} == {str(police.case_id), str(other.case_id)}
    assert all(e.actor_id == personas.coordinator.pk and e.action == "view" for e in events)
    assert all(e.detail["review_item"] == str(item.pk) for e in events)
    # the queue and the decisions list are audited too (ids only)
    client.get(reverse("linkage-review"))
    client.get(reverse("linkage-merges"))
    queue = AuditEvent.objects.filter(object_type="linkage.review_queue").latest("seq")
    assert queue.actor_id == personas.coordinator.pk and queue.detail["review_items"] == [str(item.pk)]
    assert AuditEvent.objects.filter(
        object_type="linkage.decisions", actor_id=personas.coordinator.pk
    ).exists()


def test_decision_binds_the_next_run_and_undo_splits_again(client, login, personas, pair_world):
    police, ngo, other, item = pair_world
    assert key_of(police) == key_of(ngo) != key_of(other)
    login(personas.coordinator)
    url = reverse("linkage-review-pair", args=[item.pk])
    response = client.post(
        url,
        {"decide-decision": "same", "decide-reason": "same passport photo", "decide-version": item.version},
    )
    assert response.status_code == 302 and response.url == reverse("linkage-review")
    decision = ReviewDecision.objects.get(withdrawn_at__isnull=True, decision="same")
    assert {decision.record_a_id, decision.record_b_id} == {police.pk, other.pk}
    assert AuditEvent.objects.filter(
        object_type="linkage.reviewdecision", object_id=str(decision.pk), action="create"
    ).exists()

    linkage_run(actor=personas.coordinator)
    assert key_of(police) == key_of(other) == key_of(ngo)  # the decision binds: merged

    merges = client.get(reverse("linkage-merges"))
    assert merges.status_code == 200
    html = merges.content.decode()
    assert reverse("linkage-merge-undo", args=[decision.pk]) in html
    for secret in ("Esther", "Igbinovia", "Mihai", "Popescu"):
        assert secret not in html
    response = client.post(
        reverse("linkage-merge-undo", args=[decision.pk]),
        {f"undo-{decision.pk}-reason": "wrong pair", f"undo-{decision.pk}-version": decision.version},
    )
    assert response.status_code == 302 and response.url == reverse("linkage-merges")
    decision.refresh_from_db()
    assert not decision.is_active and decision.withdrawal_reason == "wrong pair"
    assert AuditEvent.objects.filter(object_id=str(decision.pk), action="update").exists()

    linkage_run(actor=personas.coordinator)
    assert key_of(police) == key_of(ngo) != key_of(other)  # the merge undone: split again


def test_not_same_keeps_a_likely_pair_apart_in_the_next_run(client, login, personas, pair_world):
    police, ngo, _other, item = pair_world
    run = item.run
    likely = ReviewItem.objects.create(run=run, record_a=police, record_b=ngo, match_probability=0.45)
    login(personas.coordinator)
    response = client.post(
        reverse("linkage-review-pair", args=[likely.pk]),
        {"decide-decision": "not_same", "decide-version": likely.version},
    )
    assert response.status_code == 302
    linkage_run(actor=personas.coordinator)
    assert key_of(police) != key_of(ngo)


def test_stale_decision_is_a_409_conflict_and_saves_nothing(client, login, personas, pair_world):
    _police, _ngo, _other, item = pair_world
    login(personas.coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the assertion reads the English text
    seen = item.version
    # another coordinator decides first
    review_decide(actor=personas.coordinator, item=item, decision="not_same", reason="first")
    response = client.post(
        reverse("linkage-review-pair", args=[item.pk]),
        {"decide-decision": "same", "decide-reason": "second", "decide-version": seen},
    )
    assert response.status_code == 409
    assert "while you were looking" in response.content.decode()
    assert ReviewDecision.objects.count() == 1
    assert ReviewDecision.objects.get().decision == "not_same"


def test_stale_undo_is_a_409_conflict(client, login, personas, pair_world):
    _police, _ngo, _other, item = pair_world
    decision = review_decide(actor=personas.coordinator, item=item, decision="same")
    login(personas.coordinator)
    url = reverse("linkage-merge-undo", args=[decision.pk])
    data = {f"undo-{decision.pk}-reason": "mistake", f"undo-{decision.pk}-version": decision.version}
    assert client.post(url, data).status_code == 302
    again = client.post(url, data)
    assert again.status_code == 409
    assert AuditEvent.objects.filter(object_id=str(decision.pk), action="update").count() == 1


def test_invalid_decision_form_is_shown_with_errors(client, login, personas, pair_world):
    _police, _ngo, _other, item = pair_world
    login(personas.coordinator)
    response = client.post(reverse("linkage-review-pair", args=[item.pk]), {"decide-version": item.version})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert not ReviewDecision.objects.exists()


def test_report_page_tells_of_a_likely_earlier_record_elsewhere_without_its_data(
    login, personas, agencies, pair_world
):
    from django.contrib.messages import get_messages

    from tests.web.test_report import form_data

    police, _ngo, _other, _item = pair_world
    # child welfare takes part in the police's Esther case (issue 21, finding 3: else no hint)
    share_case(
        police.case, lead=personas.police, agency=agencies.childwelfare, accepter=personas.childwelfare
    )
    client = login(personas.childwelfare)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the assertions read the English hint
    data = form_data(
        given_name="Esther",
        family_name="Igbinovia",
        estimated_age="",
        estimated_age_certainty="",
        date_of_birth="1990-05-06",
        nationality="NG",
        phone="934 56 789",
        document_number="",
        document_type="",
        document_country="",
    )
    response = client.post(reverse("report"), data)
    # Child welfare takes part in Esther's case, so it is its own agency's earlier record: shown first
    # (issue 20, point 3); saved as a new case anyway, the hint about other agencies' records follows.
    assert [m.case.pk for m in response.context["matches"]] == [police.case.pk]
    response = client.post(reverse("report"), {**data, "confirm_new_case": response.context["confirm_token"]})
    assert response.status_code == 302, response.context["form"].errors
    page = client.get(response.url)
    html = page.content.decode()
    hints = [str(m) for m in get_messages(page.wsgi_request) if "earlier record" in str(m)]
    assert len(hints) == 1 and hints[0] in html  # shown once on the new case's page
    assert personas.coordinator.full_name in hints[0]
    for secret in (agencies.police.name, agencies.ngo.name, police.case.reference, "Igbinovia"):
        assert secret not in hints[0]
    for secret in (police.case.reference, "KL1234567", NOTE_MARKER, ADDRESS_MARKER):
        assert secret not in html
    event = AuditEvent.objects.filter(object_type="linkage.earlier_records").latest("seq")
    assert event.actor_id == personas.childwelfare.pk and event.detail["likely_earlier_records"] >= 1

    # a stranger's report gets no hint
    response = client.post(reverse("report"), form_data())
    assert "earlier record" not in client.get(response.url).content.decode()
