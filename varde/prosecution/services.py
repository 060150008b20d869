"""Writes on criminal cases: open, record a stage, schedule the trial, update the facts, take agencies in,
link victims' cases, perpetrators and networks, record cross-border cooperation and a person's outcome.

Every service is keyword-only, atomic and audited in the same transaction (ids and codes only). Bad
input raises ValidationError naming the field, and nothing is saved. Editable records carry a version
(optimistic locking: a stale version raises EditConflict). Only users of an agency taking part in the
criminal case act in it (varde.prosecution.acting).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from varde.accounts.models import Agency, AgencyKind, User
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.cases.acting import cases_open_to
from varde.cases.models import Case, ExploitationForm
from varde.core import clock, hygiene
from varde.core.errors import EditConflict, NotPermitted
from varde.persons import codes
from varde.statistics.police_districts import districts

from . import rules
from .acting import (
    CRIMINAL_AGENCY_KINDS,
    criminal_agencies,
    criminal_cases_open_to,
    districts_taking_part,
    participant_agency_required,
)
from .models import (
    FIRST_STAGES,
    TRANSITIONS,
    Cooperation,
    CooperationKind,
    CriminalCase,
    CriminalCaseNetwork,
    CriminalCaseParticipant,
    DropReason,
    Network,
    NetworkRole,
    Offence,
    Outcome,
    ParticipantRole,
    Perpetrator,
    PerpetratorLink,
    Stage,
    StageEntry,
    VictimLink,
    VictimRole,
)

MAX_NOK = 10**15  # far above any confiscation; keeps the figure inside a 64-bit integer


def _new_reference(year: int) -> str:
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return f"S{year % 100:02d}-" + "".join(secrets.choice(alphabet) for _ in range(6))


def _country_ok(code: str) -> bool:
    return codes.is_country(code)  # the same countries as a person's nationality


def _district_name(code: str) -> str:
    names = districts().get(code)
    return names["en"] if names else code


def _hygiene(errors: dict[str, str], **texts: str) -> None:
    """The input-hygiene rule (varde.core.hygiene) on free text: no control or bidirectional
    characters; a name (a field ending in "name") needs a visible character. Empty text is fine."""
    for field, value in texts.items():
        if not value or field in errors:
            continue
        problem = hygiene.name_problem(value) if field.endswith("name") else hygiene.text_problem(value)
        if problem is not None:
            errors[field] = str(hygiene.MESSAGES[problem])


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError({field: [message] for field, message in errors.items()})


# --- opening and the facts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriminalCaseInput:
    police_district: str
    offence: str
    facts_date: dt.date
    opened_on: dt.date
    first_stage: str = Stage.INVESTIGATION_OPENED
    police_case_number: str = ""
    exploitation_form: str = ""
    notes: str = ""
    dates_approximate: bool = False


def _check_number(*, district: str, number: str, exclude: CriminalCase | None = None) -> dict[str, str]:
    if not number:
        return {}
    if len(number) > 40:
        return {"police_case_number": _("The police case number is at most 40 characters.")}
    taken = CriminalCase.objects.filter(police_district=district, police_case_number=number)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        return {"police_case_number": _("Another criminal case in this police district has this number.")}
    return {}


@transaction.atomic
def criminal_case_open(*, actor: User, data: CriminalCaseInput, agency: Agency | None = None) -> CriminalCase:
    """Open a criminal case for one of the actor's police or prosecution agencies (the lead), at its first
    stage (reported, or an investigation the police opened themselves). The section of law is the one
    in force at the time of the facts (rules/offences.json)."""
    own = criminal_agencies(actor)
    if agency is None:
        agency = own[0] if own else None
    if agency is None or agency not in own:
        raise NotPermitted(_("Only the police and the prosecution authority open criminal cases."))
    today = clock.today()
    errors: dict[str, str] = {}
    if data.police_district not in districts():
        errors["police_district"] = _("Choose one of the police districts.")
    if data.offence not in Offence.values:
        errors["offence"] = _("Choose an offence from the list.")
    if data.facts_date > today:
        errors["facts_date"] = _("The time of the facts cannot be in the future.")
    provision = rules.provision_for(data.offence, data.facts_date) if data.offence in Offence.values else None
    if data.offence in Offence.values and "facts_date" not in errors and provision is None:
        errors["facts_date"] = _("No provision for this offence was in force at the time of the facts.")
    if data.first_stage not in FIRST_STAGES:
        errors["first_stage"] = _("A criminal case starts as reported or with an investigation opened.")
    if data.opened_on > today:
        errors["opened_on"] = _("The date cannot be in the future.")
    elif data.opened_on < data.facts_date:
        errors["opened_on"] = _("The case cannot be opened before the time of the facts.")
    if data.exploitation_form and data.exploitation_form not in ExploitationForm.values:
        errors["exploitation_form"] = _("Choose a form of exploitation from the list.")
    number = data.police_case_number.strip()
    errors.update(_check_number(district=data.police_district, number=number))
    _hygiene(errors, police_case_number=number, notes=data.notes)
    _raise(errors)
    assert provision is not None
    now = clock.now()
    criminal_case = CriminalCase.objects.create(
        reference=_unique_reference(data.opened_on.year),
        police_case_number=number,
        police_district=data.police_district,
        offence=data.offence,
        facts_date=data.facts_date,
        offence_section=provision.section,
        offence_rule_version=rules.rule_version(),
        exploitation_form=data.exploitation_form,
        stage=data.first_stage,
        stage_on=data.opened_on,
        dates_approximate=data.dates_approximate,
        notes=data.notes.strip(),
        lead_agency=agency,
        opened_by=actor,
    )
    role = (
        ParticipantRole.PROSECUTING
        if agency.kind == AgencyKind.PROSECUTION
        else ParticipantRole.INVESTIGATING
    )
    CriminalCaseParticipant.objects.create(
        criminal_case=criminal_case, agency=agency, role=role, is_lead=True, added_by=actor, added_at=now
    )
    StageEntry.objects.create(
        criminal_case=criminal_case,
        stage=data.first_stage,
        on=data.opened_on,
        recorded_by=actor,
        recorded_by_agency=agency,
        recorded_at=now,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=criminal_case,
        agency=agency,
        detail={"stage": data.first_stage, "offence": data.offence, "district": data.police_district},
    )
    return criminal_case


def _unique_reference(year: int) -> str:
    for _attempt in range(20):
        reference = _new_reference(year)
        if not CriminalCase.objects.filter(reference=reference).exists():
            return reference
    raise RuntimeError("could not allocate a criminal case reference")  # pragma: no cover


@transaction.atomic
def criminal_case_update(
    *,
    actor: User,
    criminal_case: CriminalCase,
    version: int,
    police_case_number: str,
    exploitation_form: str,
    confiscated_nok: int,
    notes: str,
) -> CriminalCase:
    """The facts that change during a case: the police case number, the form of exploitation, the
    proceeds confiscated (NOK, never negative) and the investigation notes."""
    agency = participant_agency_required(actor, criminal_case)
    errors: dict[str, str] = {}
    if confiscated_nok < 0:
        errors["confiscated_nok"] = _("Confiscated proceeds cannot be negative.")
    elif confiscated_nok > MAX_NOK:
        errors["confiscated_nok"] = _("The amount is too large.")
    if exploitation_form and exploitation_form not in ExploitationForm.values:
        errors["exploitation_form"] = _("Choose a form of exploitation from the list.")
    number = police_case_number.strip()
    errors.update(_check_number(district=criminal_case.police_district, number=number, exclude=criminal_case))
    _hygiene(errors, police_case_number=number, notes=notes)
    _raise(errors)
    updated = CriminalCase.objects.filter(pk=criminal_case.pk, version=version).update(
        police_case_number=number,
        exploitation_form=exploitation_form,
        confiscated_nok=confiscated_nok,
        notes=notes.strip(),
        version=version + 1,
        updated_at=clock.now(),
    )
    if not updated:
        raise EditConflict(criminal_case)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=criminal_case, agency=agency)
    return CriminalCase.objects.get(pk=criminal_case.pk)


# --- stages -------------------------------------------------------------------------------------------------


def _transition_error(current: str, stage: str, reached: set[str]) -> str:
    """Why `stage` may not follow `current`, in words the user can act on."""
    if current == Stage.FINAL_JUDGEMENT:
        return _("The case has a final judgement: no stage can follow it.")
    if stage == Stage.FINAL_JUDGEMENT and current == Stage.APPEAL:
        return _("A final judgement cannot be recorded while an appeal is pending.")
    if (
        stage in (Stage.TRIAL, Stage.VERDICT, Stage.APPEAL, Stage.FINAL_JUDGEMENT)
        and Stage.CHARGED not in reached
    ):
        before_charge: dict[str, str] = {
            Stage.TRIAL: _("A trial cannot be recorded before a charge."),
            Stage.VERDICT: _("A verdict cannot be recorded before a charge."),
            Stage.APPEAL: _("An appeal cannot be recorded before a charge."),
            Stage.FINAL_JUDGEMENT: _("A final judgement cannot be recorded before a charge."),
        }
        return before_charge[stage]
    if stage == Stage.VERDICT:
        return _("A verdict follows a trial (or decides an appeal).")
    if stage == Stage.FINAL_JUDGEMENT:
        return _("A final judgement needs a verdict first.")
    if stage == Stage.APPEAL:
        return _("Only a verdict can be appealed.")
    if stage in FIRST_STAGES and current == stage:
        return _("The case is already at this stage.")
    return _("“%(stage)s” cannot follow “%(current)s”.") % {
        "stage": Stage(stage).label,
        "current": Stage(current).label,
    }


@transaction.atomic
def stage_record(
    *,
    actor: User,
    criminal_case: CriminalCase,
    stage: str,
    on: dt.date,
    version: int,
    reason: str = "",
    court: str = "",
    outcome: str = "",
) -> CriminalCase:
    """Record the next stage and its date, by the stage rule (models.TRANSITIONS): a dropped case names
    its reason, a trial and a verdict their court, a verdict its outcome; dates never go backwards."""
    agency = participant_agency_required(actor, criminal_case)
    errors: dict[str, str] = {}
    court = court.strip()
    if stage not in Stage.values:
        errors["stage"] = _("Choose a stage from the list.")
    else:
        reached = set(criminal_case.stages.values_list("stage", flat=True))
        if stage not in TRANSITIONS[criminal_case.stage]:
            errors["stage"] = _transition_error(criminal_case.stage, stage, reached)
    if on > clock.today():
        errors["on"] = _("The date cannot be in the future.")
    elif on < criminal_case.stage_on:
        errors["on"] = _("The date cannot be before the date of the current stage (%(date)s).") % {
            "date": criminal_case.stage_on.isoformat()
        }
    if stage == Stage.DROPPED and reason not in DropReason.values:
        errors["reason"] = _("Say why the case was dropped.")
    if stage in (Stage.TRIAL, Stage.VERDICT) and not court:
        errors["court"] = _("Name the court.")
    if len(court) > 200:
        errors["court"] = _("The court's name is at most 200 characters.")
    if stage == Stage.VERDICT and outcome not in Outcome.values:
        errors["outcome"] = _("Record the outcome of the verdict.")
    _hygiene(errors, court=court)
    _raise(errors)
    fields: dict[str, object] = {
        "stage": stage,
        "stage_on": on,
        "version": version + 1,
        "updated_at": clock.now(),
    }
    if stage == Stage.VERDICT:
        fields["outcome"] = outcome
    if stage == Stage.TRIAL:
        fields["trial_on"] = on
        fields["trial_court"] = court
    updated = CriminalCase.objects.filter(pk=criminal_case.pk, version=version).update(**fields)
    if not updated:
        raise EditConflict(criminal_case)
    StageEntry.objects.create(
        criminal_case=criminal_case,
        stage=stage,
        on=on,
        reason=reason if stage == Stage.DROPPED else "",
        court=court,
        outcome=outcome if stage == Stage.VERDICT else "",
        recorded_by=actor,
        recorded_by_agency=agency,
        recorded_at=clock.now(),
    )
    audit_record(
        actor=actor, action=AuditAction.UPDATE, obj=criminal_case, agency=agency, detail={"stage": stage}
    )
    return CriminalCase.objects.get(pk=criminal_case.pk)


@transaction.atomic
def trial_schedule(
    *, actor: User, criminal_case: CriminalCase, on: dt.date, court: str, version: int
) -> CriminalCase:
    """Set the date (and court) of the coming trial: after a charge, or after an appeal."""
    agency = participant_agency_required(actor, criminal_case)
    errors: dict[str, str] = {}
    if criminal_case.stage not in (Stage.CHARGED, Stage.APPEAL):
        errors["trial_on"] = _("A trial can be scheduled only after a charge (or an appeal).")
    elif on < criminal_case.stage_on:
        errors["trial_on"] = _("The trial cannot be before the charge.")
    court = court.strip()
    if not court:
        errors["court"] = _("Name the court.")
    elif len(court) > 200:
        errors["court"] = _("The court's name is at most 200 characters.")
    _hygiene(errors, court=court)
    _raise(errors)
    updated = CriminalCase.objects.filter(pk=criminal_case.pk, version=version).update(
        trial_on=on, trial_court=court, version=version + 1, updated_at=clock.now()
    )
    if not updated:
        raise EditConflict(criminal_case)
    audit_record(
        actor=actor, action=AuditAction.UPDATE, obj=criminal_case, agency=agency, detail={"trial": True}
    )
    return CriminalCase.objects.get(pk=criminal_case.pk)


# --- participants --------------------------------------------------------------------------------------------


@transaction.atomic
def participant_add(
    *, actor: User, criminal_case: CriminalCase, agency: Agency, role: str
) -> CriminalCaseParticipant:
    """Take another police district or prosecution office into the case: its users then see it all."""
    acting = participant_agency_required(actor, criminal_case)
    errors: dict[str, str] = {}
    if agency.kind not in CRIMINAL_AGENCY_KINDS or not agency.is_active:
        errors["agency"] = _("Only active police and prosecution agencies take part in criminal cases.")
    elif criminal_case.participants.filter(agency=agency).exists():
        errors["agency"] = _("The agency already takes part in the criminal case.")
    if role not in ParticipantRole.values:
        errors["role"] = _("Choose a role from the list.")
    _raise(errors)
    participant = CriminalCaseParticipant.objects.create(
        criminal_case=criminal_case, agency=agency, role=role, added_by=actor, added_at=clock.now()
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=criminal_case,
        agency=acting,
        detail={"participant_added": str(agency.pk), "role": role},
    )
    return participant


# --- victims' cases -------------------------------------------------------------------------------------------


@transaction.atomic
def victim_link_add(*, actor: User, criminal_case: CriminalCase, case: Case, role: str) -> VictimLink:
    """Link a victim's case the actor may see: the person as aggrieved party, witness or not involved."""
    agency = participant_agency_required(actor, criminal_case)
    errors: dict[str, str] = {}
    if not cases_open_to(actor).filter(pk=case.pk).exists():
        errors["case"] = _("No such victim's case, or one you may not see.")
    elif VictimLink.objects.filter(criminal_case=criminal_case, case=case).exists():
        errors["case"] = _("The victim's case is already linked to this criminal case.")
    if role not in VictimRole.values:
        errors["role"] = _("Choose a role from the list.")
    _raise(errors)
    link = VictimLink.objects.create(
        criminal_case=criminal_case, case=case, role=role, added_by=actor, added_by_agency=agency
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=link,
        agency=agency,
        detail={"criminal_case": str(criminal_case.pk), "case": str(case.pk), "role": role},
    )
    return link


