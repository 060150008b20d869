"""`varde legal`, `varde cooperation` and `varde return`: the legal path after the reflection period,
cooperation with the police, and a safe voluntary return with its follow-ups, for scripts and the
operator (issue #16).

Each command acts as a named user (--user) on a case named by its reference (--case), through the
same access layer and services as the pages and the API: a case the user may not open is "no case",
a refusal names the option to fix and saves nothing (exit code 2). Output carries case references,
ids, codes and dates only: never a name, and never free text (notes, reasons, reception), which may
hold personal data.

Wired into the `varde` command by varde.response.cli.register.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from varde.cli.base import CliError, add_command, add_group, get_user

if TYPE_CHECKING:
    from varde.accounts.models import User
    from varde.cases.models import Case
    from varde.response.models import VoluntaryReturn

YES_NO = {"yes": True, "no": False, "true": True, "false": False}

# The choices of varde.response.models, written out: the parser is built before Django is set up, so
# it cannot import the models (tests/cli/test_legal_path_cli.py checks that the two agree).
COOPERATION_STATES = ("not_asked", "considering", "declined", "reported", "investigation", "testified")
ORGANISATIONS = ("iom", "other")
OUTCOMES = ("reached", "not_reached")
SITUATIONS = ("good", "uncertain", "poor", "unknown")
RISKS = ("low", "medium", "high", "unknown")

# Service field -> the option that sets it (anything else is --field-with-dashes).
OPTIONS = {
    "from_date": "--from",
    "to_date": "--to",
    "on_date": "--on",
    "re_trafficking_risk": "--risk",
}


# --- argument types -------------------------------------------------------------------------------------


TODAY = "today"
DATE_OPTIONS = ("from_date", "to_date", "on_date", "returned_on", "planned_on")


def date_argument(value: str) -> dt.date | str:
    """argparse type for a date: YYYY-MM-DD, or `today` (the day in Oslo, resolved once Django is set
    up: the parser runs before it)."""
    if value.strip().lower() == TODAY:
        return TODAY
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError("a date as YYYY-MM-DD (or today)") from None


def yes_no(value: str) -> bool:
    """argparse type for yes or no."""
    try:
        return YES_NO[value.strip().lower()]
    except KeyError:
        raise argparse.ArgumentTypeError("yes or no") from None


def positive_id(value: str) -> int:
    """argparse type for an entry's id (a whole number)."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError("an entry's id, a whole number (see the list command)") from None
    if not 1 <= number < 2**63:
        raise argparse.ArgumentTypeError("an entry's id, a whole number (see the list command)")
    return number


def criteria_argument(value: str) -> dict[str, bool]:
    """argparse type for `name=yes,name=no,...`."""
    out: dict[str, bool] = {}
    for part in filter(None, (p.strip() for p in value.split(","))):
        name, sep, answer = part.partition("=")
        if not sep or answer.strip().lower() not in YES_NO:
            raise argparse.ArgumentTypeError(f"{part!r}: write name=yes or name=no")
        out[name.strip()] = YES_NO[answer.strip().lower()]
    return out


# --- shared -----------------------------------------------------------------------------------------------


def _print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def _option(field: str, extra: dict[str, str]) -> str:
    return extra.get(field) or OPTIONS.get(field) or "--" + field.replace("_", "-")


@contextmanager
def refusals(extra: dict[str, str] | None = None) -> Iterator[None]:
    """Texts in English, and a service's refusal as a CliError naming the option to fix (nothing is
    saved: the service's transaction rolled back)."""
    from django.core.exceptions import ValidationError
    from django.http import Http404
    from django.utils import translation

    from varde.core.errors import EditConflict, NotPermitted

    with translation.override("en"):
        try:
            yield
        except ValidationError as exc:
            problems = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            lines = [
                f"{_option(field, extra or {})}: {message}" if field else message
                for field, messages in problems.items()
                for message in messages
            ]
            raise CliError(f"{lines[0]} (nothing was saved)", details=lines[1:]) from None
        except EditConflict:
            raise CliError(
                "--version: the record was changed by someone else since that version; list it again "
                "(nothing was saved)"
            ) from None
        except NotPermitted as exc:
            raise CliError(f"{exc} (nothing was saved)") from None
        except Http404:
            raise CliError("--case: no such case, or one the user may not open") from None


