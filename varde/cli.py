"""The `varde` command: serve, demo, import, export, audit verify.

Thin: each subcommand parses its arguments, calls services, and prints. Errors are one line on
stderr with exit code 2 for bad input, never a traceback (tracebacks can carry personal data).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from rich.console import Console

    from varde.accounts.models import User

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


class CliError(Exception):
    """A problem the user can fix; printed as one line (plus optional detail lines), no traceback."""

    def __init__(self, message: str, *, details: Sequence[str] = (), code: int = EXIT_BAD_INPUT) -> None:
        super().__init__(message)
        self.message = message
        self.details = list(details)
        self.code = code


# --- output helpers -------------------------------------------------------------------------------


def _stdout_console() -> Console:
    from rich.console import Console

    tty = sys.stdout.isatty()
    return Console(file=sys.stdout, width=None if tty else 160, highlight=False, soft_wrap=not tty)


def _stderr_console() -> Console:
    from rich.console import Console

    return Console(file=sys.stderr, highlight=False)


@contextmanager
def _progress(description: str, total: int):  # type: ignore[no-untyped-def]
    """A rich progress bar on stderr; silent when stderr is not a terminal. Yields advance(n)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=_stderr_console(),
        disable=not sys.stderr.isatty(),
        transient=False,
    ) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n=1: progress.advance(task, n)


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.apps import apps

    if not apps.ready:  # once per process: a second setup() would rebind logging to today's stderr
        django.setup()


def _pending_migrations() -> bool:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def _migrate_if_needed(quiet: bool = False) -> None:
    from django.core.management import call_command

    if _pending_migrations():
        if not quiet:
            print("Applying database migrations ...", file=sys.stderr)
        call_command("migrate", interactive=False, verbosity=0)


def _get_user(username: str) -> User:
    from varde.accounts.models import User

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CliError(f"no active user named {username!r}")
    return user


# --- subcommands ----------------------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> int:
    _migrate_if_needed()
    bind = f"{args.host}:{args.port}"
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(args.workers),
        "--timeout",
        "60",
        "--error-logfile",
        "-",  # access logs stay off; URLs hold ids only, but there is no need
    ]
    print(f"Varde is serving on http://{bind}/ (Ctrl+C stops it)", file=sys.stderr, flush=True)
    sys.stdout.flush()
    os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with gunicorn
    return EXIT_OK  # pragma: no cover - execv does not return


def cmd_demo(args: argparse.Namespace) -> int:
    from django.conf import settings

    from varde.demo import loader

    if settings.PRODUCTION:
        raise CliError("refusing to load demo data (with published passwords) in production")
    if args.persons < 0:
        raise CliError("--persons must be zero or more")
    _migrate_if_needed()
    started = time.monotonic()
    try:
        already = loader.demo_loaded()
    except loader.DemoConflict as exc:
        raise CliError(str(exc) + "; the demo needs an empty database") from None
    if already:
        print("demo data already loaded")
    else:
        with_2009 = not args.skip_2009
        total = loader.progress_total(persons=args.persons, with_2009=with_2009)
        with _progress("Loading demo data", total=total) as advance:
            summary = loader.load_demo(
                seed=args.seed, persons=args.persons, progress=advance, with_2009=with_2009
            )
        print(
            f"demo data loaded in {time.monotonic() - started:.1f} s: {summary.agencies} agencies, "
            f"{summary.users} users, {summary.persons} synthetic persons, {summary.cases} cases"
        )
        if with_2009:
            print(
                f"and 2009 as KOM counted it: {summary.persons_2009} persons in "
                f"{summary.referrals_2009} referrals (varde stats --year 2009)"
            )
    _print_sign_ins()
    return EXIT_OK


def _print_sign_ins() -> None:
    from rich.table import Table

    from varde.demo.loader import sign_ins

    rows = sign_ins()
    table = Table(title="Demo sign-ins (demo only - never use these passwords or keys elsewhere)")
    for column in ("username", "password", "role", "agency"):
        table.add_column(column, no_wrap=True)
    for row in rows:
        table.add_row(row.username, row.password, row.role, row.agency)
    secrets = Table(title="Their authenticator secrets (TOTP, base32)")
    for column in ("username", "TOTP secret"):
        secrets.add_column(column, no_wrap=True)
    for row in rows:
        secrets.add_row(row.username, row.totp_secret or "-")
    console = _stdout_console()
    console.print(table)
    console.print(secrets)
    console.print(
        "After the password Varde asks for a one-time code: add the secret to an authenticator app\n"
        "(or open the otpauth:// link below on a phone), or print the current code with\n"
        "  varde demo-code USERNAME"
    )
    for row in rows:
        if row.totp_uri:
            console.print(f"{row.username}: {row.totp_uri}", soft_wrap=True)


