"""`varde demo` and `varde demo-code`: load the demo data, print a demo persona's one-time code.

Wire into the `varde` command with `register(subparsers)`; each sub-command sets `func(args) -> int`.
Both are refused in production (the demo's passwords and keys are published).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from varde.cli.base import (
    EXIT_OK,
    CliError,
    add_command,
    get_user,
    migrate_if_needed,
    progress,
    stdout_console,
)


def cmd_demo(args: argparse.Namespace) -> int:
    from django.conf import settings

    from varde.demo import loader

    if settings.PRODUCTION:
        raise CliError("refusing to load demo data (with published passwords) in production")
    if args.persons < 0:
        raise CliError("--persons must be zero or more")
    migrate_if_needed()
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
        with progress("Loading demo data", total=total) as advance:
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
    console = stdout_console()
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
    device = confirmed_device(get_user(args.username))
    if device is None:
        raise CliError(f"{args.username} has no authenticator; run varde demo first")
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    print(f"{totp.token():0{device.digits}d}")
    return EXIT_OK


def register(subparsers: Any) -> None:
    """Add `demo` and `demo-code` to the `varde` command's sub-parsers."""
    demo = add_command(
        subparsers,
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

    code = add_command(
        subparsers,
        "demo-code",
        help="print a demo persona's current one-time code (not in production)",
        description="Print the current 6-digit TOTP code of a demo persona, for trying the demo\n"
        "without an authenticator app. Refused when VARDE_ENV=production.",
        example="  varde demo-code police.investigator",
        func=cmd_demo_code,
    )
    code.add_argument("username", help="a demo persona's username")