def _case(user: User, reference: str) -> Case:
    """The case with this reference, if the user may open it (the read is audited, as on the pages)."""
    from varde.access.cases import case_get_for_user, cases_visible_to

    found = (
        cases_visible_to(user=user)
        .filter(reference__iexact=reference.strip())
        .values_list("pk", flat=True)
        .first()
    )
    if found is None:
        raise CliError(f"--case: no case {reference.strip()!r} that {user.username} may open")
    return case_get_for_user(user=user, case_id=found)


def _acting(args: argparse.Namespace) -> tuple[User, Case]:
    from varde.core import clock

    for name in DATE_OPTIONS:
        if getattr(args, name, None) == TODAY:
            setattr(args, name, clock.today())
    user = get_user(args.user)
    return user, _case(user, args.case)


def _case_entry(entries: Any, case: Case, option: str, pk: int | None, hint: str = "") -> Any:
    """The entry `pk` of this case among those the user may see (None for none); a refusal naming
    `option` for an entry that is not there."""
    if pk is None:
        return None
    found = entries.filter(case=case, pk=pk).first()
    if found is None:
        raise CliError(f"{option}: no entry {pk} in case {case.reference}{hint}")
    return found


def _common(parser: argparse.ArgumentParser, *, json_help: str = "") -> None:
    parser.add_argument("--user", required=True, metavar="USERNAME", help="act as this user")
    parser.add_argument("--case", required=True, metavar="REF", help="the case's reference, e.g. V26-ABC123")
    if json_help:
        parser.add_argument("--json", action="store_true", help=json_help)


# --- varde legal ------------------------------------------------------------------------------------------


def _rights_line(rights: dict[str, Any]) -> str:
    return (
        f"help: {rights['help_system']} ({rights['help_system_label']}); responsible: {rights['authority']}"
    )


def cmd_legal_kinds(args: argparse.Namespace) -> int:
    from varde.response.rules import legal_status_rules

    rules = legal_status_rules()
    rows = [
        {
            "kind": kind,
            "role": spec.get("role", "status"),
            "line": spec.get("line", ""),
            "deciders": spec.get("deciders", []),
            "criteria": spec.get("criteria", []),
            "help_system": spec.get("help_system", "none"),
            "label": spec["label"][args.lang],
            "source": spec["source"],
        }
        for kind, spec in rules["kinds"].items()
    ]
    if args.json:
        _print_json({"rule_version": rules["version"], "kinds": rows})
        return 0
    for r in rows:
        deciders = ",".join(r["deciders"]) or "-"
        print(f"{r['kind']:<32} {r['role']:<11} {r['line'] or '-':<16} {deciders:<16} {r['label']}")
    print(f"rules version {rules['version']}", file=sys.stderr)
    return 0


def cmd_legal_record(args: argparse.Namespace) -> int:
    from varde.access.response import legal_statuses_visible_to
    from varde.response.legal_status import legal_status_record, rights_and_authority

    user, case = _acting(args)
    statuses = legal_statuses_visible_to(user=user)

    def entry(option: str, pk: int | None) -> Any:
        return _case_entry(statuses, case, option, pk, " (see varde legal list)")

    with refusals():
        change = legal_status_record(
            actor=user,
            case=case,
            kind=args.kind,
            from_date=args.from_date,
            to_date=args.to_date,
            criteria=args.criteria,
            note=args.note,
            corrects=entry("--corrects", args.corrects),
            authority=args.authority,
            reason=args.reason,
            application=entry("--application", args.application),
        )
    e = change.entry
    rights = rights_and_authority(e, "en")
    result = {
        "case": case.reference,
        "id": e.pk,
        "kind": e.kind,
        "from_date": e.from_date.isoformat(),
        "authority": e.authority,
        "application": e.application_id,
        "withdrew": change.withdrew.pk if change.withdrew else None,
        "renews": e.renews_id,
        "help_system": rights["help_system"],
        "clocks_started": [c.kind for c in change.clocks_started],
        "clocks_met": [c.kind for c in change.clocks_met],
    }
    if args.json:
        _print_json(result)
        return 0
    decides = f", decides application {e.application_id}" if e.application_id else ""
    withdrew = f", withdraws application {change.withdrew.pk}" if change.withdrew else ""
    print(f"{case.reference}: legal status {e.pk} recorded: {e.kind} from {e.from_date}{decides}{withdrew}")
    print(f"  {_rights_line(rights)}")
    for c in change.clocks_started:
        print(f"  deadline started: {c.kind}, due {c.due_at.isoformat()}")
    return 0