@transaction.atomic
def victim_link_change(*, actor: User, link: VictimLink, role: str, version: int) -> VictimLink:
    agency = participant_agency_required(actor, link.criminal_case)
    if role not in VictimRole.values:
        _raise({"role": _("Choose a role from the list.")})
    updated = VictimLink.objects.filter(pk=link.pk, version=version).update(
        role=role, version=version + 1, updated_at=clock.now()
    )
    if not updated:
        raise EditConflict(link)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=link, agency=agency, detail={"role": role})
    return VictimLink.objects.get(pk=link.pk)


# --- perpetrators and networks ----------------------------------------------------------------------------------


def perpetrators_open_to(user: User) -> set[object]:
    """Ids of perpetrators the user may link: in a criminal case the user's agency takes part in."""
    return set(
        PerpetratorLink.objects.filter(criminal_case__in=criminal_cases_open_to(user)).values_list(
            "perpetrator_id", flat=True
        )
    )


def _district_check(criminal_case: CriminalCase, district: str, field: str) -> dict[str, str]:
    if district not in districts_taking_part(criminal_case):
        return {
            field: _(
                "The perpetrator is registered in %(district)s, which does not take part in this criminal case. "
                "Take that police district into the case first."
            )
            % {"district": _district_name(district)}
        }
    return {}