def cmd_demo_code(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django_otp.oath import TOTP

    from varde.accounts.second_factor import confirmed_device
    from varde.demo import data as demo_data

    if settings.PRODUCTION:
        raise CliError("refusing to print one-time codes in production")
    if args.username not in {u.username for u in demo_data.PERSONAS}:
        raise CliError("only the demo personas' codes can be printed")
    device = confirmed_device(_get_user(args.username))
    if device is None:
        raise CliError(f"{args.username} has no authenticator; run varde demo first")
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    print(f"{totp.token():0{device.digits}d}")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from varde.interchange import services

    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"no such file: {path.name}")
    user = _get_user(args.user)
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
    with _progress("Importing", total=len(valid)) as advance:
        result = services.import_rows(actor=user, rows=valid, progress=advance)
    print(f"{result.imported} imported, {result.skipped} skipped")
    return EXIT_OK


def _export_request(user: User, request_id: str | None):  # type: ignore[no-untyped-def]
    from varde.core.errors import NotPermitted
    from varde.interchange import approval
    from varde.interchange.models import ExportRequest

    if not request_id:
        raise CliError(
            "an export of identified data needs --request ID, approved by another person "
            "(varde export-request, then varde export-approve)"
        )
    export = ExportRequest.objects.filter(pk=_uuid_or_none(request_id)).select_related("requested_by").first()
    try:
        return approval.check_usable(user=user, request=export)
    except NotPermitted as exc:
        raise CliError(str(exc)) from None


def _uuid_or_none(value: str) -> Any:
    import uuid

    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def cmd_export_request(args: argparse.Namespace) -> int:
    from varde.interchange import approval

    user = _get_user(args.user)
    export = approval.export_request_create(actor=user, reason=args.reason)
    print(f"export request {export.pk} is waiting for another person's approval")
    return EXIT_OK


def cmd_export_approve(args: argparse.Namespace) -> int:
    from varde.core.errors import NotPermitted
    from varde.interchange import approval
    from varde.interchange.models import ExportRequest

    user = _get_user(args.user)
    export = (
        ExportRequest.objects.filter(pk=_uuid_or_none(args.request)).select_related("requested_by").first()
    )
    if export is None:
        raise CliError("no such export request")
    try:
        approval.export_request_approve(actor=user, request=export)
    except NotPermitted as exc:
        raise CliError(str(exc)) from None
    print(f"export request {export.pk} approved by {user.username}")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from django.db import transaction

    from varde.core.errors import NotPermitted
    from varde.interchange import services

    if args.htcds:  # de-identified HTCDS 2.0: no four-eyes approval, audited (varde.statistics.cli)
        from varde.statistics.cli import cmd_htcds_export

        if args.request:
            raise CliError("--htcds exports de-identified data and needs no --request")
        if args.out in (None, "-"):
            raise CliError("--htcds needs --out FILE")
        return cmd_htcds_export(args)
    if args.format or args.k is not None or args.year is not None:
        raise CliError("--format, --k and --year go with --htcds")
    if not args.user:
        raise CliError("an export of identified data needs --user")
    user = _get_user(args.user)
    export = _export_request(user, args.request)
    if args.out in (None, "-"):
        try:
            count = services.export_rows(user=user, out=sys.stdout, request=export)
        except NotPermitted as exc:
            raise CliError(str(exc)) from None
        sys.stdout.flush()
    else:
        path = Path(args.out)
        if path.is_dir() or not path.parent.is_dir():
            raise CliError(f"cannot write to {path.name}: not a file in an existing folder")
        opened = False
        try:
            with transaction.atomic():  # a failed write leaves no export event behind
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # personal data: owner only
                opened = True
                os.fchmod(fd, 0o600)  # also when the file was there before
                with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
                    count = services.export_rows(user=user, out=out, request=export)
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


