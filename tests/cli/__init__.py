"""The `openrouter-generations` command, one file per behaviour."""