@transaction.atomic
def perpetrator_add(
    *,
    actor: User,
    criminal_case: CriminalCase,
    name: str,
    role: str,
    nationality: str = "",
    network: Network | None = None,
    police_district: str = "",
) -> PerpetratorLink:
    """Register a suspect in the criminal case. The person is registered in the case's police district
    unless another is named; another district must take part in the case."""
    agency = participant_agency_required(actor, criminal_case)
    district = police_district or criminal_case.police_district
    name = name.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Give the person's name (or the name the police use for them).")
    elif len(name) > 200:
        errors["name"] = _("The name is at most 200 characters.")
    if nationality and not _country_ok(nationality):
        errors["nationality"] = _("Give the nationality as a two-letter country code.")
    if role not in NetworkRole.values:
        errors["role"] = _("Choose a role from the list.")
    if district not in districts():
        errors["police_district"] = _("Choose one of the police districts.")
    else:
        errors.update(_district_check(criminal_case, district, "police_district"))
    if (
        network is not None
        and not CriminalCaseNetwork.objects.filter(criminal_case=criminal_case, network=network).exists()
    ):
        errors["network"] = _("Link the network to the criminal case first.")
    _hygiene(errors, name=name)
    _raise(errors)
    perpetrator = Perpetrator.objects.create(
        name=name,
        nationality=nationality.upper(),
        role=role,
        network=network,
        police_district=district,
        registered_by_agency=agency,
        created_by=actor,
    )
    link = PerpetratorLink.objects.create(
        criminal_case=criminal_case, perpetrator=perpetrator, added_by=actor
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=perpetrator,
        agency=agency,
        detail={"criminal_case": str(criminal_case.pk), "district": district},
    )
    return link


