"""The `openrouter-generations` command: look generations up, and total what they cost.

`get ID ...` shows each generation; `costs [FILE|-]` looks up a file of ids (or a log of
completion responses, as JSON lines) and totals cost, tokens and count per model, per provider
and in all, exactly. Tables and the progress bar come from `rich`, the `[cli]` extra; the
library itself does not need it, so without the extra the command says how to install it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["EXIT_FOUND", "EXIT_INTERRUPTED", "EXIT_NOT_FOUND", "EXIT_USAGE", "main"]

#: Every id was found.
EXIT_FOUND = 0
#: Some ids were not found (or could not be looked up); each is listed with its reason.
EXIT_NOT_FOUND = 1
#: The command line, the key, the server URL or the input file is wrong; nothing was looked up.
EXIT_USAGE = 2
#: Ctrl-C: the totals printed are of what was looked up so far, marked incomplete.
EXIT_INTERRUPTED = 130

INSTALL_HINT = "the command line needs the 'cli' extra: pip install 'openrouter-generations[cli]'"


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command with `argv` (default: `sys.argv[1:]`) and returns its exit status."""
    try:
        import rich  # noqa: F401
    except ImportError:
        print(f"openrouter-generations: {INSTALL_HINT}", file=sys.stderr)
        return EXIT_USAGE
    from ._run import run

    return run(argv)