def cmd_legal_list(args: argparse.Namespace) -> int:
    from varde.access.response import legal_statuses_visible_to
    from varde.response.legal_status import legal_matters, legal_status_current, rights_and_authority

    user, case = _acting(args)
    entries = list(
        legal_statuses_visible_to(user=user).filter(case=case).order_by("from_date", "recorded_at", "id")
    )
    corrected = {e.corrects_id for e in entries if e.corrects_id}
    current = legal_status_current(case=case)
    rows = [
        {
            "id": e.pk,
            "kind": e.kind,
            "from_date": e.from_date.isoformat(),
            "to_date": e.to_date.isoformat() if e.to_date else None,
            "authority": e.authority,
            "application": e.application_id,
            "withdraws": e.withdraws_id,
            "corrects": e.corrects_id,
            "renews": e.renews_id,
            "corrected": e.pk in corrected,
            "help_system": rights_and_authority(e, "en")["help_system"],
        }
        for e in entries
    ]
    matters = [
        {
            "state": m.state,
            "application": m.application.pk if m.application else None,
            "decision": m.decision.pk if m.decision else None,
            "withdrawn_by": m.withdrawn_by.pk if m.withdrawn_by else None,
        }
        for m in legal_matters(entries)
    ]
    now = rights_and_authority(current[-1], "en") if current else None
    if args.json:
        _print_json(
            {
                "case": case.reference,
                "entries": rows,
                "matters": matters,
                "current": [e.pk for e in current],
                "help_system": now["help_system"] if now else None,
            }
        )
        return 0
    for r in rows:
        mark = "  (corrected)" if r["corrected"] else ""
        print(f"{r['id']:>6}  {r['from_date']}  {r['kind']:<32} {r['authority'] or '-':<7}{mark}")
    for m in matters:
        print(
            f"matter: {m['state']:<20} application {m['application'] or '-'}, decision {m['decision'] or '-'}"
        )
    if now:
        print(f"in force today: {now['status']}; {_rights_line(now)}")
    print(f"{len(rows)} entries", file=sys.stderr)
    return 0


# --- varde cooperation ------------------------------------------------------------------------------------


def cmd_cooperation_record(args: argparse.Namespace) -> int:
    from varde.access.response import police_cooperation_visible_to
    from varde.response.legal_status import police_cooperation_record

    user, case = _acting(args)
    corrects = _case_entry(police_cooperation_visible_to(user=user), case, "--corrects", args.corrects)
    with refusals():
        entry = police_cooperation_record(
            actor=user, case=case, state=args.state, on_date=args.on_date, note=args.note, corrects=corrects
        )
    print(
        f"{case.reference}: cooperation with the police {entry.pk} recorded: {entry.state} as of {entry.on_date}"
    )
    return 0


def cmd_cooperation_list(args: argparse.Namespace) -> int:
    from varde.access.response import police_cooperation_visible_to
    from varde.core import clock
    from varde.response.legal_status import police_cooperation_current

    user, case = _acting(args)
    entries = list(
        police_cooperation_visible_to(user=user).filter(case=case).order_by("on_date", "recorded_at", "id")
    )
    current = police_cooperation_current(entries, clock.today())
    corrected = {e.corrects_id for e in entries if e.corrects_id}
    rows = [
        {"id": e.pk, "state": e.state, "on_date": e.on_date.isoformat(), "corrected": e.pk in corrected}
        for e in entries
    ]
    if args.json:
        _print_json({"case": case.reference, "current": current.state if current else None, "entries": rows})
        return 0
    for r in rows:
        print(f"{r['id']:>6}  {r['on_date']}  {r['state']}{'  (corrected)' if r['corrected'] else ''}")
    print(f"today: {current.state if current else 'nothing recorded'}")
    return 0