def cmd_backup(args: argparse.Namespace) -> int:
    from varde.audit.models import AuditAction
    from varde.audit.services import audit_record
    from varde.core import backup

    path = Path(args.file)
    if path.is_dir() or not path.parent.is_dir():
        raise CliError(f"cannot write to {path.name}: not a file in an existing folder")
    audit_record(actor=None, action=AuditAction.BACKUP, obj=("database", ""), detail={"file": path.name})
    backup.backup(path)
    print(f"backup written to {path.name} (readable by its owner only)", file=sys.stderr)
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from varde.audit.models import AuditAction
    from varde.audit.services import audit_record, audit_verify
    from varde.core import backup

    if not args.yes:
        raise CliError("restoring replaces everything in the database; add --yes to go ahead")
    backup.restore(Path(args.file))
    report = audit_verify()
    audit_record(
        actor=None, action=AuditAction.RESTORE, obj=("database", ""), detail={"file": Path(args.file).name}
    )
    print(
        f"restored from {Path(args.file).name}; audit chain "
        + ("intact" if report.ok else f"BROKEN at event {report.first_broken_seq}")
    )
    return EXIT_OK if report.ok else EXIT_FAILED


def cmd_retention_run(args: argparse.Namespace) -> int:
    from varde.core import retention

    result = retention.retention_run(dry_run=args.dry_run)
    verb = "would anonymise" if args.dry_run else "anonymised"
    print(f"{verb} {result.anonymised} closed case(s) older than {result.days} days after closure")
    return EXIT_OK


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from varde.audit.services import audit_verify

    report = audit_verify()
    if report.ok:
        print(f"audit chain intact: {report.checked} events")
        return EXIT_OK
    print(
        f"audit chain BROKEN at event {report.first_broken_seq}: {report.reason} "
        f"({report.checked} events before it are intact)"
    )
    return EXIT_FAILED


# --- the parser -----------------------------------------------------------------------------------


