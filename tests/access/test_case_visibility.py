import pytest
from django.http import Http404

from tests.conftest import break_glass
from varde.access.cases import (
    case_get_for_user,
    cases_listed_for,
    cases_visible_to,
    invitations_for,
    person_get_for_user,
)
from varde.audit.models import AuditEvent


def visible(user):
    return set(cases_visible_to(user=user).values_list("reference", flat=True))


def refs(*cases):
    return {c.reference for c in cases}


def test_caseworkers_see_their_agencies_cases_and_shared_ones(world):
    p, c = world.personas, world.cases
    assert visible(p.police) == refs(c.police_adult, c.police_child)
    assert visible(p.childwelfare) == refs(c.childwelfare_adult, c.childwelfare_child)
    assert visible(p.ngo) == refs(c.ngo_adult, c.ngo_child, c.police_adult)


def test_coordinator_lists_every_case_but_opens_none_without_breaking_the_glass(world):
    """The national view is of lists (reference, status, agencies, child flag); personal data opens
    only where KOM takes part, or by break-the-glass (varde.access.break_glass)."""
    coordinator, c = world.personas.coordinator, world.cases
    listed = cases_listed_for(user=coordinator)
    assert set(listed.values_list("reference", flat=True)) == refs(*c.all())
    assert not any(case.personal_access for case in listed)
    assert visible(coordinator) == set()
    with pytest.raises(Http404):
        case_get_for_user(user=coordinator, case_id=c.childwelfare_child.pk)
    with pytest.raises(Http404):
        person_get_for_user(user=coordinator, person_id=c.childwelfare_child.person_id)


def test_break_the_glass_opens_one_case_for_a_limited_time(world):
    import datetime as dt

    from varde.audit.models import BreakGlassAccess

    coordinator, c = world.personas.coordinator, world.cases
    access = break_glass(coordinator, c.childwelfare_child)
    assert visible(coordinator) == refs(c.childwelfare_child)
    assert case_get_for_user(user=coordinator, case_id=c.childwelfare_child.pk) == c.childwelfare_child
    assert person_get_for_user(user=coordinator, person_id=c.childwelfare_child.person_id)
    opened = {case.reference: case.personal_access for case in cases_listed_for(user=coordinator)}
    assert opened[c.childwelfare_child.reference] and not opened[c.police_adult.reference]
    # Another coordinator is not let in by it.
    from tests.factories import make_user

    other = make_user("coordinator2", world.agencies.kom, "coordinator")
    assert visible(other) == set()
    # It ends.
    BreakGlassAccess.objects.filter(pk=access.pk).update(expires_at=access.at - dt.timedelta(seconds=1))
    assert visible(coordinator) == set()


def test_coordinator_opens_cases_kom_takes_part_in(world):
    from varde.cases.models import CaseParticipation, ParticipationState

    c = world.cases
    CaseParticipation.objects.create(
        case=c.ngo_child, agency=world.agencies.kom, state=ParticipationState.ACTIVE
    )
    assert visible(world.personas.coordinator) == refs(c.ngo_child)


def test_caseworkers_lists_are_what_they_may_open(world):
    p = world.personas
    assert set(cases_listed_for(user=p.police).values_list("reference", flat=True)) == visible(p.police)
    assert all(case.personal_access for case in cases_listed_for(user=p.police))


@pytest.mark.parametrize("name", ["analyst", "outsider", "agency_admin", "sysadmin", "auditor"])
def test_no_case_role_sees_nothing(world, name):
    user = getattr(world.personas, name)
    assert visible(user) == set()
    with pytest.raises(Http404):
        case_get_for_user(user=user, case_id=world.cases.police_adult.pk)
    with pytest.raises(Http404):
        person_get_for_user(user=user, person_id=world.cases.police_adult.person_id)


def test_get_writes_audit_event_and_hidden_case_is_404(world):
    p, c = world.personas, world.cases
    before = AuditEvent.objects.count()
    case = case_get_for_user(user=p.police, case_id=c.police_child.pk)
    assert case == c.police_child
    event = AuditEvent.objects.latest("seq")
    assert AuditEvent.objects.count() == before + 1
    assert (event.action, event.object_id, event.actor_username) == ("view", str(case.pk), "police")
    with pytest.raises(Http404):
        case_get_for_user(user=p.police, case_id=c.ngo_child.pk)
    with pytest.raises(Http404):
        case_get_for_user(user=p.police, case_id="not-a-uuid")


def test_invited_agency_sees_invitation_but_not_case(world):
    from varde.cases.services import case_invite_agency

    p, c, a = world.personas, world.cases, world.agencies
    # A child's case may be shared with child welfare without consent.
    inv = case_invite_agency(actor=p.police, case=c.police_child, agency=a.childwelfare)
    assert list(invitations_for(user=p.childwelfare)) == [inv]
    assert c.police_child.reference not in visible(p.childwelfare)


def test_deactivated_user_sees_nothing(world):
    user = world.personas.police
    user.is_active = False
    user.save()
    assert visible(user) == set()


def test_inactive_membership_sees_nothing(world):
    user = world.personas.police
    user.memberships.update(is_active=False)
    del user.active_memberships
    assert visible(user) == set()