# --- varde return -----------------------------------------------------------------------------------------


RETURN_OPTIONS = {"state": "--return"}  # "only a planned return can be ...": the return chosen


def _pick_return(user: User, case: Case, return_id: str | None, state: str) -> VoluntaryReturn | None:
    """The return named by --return, else the case's latest return in `state` (None when there is none)."""
    from uuid import UUID

    from varde.access.response import voluntary_returns_visible_to

    qs = voluntary_returns_visible_to(user=user).filter(case=case).select_related("case")
    if return_id:
        try:
            key = UUID(return_id)
        except ValueError:
            raise CliError(f"--return: {return_id!r} is not a return's id (see varde return list)") from None
        found = qs.filter(pk=key).first()
        if found is None:
            raise CliError(f"--return: no such return in case {case.reference} (see varde return list)")
        return found
    return qs.filter(state=state).order_by("-planned_on", "-created_at").first()


def _planned_return(user: User, case: Case, args: argparse.Namespace) -> VoluntaryReturn:
    """The return named by --return, else the case's planned one (a refusal when there is none)."""
    from varde.response.models import ReturnState

    ret = _pick_return(user, case, args.return_id, ReturnState.PLANNED)
    if ret is None:
        raise CliError(f"--return: no return is planned in case {case.reference}")
    return ret


def _version(ret: VoluntaryReturn, args: argparse.Namespace) -> int:
    return ret.version if args.version is None else int(args.version)


def _plan_fields(args: argparse.Namespace) -> dict[str, Any]:
    """The plan's options that were given."""
    fields = {
        "organisation": args.organisation,
        "organisation_name": args.organisation_name,
        "country": args.country,
        "planned_on": getattr(args, "planned_on", None),
        "escort": args.escort,
        "reception": args.reception,
        "guardian_consulted": args.guardian_consulted,
        "best_interests_assessed": args.best_interests_assessed,
        "note": args.note,
    }
    return {k: v for k, v in fields.items() if v is not None}


def _return_row(ret: VoluntaryReturn, clocks: dict[str, Any]) -> dict[str, Any]:
    stages = []
    if ret.returned_on is not None:
        done = {f.stage: f for f in ret.follow_ups.all()}
        for stage in sorted(set(_stages()) | set(done)):
            clk = clocks.get(f"return:{ret.pk}:{stage}")
            f = done.get(stage)
            stages.append(
                {
                    "stage": stage,
                    "due": clk.due_at.isoformat() if clk else None,
                    "clock_state": clk.state if clk else None,
                    "outcome": f.outcome if f else None,
                    "risk": f.re_trafficking_risk if f else None,
                }
            )
    return {
        "id": str(ret.pk),
        "state": ret.state,
        "organisation": ret.organisation,
        "country": ret.country,
        "planned_on": ret.planned_on.isoformat(),
        "returned_on": ret.returned_on.isoformat() if ret.returned_on else None,
        "escort": ret.escort,
        "was_child": ret.was_child,
        "guardian_consulted": ret.guardian_consulted,
        "best_interests_assessed": ret.best_interests_assessed,
        "version": ret.version,
        "follow_ups": stages,
    }


def _said(case: Case, ret: VoluntaryReturn, what: str) -> None:
    print(f"{case.reference}: return {ret.pk} {what} (version {ret.version})")


def cmd_return_plan(args: argparse.Namespace) -> int:
    from varde.response.returns import return_plan

    user, case = _acting(args)
    fields = _plan_fields(args)
    fields.setdefault("organisation", "iom")
    with refusals():
        ret = return_plan(actor=user, case=case, **fields)
    _said(case, ret, f"planned: {ret.organisation} to {ret.country} on {ret.planned_on}")
    return 0


