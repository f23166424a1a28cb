"""`make demo` shows what it says: the faults scripted are retried, waited for, and reported."""

from __future__ import annotations

import pathlib
import subprocess
import sys

from tests.conftest import ROOT


def test_the_demo_retries_waits_and_reports() -> None:
    script = pathlib.Path(sys.executable).parent / "openrouter-generations"
    assert script.exists(), "the console script comes with the editable install"
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "demo.py")], capture_output=True, text=True, timeout=120, check=False
    )
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "Traceback" not in out
    assert "failed with status 404; retry 2" in out  # -v: the generation waited for, or the unknown id
    assert "gen-1234567890-doesnotexist   not found (HTTP 404)" in out
    assert "exit status 1: one id was not found" in out
    rows = [line for line in out.splitlines() if line.startswith(" gen-") and "$" in line]
    assert len(rows) == 6  # the costs table: each id found, the one rate-limited and the one waited for too