@transaction.atomic
def perpetrator_link(
    *, actor: User, criminal_case: CriminalCase, perpetrator: Perpetrator
) -> PerpetratorLink:
    """Link a perpetrator already known from another criminal case the actor takes part in. A person
    registered in another police district needs that district taking part in this case."""
    agency = participant_agency_required(actor, criminal_case)
    errors: dict[str, str] = {}
    if perpetrator.pk not in perpetrators_open_to(actor):
        errors["perpetrator"] = _("No such perpetrator, or one you may not see.")
    elif PerpetratorLink.objects.filter(criminal_case=criminal_case, perpetrator=perpetrator).exists():
        errors["perpetrator"] = _("The perpetrator is already linked to this criminal case.")
    else:
        errors.update(_district_check(criminal_case, perpetrator.police_district, "perpetrator"))
    _raise(errors)
    link = PerpetratorLink.objects.create(
        criminal_case=criminal_case, perpetrator=perpetrator, added_by=actor
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=link,
        agency=agency,
        detail={"criminal_case": str(criminal_case.pk), "perpetrator": str(perpetrator.pk)},
    )
    return link


@transaction.atomic
def perpetrator_outcome_record(
    *,
    actor: User,
    link: PerpetratorLink,
    outcome: str,
    version: int,
    sentence_months: int | None = None,
    sentence_text: str = "",
) -> PerpetratorLink:
    """The outcome for one person in the case (after a verdict), and the sentence of a convicted one."""
    criminal_case = link.criminal_case
    agency = participant_agency_required(actor, criminal_case)
    errors: dict[str, str] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = _("Choose an outcome from the list.")
    elif not criminal_case.stages.filter(stage=Stage.VERDICT).exists():
        errors["outcome"] = _("A person's outcome is recorded after a verdict.")
    if sentence_months is not None and sentence_months < 0:
        errors["sentence_months"] = _("A sentence cannot be negative.")
    if outcome == Outcome.ACQUITTED and (sentence_months or sentence_text.strip()):
        errors["sentence_months"] = _("An acquitted person has no sentence.")
    if len(sentence_text) > 300:
        errors["sentence_text"] = _("The sentence is at most 300 characters.")
    _hygiene(errors, sentence_text=sentence_text)
    _raise(errors)
    updated = PerpetratorLink.objects.filter(pk=link.pk, version=version).update(
        outcome=outcome,
        sentence_months=sentence_months,
        sentence_text=sentence_text.strip(),
        version=version + 1,
        updated_at=clock.now(),
    )
    if not updated:
        raise EditConflict(link)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=link, agency=agency, detail={"outcome": outcome})
    return PerpetratorLink.objects.get(pk=link.pk)