def cmd_return_change(args: argparse.Namespace) -> int:
    from varde.response.returns import return_plan_change

    user, case = _acting(args)
    ret = _planned_return(user, case, args)
    fields = _plan_fields(args)
    if not fields:
        raise CliError("nothing to change: give at least one of the plan's options (see --help)")
    with refusals(RETURN_OPTIONS):
        done = return_plan_change(actor=user, ret=ret, version=_version(ret, args), **fields)
    _said(case, done, "changed: " + ", ".join(sorted(fields)))
    return 0


def cmd_return_cancel(args: argparse.Namespace) -> int:
    from varde.response.returns import return_cancel

    user, case = _acting(args)
    ret = _planned_return(user, case, args)
    with refusals(RETURN_OPTIONS):
        done = return_cancel(actor=user, ret=ret, version=_version(ret, args), reason=args.reason)
    _said(case, done, "cancelled")
    return 0


def cmd_return_record(args: argparse.Namespace) -> int:
    from varde.response.models import ReturnState
    from varde.response.returns import follow_up_clock, return_record, voluntary_return_record

    user, case = _acting(args)
    ret = _pick_return(user, case, args.return_id, ReturnState.PLANNED)
    if ret is None:
        if not args.country:
            raise CliError(
                f"--country: no return is planned in case {case.reference}; give --country (and the plan's "
                "other options) to plan and record it at once"
            )
        fields = _plan_fields(args)
        fields.pop("planned_on", None)
        fields.setdefault("organisation", "iom")
        with refusals({"planned_on": "--returned-on", **RETURN_OPTIONS}):
            done = voluntary_return_record(actor=user, case=case, returned_on=args.returned_on, **fields)
    else:
        extra = _plan_fields(args)
        extra.pop("planned_on", None)
        if extra:
            raise CliError(
                "the plan's options go with varde return change; a planned return is recorded as planned"
            )
        with refusals(RETURN_OPTIONS):
            done = return_record(
                actor=user, ret=ret, returned_on=args.returned_on, version=_version(ret, args)
            )
    _said(case, done, f"recorded: returned on {done.returned_on}")
    for stage in _stages():
        clk = follow_up_clock(done, stage)
        if clk is not None:
            print(f"  follow-up at {stage} months due {clk.due_at.isoformat()}")
    return 0


def _stages() -> list[int]:
    from varde.response.returns import follow_up_stages

    return follow_up_stages()


def cmd_return_follow_up(args: argparse.Namespace) -> int:
    from varde.response.models import ReturnState
    from varde.response.returns import follow_up_record

    user, case = _acting(args)
    ret = _pick_return(user, case, args.return_id, ReturnState.RETURNED)
    if ret is None:
        raise CliError(
            f"--return: no return is recorded in case {case.reference}; record it first (varde return record)"
        )
    with refusals():
        follow_up = follow_up_record(
            actor=user,
            ret=ret,
            stage=args.stage,
            on_date=args.on_date,
            outcome=args.outcome,
            housing=args.housing,
            income=args.income,
            education_work=args.education_work,
            health=args.health,
            re_trafficking_risk=args.risk,
            note=args.note,
        )
    print(
        f"{case.reference}: follow-up {follow_up.pk} at {follow_up.stage} months recorded for return {ret.pk}: "
        f"{follow_up.outcome}"
    )
    return 0


def cmd_return_list(args: argparse.Namespace) -> int:
    from varde.access.response import clocks_visible_to, voluntary_returns_visible_to
    from varde.response.returns import FOLLOW_UP_CLOCK

    user, case = _acting(args)
    clocks = {c.origin: c for c in clocks_visible_to(user=user).filter(case=case, kind=FOLLOW_UP_CLOCK)}
    rows = [
        _return_row(r, clocks)
        for r in voluntary_returns_visible_to(user=user)
        .filter(case=case)
        .prefetch_related("follow_ups")
        .order_by("planned_on", "created_at")
    ]
    if args.json:
        _print_json({"case": case.reference, "returns": rows})
        return 0
    for r in rows:
        when = f"returned {r['returned_on']}" if r["returned_on"] else f"planned {r['planned_on']}"
        print(
            f"{r['id']}  {r['state']:<9} {r['organisation']:<5} {r['country']}  {when}  version {r['version']}"
        )
        for s in r["follow_ups"]:
            print(
                f"    {s['stage']:>2} months  due {s['due'] or '-'}  {s['outcome'] or s['clock_state'] or '-'}"
            )
    print(f"{len(rows)} return(s)", file=sys.stderr)
    return 0


