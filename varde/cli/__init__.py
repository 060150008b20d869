"""The `varde` command: builds the parser from each package's `register(subparsers)` and runs it.

Thin: each subcommand parses its arguments, calls services, and prints. Errors are one line on
stderr with exit code 2 for bad input, never a traceback (tracebacks can carry personal data).

What the commands share (CliError, user lookup, argument types, Django set-up) is in
`varde.cli.base`; the commands live beside their domain (`varde/<domain>/cli.py`), the application's
own (serve, backup, restore) in this package. Only this module imports them all.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TextIO

from . import base
from .base import EXIT_BAD_INPUT, EXIT_FAILED, CliError

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    # Imported here, not at the top: importing a domain's cli module runs this __init__ first (on the
    # way to varde.cli.base), which must not then import that half-loaded module back.
    from varde.audit import cli as audit_cli
    from varde.coordination import cli as coordination_cli
    from varde.demo import cli as demo_cli
    from varde.identification import cli as identification_cli
    from varde.interchange import cli as interchange_cli
    from varde.linkage import cli as linkage_cli
    from varde.prosecution import cli as prosecution_cli
    from varde.response import cli as response_cli
    from varde.retention import cli as retention_cli
    from varde.statistics import cli as statistics_cli

    from . import app

    parser = argparse.ArgumentParser(
        prog="varde",
        description="Varde: coordination of help to victims of human trafficking.",
        epilog="Example:\n  varde demo && varde serve\n\nEach command has its own --help, e.g. varde import --help",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    # The order here is the order of `varde --help`.
    app.register_serve(sub)
    app.register_health(sub)
    demo_cli.register(sub)
    interchange_cli.register(
        sub,
        htcds_arguments=statistics_cli.add_htcds_arguments,  # `varde export --htcds`
        htcds_export=statistics_cli.cmd_htcds_export,
    )
    app.register_backup(sub)
    retention_cli.register(sub)
    identification_cli.register(sub)
    linkage_cli.register(sub)
    response_cli.register(sub)
    statistics_cli.register(sub, stats_figures=(prosecution_cli.register_stats,))
    coordination_cli.register(sub)
    audit_cli.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error argparse already printed
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    err: TextIO = sys.stderr
    try:
        base.setup_django()
        code = int(args.func(args))
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's last flush
        return code
    except CliError as exc:
        print(f"varde {args.command}: {exc.message}", file=err)
        for line in exc.details:
            print(f"  {line}", file=err)
        return exc.code
    except BrokenPipeError:
        # The reader went away (`varde stats --year 2009 | head`): stop quietly, and point stdout at
        # /dev/null so that the interpreter's last flush does not complain either.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
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
