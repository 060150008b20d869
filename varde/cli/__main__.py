"""`python -m varde.cli ...`: the `varde` command, e.g. the worker `varde serve` starts beside the web server."""

import sys

from varde.cli import main

sys.exit(main())
