"""Anonymous notifications (issue 22): a possible adult victim who declines help or registration,
recorded without identity, in a minute, by an agency that met them (modelled on the UK's duty to
notify, form MS1). Keyword-only, atomic, audited in the same transaction (DESIGN conventions 2-4).

Rules:
- who records: a user who works with cases in the agency (caseworker or coordinator there);
- what: the date (not in the future, not before 2000), an adult age band, sex, nationality (ISO 3166
  alpha-2, optional), at least one form of exploitation (the referrals' codes) and the municipality
  (kommunenummer, optional). Codes only: nothing that identifies anyone, and no free text;
- a mistaken notification is withdrawn by its agency, with a reason code; never edited or deleted.
  A withdrawn notification is not counted;
- the audit events carry the codes of age band, sex and forms, never more.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from varde.accounts.models import Agency, User
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.cases.models import ExploitationForm
from varde.core import clock
from varde.core.errors import EditConflict, NotPermitted
from varde.persons import codes, validators
from varde.persons.models import Sex

from .models import AgeBand, AnonymousNotification, WithdrawalReason

EARLIEST_DATE = dt.date(2000, 1, 1)


def may_record_for(actor: User, agency: Agency) -> bool:
    """A user records for an active agency they work with cases in (caseworker or coordinator there)."""
    return bool(actor.is_active and agency.is_active and agency.pk in actor.case_agency_ids())


def _forms(values: Iterable[str]) -> tuple[list[str], list[str]]:
    """The known forms of exploitation in their catalogue order (each once), and the unknown ones."""
    given = [str(v) for v in values]
    known = [code for code in ExploitationForm.values if code in given]
    unknown = [v for v in given if v not in ExploitationForm.values]
    return known, unknown


def _validated(
    *,
    noticed_on: dt.date,
    age_band: str,
    sex: str,
    nationality: str,
    exploitation_forms: Iterable[str],
    municipality: str,
) -> tuple[str, list[str], str]:
    """Every rule at once, so that a form shows all its errors together: (nationality, forms,
    municipality) as stored, or a ValidationError naming each field."""
    errors: dict[str, str] = {}
    today = clock.today()
    if noticed_on > today:
        errors["noticed_on"] = _("The date cannot be in the future.")
    elif noticed_on < EARLIEST_DATE:
        errors["noticed_on"] = _("The date cannot be before 1 January 2000.")
    if age_band not in AgeBand.values:
        errors["age_band"] = _("Choose an age band for an adult.")
    if sex not in Sex.values:
        errors["sex"] = _("Choose female, male, other or unknown.")
    country = (nationality or "").strip().upper()
    if country and not codes.is_country(country):
        errors["nationality"] = _("Choose a country from the list (an ISO 3166 code, e.g. NG).")
    forms, unknown = _forms(exploitation_forms)
    if unknown:
        errors["exploitation_forms"] = _("Choose forms of exploitation from the list.")
    elif not forms:
        errors["exploitation_forms"] = _("Choose at least one form of exploitation.")
    place = (municipality or "").strip()
    try:
        validators.validate_municipality(place)
    except ValidationError as error:
        errors["municipality"] = error.messages[0]
    if errors:
        raise ValidationError(errors)
    return country, forms, place


@transaction.atomic
def anonymous_notification_record(
    *,
    actor: User,
    agency: Agency,
    noticed_on: dt.date,
    age_band: str,
    exploitation_forms: Iterable[str],
    sex: str = "",
    nationality: str = "",
    municipality: str = "",
) -> AnonymousNotification:
    """Record a possible adult victim who declined help or registration, without identity."""
    if not may_record_for(actor, agency):
        raise NotPermitted(_("You can only record a notification for an agency you work with cases in."))
    country, forms, place = _validated(
        noticed_on=noticed_on,
        age_band=age_band,
        sex=sex,
        nationality=nationality,
        exploitation_forms=exploitation_forms,
        municipality=municipality,
    )
    notification = AnonymousNotification.objects.create(
        noticed_on=noticed_on,
        age_band=age_band,
        sex=sex,
        nationality=country,
        exploitation_forms=forms,
        municipality=place,
        agency=agency,
        recorded_by=actor,
        recorded_at=clock.now(),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=notification,
        agency=agency,
        detail={"age_band": age_band, "sex": sex, "forms": forms},
    )
    return notification


@transaction.atomic
def anonymous_notification_withdraw(
    *, actor: User, notification: AnonymousNotification, reason: str
) -> AnonymousNotification:
    """Withdraw a mistaken notification (its agency only): it stays, marked, and is no longer counted.
    A notification withdrawn (or changed) since it was read is an EditConflict."""
    if notification.agency_id not in actor.case_agency_ids():
        raise NotPermitted(_("Only the agency that recorded the notification can withdraw it."))
    if reason not in WithdrawalReason.values:
        raise ValidationError({"reason": _("Choose why the notification is withdrawn.")})
    updated = AnonymousNotification.objects.filter(
        pk=notification.pk, withdrawn_at__isnull=True, version=notification.version
    ).update(
        withdrawn_at=clock.now(),
        withdrawn_by=actor,
        withdrawn_reason=reason,
        version=notification.version + 1,
        updated_at=clock.now(),
    )
    if not updated:
        raise EditConflict(notification)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=notification,
        agency=notification.agency,
        detail={"withdrawn": True, "reason": reason},
    )
    return AnonymousNotification.objects.select_related("agency").get(pk=notification.pk)