# --- the parsers ------------------------------------------------------------------------------------------


LEGAL_RECORD = """Add an application, a decision or a status to the case's legal-status timeline (never
edits one: a correction is a new entry naming the one it corrects with --corrects). A decision decides
its matter's open application (the one named with --application, else the oldest) and cannot be dated
before it nor given to a withdrawn one; a renewal needs a granted permit; applying for a reflection
period withdraws a pending asylum application; a grant starts its deadline. The kinds, their deciding
authorities and criteria: varde legal kinds. Prints the help system and the authority responsible
under the new entry."""

LEGAL_LIST = """The case's legal-status timeline (oldest first, corrected entries marked), its matters
(each application and what became of it) and what is in force today, with the help system and the
responsible authority. Ids, codes and dates only: notes and reasons are not printed."""

COOPERATION = """Where the person stands with the police as of a date: not_asked, considering, declined,
reported (the traffickers), investigation (cooperating in one), testified (in court). Any agency in the
case may record it; a later entry says where things stand now."""

RETURN_PLAN = """Plan a safe voluntary return: the organisation (IOM by default), the country, the date,
escort and reception at home. One plan at a time. A child's return needs the guardian consulted and
child welfare's assessment of the child's best interests before it can be recorded (set them here or
with varde return change)."""

RETURN_RECORD = """Record that the case's planned return has happened (or --return ID): the follow-ups
at 3, 6 and 12 months (the lengths are data) start their deadlines. With no return planned, --country
and the plan's options plan and record it at once. Refused for a date in the future or before the case
opened, for a person recorded as missing, and for a child without the two checks."""

FOLLOW_UP = """Record a follow-up after the return: reached or not, and how things look (housing,
income, education or work, health: good, uncertain, poor, unknown; the risk of re-trafficking: low,
medium, high, unknown). It meets that stage's deadline."""


def _plan_arguments(p: argparse.ArgumentParser, *, change: bool) -> None:
    p.add_argument("--organisation", choices=ORGANISATIONS, help="who assists (default iom)")
    p.add_argument("--organisation-name", metavar="NAME", help="the organisation's name, when not IOM")
    p.add_argument("--country", metavar="CC", required=not change, help="ISO 3166 code, e.g. RO")
    p.add_argument(
        "--escort", action=argparse.BooleanOptionalAction, default=None, help="escorted on the journey"
    )
    p.add_argument("--reception", metavar="TEXT", help="who meets the person, where they will live")
    p.add_argument(
        "--guardian-consulted", type=yes_no, metavar="yes|no", help="(a child's return) the guardian"
    )
    p.add_argument(
        "--best-interests-assessed",
        type=yes_no,
        metavar="yes|no",
        help="(a child's return) child welfare assessed the child's best interests",
    )
    p.add_argument("--note", metavar="TEXT", help="a note (never printed)")


def _return_choice(p: argparse.ArgumentParser, version: bool = True) -> None:
    p.add_argument(
        "--return", dest="return_id", metavar="ID", help="the return's id (default: the case's own)"
    )
    if version:
        p.add_argument(
            "--version",
            type=int,
            metavar="N",
            help="the version read (default: the current one; stale: refused)",
        )


def _return_command(
    group: Any,
    name: str,
    *,
    help: str,
    description: str,
    example: str,
    func: Callable[[argparse.Namespace], int],
    version: bool = True,
) -> argparse.ArgumentParser:
    """A `varde return` command on one return: --user, --case, --return and (unless not) --version."""
    p = add_command(group, name, help=help, description=description, example=example, func=func)
    _common(p)
    _return_choice(p, version=version)
    return p


