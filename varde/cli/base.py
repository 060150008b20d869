"""What every `varde` sub-command shares: exit codes, CliError, user lookup, argument types,
output and progress helpers, Django set-up.

Imported by `varde.cli` (which builds the command) and by each domain's `cli` module; it imports
neither. Light at import: Django, rich and the models load inside the functions that need them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

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


# --- output -----------------------------------------------------------------------------------------


def stdout_console() -> Console:
    from rich.console import Console

    tty = sys.stdout.isatty()
    return Console(file=sys.stdout, width=None if tty else 160, highlight=False, soft_wrap=not tty)


def stderr_console() -> Console:
    from rich.console import Console

    return Console(file=sys.stderr, highlight=False)


@contextmanager
def progress(description: str, total: int) -> Iterator[Callable[..., None]]:
    """A rich progress bar on stderr; silent when stderr is not a terminal. Yields advance(n)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr_console(),
        disable=not sys.stderr.isatty(),
        transient=False,
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)


def writable_path(value: str) -> Path:
    """FILE as a path to write to: not a folder, in a folder that exists."""
    path = Path(value)
    if path.is_dir() or not path.parent.is_dir():
        raise CliError(f"cannot write to {path.name}: not a file in an existing folder")
    return path


# --- Django -----------------------------------------------------------------------------------------


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.apps import apps

    if not apps.ready:  # once per process: a second setup() would rebind logging to today's stderr
        django.setup()


def pending_migrations() -> bool:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def migrate_if_needed(quiet: bool = False) -> None:
    from django.core.management import call_command

    if pending_migrations():
        if not quiet:
            print("Applying database migrations ...", file=sys.stderr)
        call_command("migrate", interactive=False, verbosity=0)


# --- users ------------------------------------------------------------------------------------------


def get_user(username: str) -> User:
    """The active user named USERNAME (--user); CliError when there is none."""
    from varde.accounts.selectors import user_active_by_username

    user = user_active_by_username(username)
    if user is None:
        raise CliError(f"no active user named {username!r}")
    return user


def optional_user(username: str | None) -> User | None:
    """--user when given; None (the server operator, audited with no actor) without it."""
    if not username:
        return None
    return get_user(username)


# --- argument types ---------------------------------------------------------------------------------


def year_argument(value: str) -> int:
    """argparse type for a year (YYYY), 1900 to 2100."""
    try:
        year = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError("a year, e.g. 2009") from None
    if not 1900 <= year <= 2100:
        raise argparse.ArgumentTypeError("a year between 1900 and 2100")
    return year


def positive_int(value: str) -> int:
    """argparse type for a whole number greater than 0."""
    number = int(value)
    if number <= 0:
        raise argparse.ArgumentTypeError("must be greater than 0")
    return number


def positive_float(value: str) -> float:
    """argparse type for a number greater than 0."""
    number = float(value)
    if number <= 0:
        raise argparse.ArgumentTypeError("must be greater than 0")
    return number


# --- the parser -------------------------------------------------------------------------------------


def add_command(
    sub: Any,
    name: str,
    *,
    help: str,
    description: str,
    example: str,
    func: Callable[[argparse.Namespace], int],
) -> argparse.ArgumentParser:
    """A sub-command with its description and an `Example:` epilog, kept as written."""
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=help,
        description=description,
        epilog="Example:\n" + example,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(func=func)
    return parser


def add_group(sub: Any, name: str, *, help: str, description: str, example: str, dest: str) -> Any:
    """A command with sub-commands (`varde audit verify`); returns their sub-parsers."""
    parser = sub.add_parser(
        name,
        help=help,
        description=description,
        epilog="Example:\n" + example,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser.add_subparsers(dest=dest, metavar="COMMAND", required=True)