def _countries(codes: list[str]) -> tuple[list[str], dict[str, str]]:
    cleaned = [c.strip().upper() for c in codes if c.strip()]
    if any(not _country_ok(c) for c in cleaned):
        return cleaned, {"countries": _("Give the countries as two-letter country codes.")}
    return list(dict.fromkeys(cleaned)), {}


@transaction.atomic
def network_add(*, actor: User, criminal_case: CriminalCase, name: str, countries: list[str]) -> Network:
    """Register a network (a name and its countries) and link it to the criminal case."""
    agency = participant_agency_required(actor, criminal_case)
    name = name.strip()
    codes, errors = _countries(countries)
    if not name:
        errors["name"] = _("Give the network a name.")
    elif len(name) > 200:
        errors["name"] = _("The name is at most 200 characters.")
    _hygiene(errors, name=name)
    _raise(errors)
    network = Network.objects.create(
        name=name, countries=codes, registered_by_agency=agency, created_by=actor
    )
    CriminalCaseNetwork.objects.create(
        criminal_case=criminal_case, network=network, added_by=actor, added_at=clock.now()
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=network,
        agency=agency,
        detail={"criminal_case": str(criminal_case.pk)},
    )
    return network


@transaction.atomic
def network_link(*, actor: User, criminal_case: CriminalCase, network: Network) -> CriminalCaseNetwork:
    """Link a network known from another criminal case the actor takes part in."""
    agency = participant_agency_required(actor, criminal_case)
    known = CriminalCaseNetwork.objects.filter(
        network=network, criminal_case__in=criminal_cases_open_to(actor)
    ).exists()
    if not known:
        _raise({"network": _("No such network, or one you may not see.")})
    if CriminalCaseNetwork.objects.filter(criminal_case=criminal_case, network=network).exists():
        _raise({"network": _("The network is already linked to this criminal case.")})
    link = CriminalCaseNetwork.objects.create(
        criminal_case=criminal_case, network=network, added_by=actor, added_at=clock.now()
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=criminal_case,
        agency=agency,
        detail={"network_linked": str(network.pk)},
    )
    return link