def register(sub: Any) -> None:
    """Add `legal`, `cooperation` and `return` to the `varde` command."""
    from varde.response.rules import legal_status_rules

    rules = legal_status_rules()  # a data file: no Django needed
    kinds = list(rules["kinds"])

    legal = add_group(
        sub,
        "legal",
        help="a case's legal status: applications, decisions, permits",
        description="The legal path of a case: reflection period, temporary permit and renewals, permit after\n"
        "testifying, asylum, limited permit until 18, Dublin, EEA, expulsion; with the rights and the\n"
        "authority responsible under each.",
        example="  varde legal list --user police --case V26-ABC123",
        dest="legal_command",
    )
    p = add_command(
        legal,
        "record",
        help="record an application, a decision or a status",
        description=LEGAL_RECORD,
        example="  varde legal record --user police --case V26-ABC123 --kind temporary_permit_applied --from 2026-09-01\n"
        "  varde legal record --user police --case V26-ABC123 --kind temporary_permit_rejected --from 2026-09-20 \\\n"
        '      --authority une --reason "The investigation was closed"\n'
        "  varde legal record --user police --case V26-ABC123 --kind temporary_residence_cooperation \\\n"
        "      --from 2026-10-01 --criteria contact_ceased=yes,traffickers_reported=yes,police_investigating=yes,presence_needed=yes",
        func=cmd_legal_record,
    )
    _common(p, json_help='print {"id", "kind", "application", "withdrew", "help_system", ...}')
    p.add_argument(
        "--kind", required=True, choices=kinds, metavar="KIND", help="the kind (varde legal kinds)"
    )
    p.add_argument(
        "--from", dest="from_date", required=True, type=date_argument, metavar="DATE", help="its date"
    )
    p.add_argument("--to", dest="to_date", type=date_argument, metavar="DATE", help="when it ends, if known")
    p.add_argument(
        "--authority",
        default="",
        choices=["", *rules["authorities"]],
        metavar="AUTHORITY",
        help="the deciding authority: udi, une, police or court (default: the rule's first)",
    )
    p.add_argument(
        "--reason", default="", metavar="TEXT", help="the reason the decision gives (never printed)"
    )
    p.add_argument("--application", type=positive_id, metavar="ID", help="the application a decision decides")
    p.add_argument("--corrects", type=positive_id, metavar="ID", help="the entry this one corrects")
    p.add_argument(
        "--criteria",
        type=criteria_argument,
        metavar="NAME=yes|no,...",
        help="a temporary permit's four criteria: contact_ceased, traffickers_reported, police_investigating, "
        "presence_needed",
    )
    p.add_argument("--note", default="", metavar="TEXT", help="a note (never printed)")

    p = add_command(
        legal,
        "list",
        help="list the case's legal status",
        description=LEGAL_LIST,
        example="  varde legal list --user police --case V26-ABC123 --json",
        func=cmd_legal_list,
    )
    _common(p, json_help='print {"entries": [...], "matters": [...], "current": [ids], "help_system"}')

    p = add_command(
        legal,
        "kinds",
        help="the kinds of entry and their rules",
        description="Every kind of legal-status entry: application, decision or status, its matter, the\n"
        "authorities that decide it, its criteria, the help system that follows and its legal source.",
        example="  varde legal kinds --lang nb",
        func=cmd_legal_kinds,
    )
    p.add_argument("--lang", choices=("nb", "en"), default="en", help="language of the labels")
    p.add_argument("--json", action="store_true", help="print the kinds as JSON")

    cooperation = add_group(
        sub,
        "cooperation",
        help="a person's cooperation with the police over time",
        description=COOPERATION,
        example="  varde cooperation record --user police --case V26-ABC123 --state reported --on 2026-10-02",
        dest="cooperation_command",
    )
    p = add_command(
        cooperation,
        "record",
        help="record where the cooperation stands as of a date",
        description=COOPERATION,
        example="  varde cooperation record --user ngo --case V26-ABC123 --state considering --on today",
        func=cmd_cooperation_record,
    )
    _common(p)
    p.add_argument("--state", required=True, choices=COOPERATION_STATES, help="where it stands")
    p.add_argument(
        "--on",
        dest="on_date",
        required=True,
        type=date_argument,
        metavar="DATE",
        help="as of (not in the future)",
    )
    p.add_argument("--corrects", type=positive_id, metavar="ID", help="the entry this one corrects")
    p.add_argument("--note", default="", metavar="TEXT", help="a note (never printed)")
    p = add_command(
        cooperation,
        "list",
        help="the cooperation over time, and today",
        description="The case's cooperation with the police, oldest first, and where it stands today.",
        example="  varde cooperation list --user police --case V26-ABC123",
        func=cmd_cooperation_list,
    )
    _common(p, json_help='print {"current", "entries": [{"id", "state", "on_date", "corrected"}]}')

    ret = add_group(
        sub,
        "return",
        help="a safe voluntary return and the follow-ups after it",
        description="Plan a voluntary return, change or cancel the plan, record the return (the follow-up\n"
        "deadlines start) and its follow-ups at 3, 6 and 12 months.",
        example="  varde return plan --user police --case V26-ABC123 --country RO --planned-on 2026-12-20 --escort",
        dest="return_command",
    )
    p = add_command(
        ret,
        "plan",
        help="plan a voluntary return",
        description=RETURN_PLAN,
        example="  varde return plan --user police --case V26-ABC123 --country RO --planned-on 2026-12-20 --escort \\\n"
        '      --reception "IOM Bucharest meets her at the airport"',
        func=cmd_return_plan,
    )
    _common(p)
    p.add_argument("--planned-on", required=True, type=date_argument, metavar="DATE", help="the planned date")
    _plan_arguments(p, change=False)

    p = _return_command(
        ret,
        "change",
        help="change the planned return",
        description="Change the case's planned return (or --return ID): any of the plan's options.",
        example="  varde return change --user police --case V26-ABC123 --planned-on 2026-12-27 --version 1",
        func=cmd_return_change,
    )
    p.add_argument("--planned-on", type=date_argument, metavar="DATE", help="the planned date")
    _plan_arguments(p, change=True)

    p = _return_command(
        ret,
        "cancel",
        help="cancel the planned return",
        description="Cancel the case's planned return (or --return ID), saying why.",
        example='  varde return cancel --user police --case V26-ABC123 --reason "She chose to stay"',
        func=cmd_return_cancel,
    )
    p.add_argument("--reason", required=True, metavar="TEXT", help="why (never printed)")

    p = _return_command(
        ret,
        "record",
        help="record that the return has happened",
        description=RETURN_RECORD,
        example="  varde return record --user police --case V26-ABC123 --returned-on 2026-12-20\n"
        "  varde return record --user police --case V26-ABC123 --returned-on 2026-12-20 --country RO --escort",
        func=cmd_return_record,
    )
    p.add_argument(
        "--returned-on", required=True, type=date_argument, metavar="DATE", help="the day of the return"
    )
    _plan_arguments(p, change=True)

    p = _return_command(
        ret,
        "follow-up",
        help="record a follow-up after the return",
        description=FOLLOW_UP,
        example="  varde return follow-up --user police --case V26-ABC123 --stage 3 --on 2027-03-20 \\\n"
        "      --outcome reached --housing good --income uncertain --risk low",
        func=cmd_return_follow_up,
        version=False,
    )
    p.add_argument("--stage", required=True, type=int, metavar="MONTHS", help="which follow-up: 3, 6 or 12")
    p.add_argument("--on", dest="on_date", required=True, type=date_argument, metavar="DATE", help="when")
    p.add_argument("--outcome", required=True, choices=OUTCOMES, help="was the person reached?")
    for name in ("housing", "income", "education-work", "health"):
        p.add_argument(
            f"--{name}",
            default="unknown",
            choices=SITUATIONS,
            help=f"{name.replace('-', ' or ')} (default unknown)",
        )
    p.add_argument(
        "--risk", default="unknown", choices=RISKS, help="risk of re-trafficking (default unknown)"
    )
    p.add_argument("--note", default="", metavar="TEXT", help="a note (never printed)")

    p = add_command(
        ret,
        "list",
        help="the case's returns and their follow-ups",
        description="The case's voluntary returns with their state and, after a return, each follow-up's\n"
        "due time and outcome. Ids, codes and dates only.",
        example="  varde return list --user police --case V26-ABC123 --json",
        func=cmd_return_list,
    )
    _common(p, json_help='print {"case", "returns": [{"id", "state", "country", "follow_ups": [...]}]}')
