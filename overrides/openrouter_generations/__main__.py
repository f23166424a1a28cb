"""`python -m openrouter_generations`: the same command as the `openrouter-generations` script."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