# --- cross-border cooperation ---------------------------------------------------------------------------------


@transaction.atomic
def cooperation_record(
    *,
    actor: User,
    criminal_case: CriminalCase,
    kind: str,
    started_on: dt.date,
    country: str = "",
    note: str = "",
) -> Cooperation:
    """Europol, Eurojust, a joint investigation team or a foreign police contact on the case."""
    agency = participant_agency_required(actor, criminal_case)
    errors: dict[str, str] = {}
    if kind not in CooperationKind.values:
        errors["kind"] = _("Choose a kind of cooperation from the list.")
    if country and not _country_ok(country):
        errors["country"] = _("Give the country as a two-letter country code.")
    if kind == CooperationKind.FOREIGN_POLICE and not country:
        errors["country"] = _("Name the country of the foreign police.")
    if started_on > clock.today():
        errors["started_on"] = _("The date cannot be in the future.")
    if len(note) > 300:
        errors["note"] = _("The note is at most 300 characters.")
    _hygiene(errors, note=note)
    _raise(errors)
    cooperation = Cooperation.objects.create(
        criminal_case=criminal_case,
        kind=kind,
        country=country.upper(),
        started_on=started_on,
        note=note.strip(),
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=cooperation,
        agency=agency,
        detail={"criminal_case": str(criminal_case.pk), "kind": kind},
    )
    return cooperation
