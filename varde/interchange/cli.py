"""`varde import`, `varde export`, `varde export-request`, `varde export-approve`: the interchange
CSV in and out, and the four-eyes approval an export of identified data needs.

Wire into the `varde` command with `register(subparsers, htcds_arguments=..., htcds_export=...)`:
`varde export --htcds` is the statistics package's de-identified HTCDS 2.0 export, handed in by the
`varde` command so that this module needs nothing from statistics.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from varde.cli.base import EXIT_OK, CliError, add_command, get_user, progress, writable_path

if TYPE_CHECKING:
    from varde.accounts.models import User
    from varde.interchange.models import ExportRequest

HtcdsExport = Callable[[argparse.Namespace], int]


def cmd_import(args: argparse.Namespace) -> int:
    from varde.interchange import services

    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"no such file: {path.name}")
    user = get_user(args.user)
    try:
        with path.open("rb") as stream:
            header, raw_rows = services.parse_rows(stream)
    except OSError:
        raise CliError(f"cannot read the file {path.name}") from None
    except services.InterchangeError as exc:
        raise CliError(str(exc), details=[str(p) for p in exc.problems]) from None
    valid, problems = services.validate_rows(header, raw_rows)
    if problems:
        shown = [str(p) for p in problems[: services.MAX_PROBLEMS_SHOWN]]
        if len(problems) > len(shown):
            shown.append(f"... and {len(problems) - len(shown)} more problems")
        bad_rows = len({p.line for p in problems})
        raise CliError(
            f"{bad_rows} of {len(raw_rows)} rows are not valid; nothing was imported", details=shown
        )
    services.check_can_import(user=user, rows=valid)
    with progress("Importing", total=len(valid)) as advance:
        result = services.import_rows(actor=user, rows=valid, progress=advance)
    print(f"{result.imported} imported, {result.skipped} skipped")
    return EXIT_OK


def _export_request(user: User, request_id: str | None) -> ExportRequest:
    from varde.core.errors import NotPermitted
    from varde.interchange import approval
    from varde.interchange.selectors import export_request_by_id

    if not request_id:
        raise CliError(
            "an export of identified data needs --request ID, approved by another person "
            "(varde export-request, then varde export-approve)"
        )
    export = export_request_by_id(request_id)
    try:
        return approval.check_usable(user=user, request=export)
    except NotPermitted as exc:
        raise CliError(str(exc)) from None


def cmd_export_request(args: argparse.Namespace) -> int:
    from varde.interchange import approval

    user = get_user(args.user)
    export = approval.export_request_create(actor=user, reason=args.reason)
    print(f"export request {export.pk} is waiting for another person's approval")
    return EXIT_OK


def cmd_export_approve(args: argparse.Namespace) -> int:
    from varde.core.errors import NotPermitted
    from varde.interchange import approval
    from varde.interchange.selectors import export_request_by_id

    user = get_user(args.user)
    export = export_request_by_id(args.request)
    if export is None:
        raise CliError("no such export request")
    try:
        approval.export_request_approve(actor=user, request=export)
    except NotPermitted as exc:
        raise CliError(str(exc)) from None
    print(f"export request {export.pk} approved by {user.username}")
    return EXIT_OK


def cmd_export(args: argparse.Namespace, *, htcds_export: HtcdsExport) -> int:
    from django.db import transaction

    from varde.access import interchange as access_interchange
    from varde.core.errors import NotPermitted

    if args.htcds:  # de-identified HTCDS 2.0: no four-eyes approval, audited (varde.statistics.cli)
        if args.request:
            raise CliError("--htcds exports de-identified data and needs no --request")
        if args.out in (None, "-"):
            raise CliError("--htcds needs --out FILE")
        return htcds_export(args)
    if args.format or args.k is not None or args.year is not None:
        raise CliError("--format, --k and --year go with --htcds")
    if not args.user:
        raise CliError("an export of identified data needs --user")
    user = get_user(args.user)
    export = _export_request(user, args.request)
    if args.out in (None, "-"):
        try:
            count = access_interchange.export_rows(user=user, out=sys.stdout, request=export)
        except NotPermitted as exc:
            raise CliError(str(exc)) from None
        sys.stdout.flush()
    else:
        path = writable_path(args.out)
        opened = False
        try:
            with transaction.atomic():  # a failed write leaves no export event behind
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # personal data: owner only
                opened = True
                os.fchmod(fd, 0o600)  # also when the file was there before
                with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
                    count = access_interchange.export_rows(user=user, out=out, request=export)
        except BaseException as exc:
            if opened:
                with contextlib.suppress(OSError):
                    path.unlink()  # no half-written file holding personal data
            if isinstance(exc, OSError):
                raise CliError(f"cannot write to {path.name}") from None
            if isinstance(exc, NotPermitted):
                raise CliError(str(exc)) from None
            raise
        print(f"{count} referrals exported", file=sys.stderr)
    return EXIT_OK


def register(
    subparsers: Any,
    *,
    htcds_arguments: Callable[[argparse.ArgumentParser], None],
    htcds_export: HtcdsExport,
) -> None:
    """Add `import`, `export`, `export-request` and `export-approve` to the `varde` command.

    htcds_arguments adds --format, --k and --year to `varde export`; htcds_export runs `--htcds`.
    """
    imp = add_command(
        subparsers,
        "import",
        help="import referrals from an interchange CSV file",
        description="Import referrals from the interchange CSV (UTF-8, header row):\n"
        "  record_id, reporting_agency, referral_date, given_name, family_name, sex,\n"
        "  date_of_birth, estimated_age, nationality, phone, id_document_number, municipality\n"
        "Every row is checked first; if any row is bad, each bad row is named and nothing is saved.\n"
        "Rows already imported (same agency and record_id) are skipped.",
        example="  varde import referrals-2026-10.csv --user kom.coordinator",
        func=cmd_import,
    )
    imp.add_argument("file", metavar="FILE.csv", help="the interchange CSV file")
    imp.add_argument(
        "--user",
        required=True,
        metavar="USERNAME",
        help="the importing user: a coordinator, or a caseworker of every reporting agency",
    )

    exp = add_command(
        subparsers,
        "export",
        help="export the referrals a user may see as interchange CSV, or de-identified HTCDS 2.0",
        description="Write the interchange CSV of every referral the user may see (one line per referral).\n"
        "Identified data: the user needs an export request approved by another person (four eyes),\n"
        "used once. The first line is a watermark naming who exported, when, and the request.\n"
        "The export is recorded in the audit trail. The file holds personal data: it is created\n"
        "readable by its owner only. Without an approved request: exit code 2.\n\n"
        "--htcds instead writes de-identified case data in the Human Trafficking Case Data Standard\n"
        "2.0 (one record per de-duplicated person, no names, dates or ids; see docs/HTCDS_MAPPING.md):\n"
        "coordinators only (or the server operator, without --user), no approval needed, audited.\n"
        "The same as `varde htcds-export`.",
        example="  varde export-request --user police.investigator --reason 'Court case 26-123'\n"
        "  varde export-approve REQUEST_ID --user kom.coordinator\n"
        "  varde export --user police.investigator --request REQUEST_ID --out stop-cases.csv\n"
        "  varde export --htcds --out varde-htcds.json --format json --year 2009",
        func=partial(cmd_export, htcds_export=htcds_export),
    )
    exp.add_argument(
        "--user", metavar="USERNAME", help="export what this user may see (required without --htcds)"
    )
    exp.add_argument("--request", metavar="REQUEST_ID", help="the user's approved export request")
    exp.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    exp.add_argument("--htcds", action="store_true", help="de-identified HTCDS 2.0 (CSV or JSON) instead")
    htcds_arguments(exp)

    ereq = add_command(
        subparsers,
        "export-request",
        help="ask for an export of identified data (another person approves)",
        description="Record a request to export the referrals USER may see, with the reason.\n"
        "A coordinator or an administrator of the user's agency approves it (varde export-approve).",
        example="  varde export-request --user police.investigator --reason 'Court case 26-123'",
        func=cmd_export_request,
    )
    ereq.add_argument("--user", required=True, metavar="USERNAME", help="who asks (and will export)")
    ereq.add_argument("--reason", required=True, help="why the export is needed (no personal data)")

    eapp = add_command(
        subparsers,
        "export-approve",
        help="approve another person's export request",
        description="Approve an export request as a coordinator, or as an administrator of the\n"
        "requester's agency. Nobody approves their own request (exit code 2).",
        example="  varde export-approve 5f0c... --user kom.coordinator",
        func=cmd_export_approve,
    )
    eapp.add_argument("request", metavar="REQUEST_ID", help="the export request's id")
    eapp.add_argument("--user", required=True, metavar="USERNAME", help="who approves")