def _add(
    sub: Any,
    name: str,
    *,
    help: str,
    description: str,
    example: str,
    func: Callable[[argparse.Namespace], int],
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=help,
        description=description,
        epilog="Example:\n" + example,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(func=func)
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="varde",
        description="Varde: coordination of help to victims of human trafficking.",
        epilog="Example:\n  varde demo && varde serve\n\nEach command has its own --help, e.g. varde import --help",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    serve = _add(
        sub,
        "serve",
        help="migrate the database if needed and serve Varde",
        description="Apply any pending database migrations, then serve Varde with gunicorn.\n"
        "Static files are served by the application (whitenoise).",
        example="  varde serve --host 127.0.0.1 --port 8000",
        func=cmd_serve,
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    serve.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")

    demo = _add(
        sub,
        "demo",
        help="load realistic demo data and print the demo sign-ins",
        description="Load demo agencies, one user per persona and synthetic persons reported by\n"
        "several agencies under differing spellings, from 2010 on; and 2009 as KOM counted it\n"
        "(`varde stats --year 2009` gives the action plan's figures). Running it again changes\n"
        "nothing. Refused when VARDE_ENV=production.",
        example="  varde demo --seed 7 --persons 300",
        func=cmd_demo,
    )
    demo.add_argument("--seed", type=int, default=2026, help="random seed; the same seed gives the same data")
    demo.add_argument("--persons", type=int, default=300, help="how many synthetic persons (default 300)")
    demo.add_argument(
        "--skip-2009",
        action="store_true",
        help="leave out the 2009 set (292 persons whose figures match the 2011-2014 action plan)",
    )

    code = _add(
        sub,
        "demo-code",
        help="print a demo persona's current one-time code (not in production)",
        description="Print the current 6-digit TOTP code of a demo persona, for trying the demo\n"
        "without an authenticator app. Refused when VARDE_ENV=production.",
        example="  varde demo-code police.investigator",
        func=cmd_demo_code,
    )
    code.add_argument("username", help="a demo persona's username")

    imp = _add(
        sub,
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

    exp = _add(
        sub,
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
        func=cmd_export,
    )
    exp.add_argument(
        "--user", metavar="USERNAME", help="export what this user may see (required without --htcds)"
    )
    exp.add_argument("--request", metavar="REQUEST_ID", help="the user's approved export request")
    exp.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    exp.add_argument("--htcds", action="store_true", help="de-identified HTCDS 2.0 (CSV or JSON) instead")
    from varde.statistics.cli import add_htcds_arguments

    add_htcds_arguments(exp)

    ereq = _add(
        sub,
        "export-request",
        help="ask for an export of identified data (another person approves)",
        description="Record a request to export the referrals USER may see, with the reason.\n"
        "A coordinator or an administrator of the user's agency approves it (varde export-approve).",
        example="  varde export-request --user police.investigator --reason 'Court case 26-123'",
        func=cmd_export_request,
    )
    ereq.add_argument("--user", required=True, metavar="USERNAME", help="who asks (and will export)")
    ereq.add_argument("--reason", required=True, help="why the export is needed (no personal data)")

    eapp = _add(
        sub,
        "export-approve",
        help="approve another person's export request",
        description="Approve an export request as a coordinator, or as an administrator of the\n"
        "requester's agency. Nobody approves their own request (exit code 2).",
        example="  varde export-approve 5f0c... --user kom.coordinator",
        func=cmd_export_approve,
    )
    eapp.add_argument("request", metavar="REQUEST_ID", help="the export request's id")
    eapp.add_argument("--user", required=True, metavar="USERNAME", help="who approves")

    bk = _add(
        sub,
        "backup",
        help="write a backup of the whole database to FILE",
        description="Back up the database: pg_dump (custom format) for PostgreSQL, the SQLite backup\n"
        "API for SQLite. The file holds all personal data: it is created readable by its owner only.",
        example="  varde backup /secure/varde-2026-11-23.dump",
        func=cmd_backup,
    )
    bk.add_argument("file", metavar="FILE", help="where to write the backup")

    rs = _add(
        sub,
        "restore",
        help="replace the database with a backup from FILE",
        description="Restore a backup made by varde backup (pg_restore for PostgreSQL, the SQLite backup\n"
        "API for SQLite), then verify the audit chain. Everything in the database is replaced.",
        example="  varde restore /secure/varde-2026-11-23.dump --yes",
        func=cmd_restore,
    )
    rs.add_argument("file", metavar="FILE", help="the backup file")
    rs.add_argument("--yes", action="store_true", help="confirm that the database may be replaced")

    ret = sub.add_parser(
        "retention",
        help="retention tools",
        description="Retention tools.",
        epilog="Example:\n  varde retention run",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ret_sub = ret.add_subparsers(dest="retention_command", metavar="COMMAND", required=True)
    rr = _add(
        ret_sub,
        "run",
        help="anonymise closed cases past the retention period",
        description="Anonymise every case closed more than VARDE_RETENTION_DAYS ago (default 5 years):\n"
        "names, documents, phone numbers, national id, birth date, free text and descriptions are\n"
        "removed; status, dates, forms of exploitation, nationality, sex and age band stay for\n"
        "statistics. Each case is audited.",
        example="  varde retention run --dry-run",
        func=cmd_retention_run,
    )
    rr.add_argument("--dry-run", action="store_true", help="count the cases, change nothing")

    # Commands that live beside their domain (each registers itself with --help and an example).
    from varde.identification.cli import register as register_identification
    from varde.linkage.cli import register as register_linkage
    from varde.response.cli import register as register_response
    from varde.statistics.cli import register as register_statistics
    from varde.statistics.report_cli import register as register_report

    register_identification(sub)
    register_linkage(sub)
    register_response(sub)
    register_statistics(sub)
    register_report(sub)

    audit = sub.add_parser(
        "audit",
        help="audit trail tools",
        description="Audit trail tools.",
        epilog="Example:\n  varde audit verify",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    audit_sub = audit.add_subparsers(dest="audit_command", metavar="COMMAND", required=True)
    _add(
        audit_sub,
        "verify",
        help="check that the audit chain is unbroken",
        description="Walk the hash-chained audit trail and name the first event that was changed,\n"
        "removed or reordered. Exit code 1 when the chain is broken.",
        example="  varde audit verify",
        func=cmd_audit_verify,
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error argparse already printed
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    err: TextIO = sys.stderr
    try:
        _setup_django()
        return int(args.func(args))
    except CliError as exc:
        print(f"varde {args.command}: {exc.message}", file=err)
        for line in exc.details:
            print(f"  {line}", file=err)
        return exc.code
    except Exception as exc:  # noqa: BLE001 - a traceback may carry personal data; print the type only
        from django.core.exceptions import ImproperlyConfigured

        from varde.core.errors import VardeError

        if isinstance(exc, VardeError | ImproperlyConfigured):  # messages hold no personal data
            print(f"varde {args.command}: {exc}", file=err)
            for problem in getattr(exc, "problems", []):
                print(f"  {problem}", file=err)
            return EXIT_BAD_INPUT
        if os.environ.get("VARDE_TRACEBACK") == "1":
            raise
        print(
            f"varde {args.command}: failed ({type(exc).__name__}); "
            "set VARDE_TRACEBACK=1 to see the traceback",
            file=err,
        )
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("varde: interrupted; nothing was saved by the interrupted step", file=err)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
