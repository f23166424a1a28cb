"""The drift check: `make check-generated` passes on the committed tree and catches any change."""

from __future__ import annotations

import pathlib
import subprocess

import yaml

from .conftest import ROOT


def _check(tmp_path: pathlib.Path, **variables: str) -> subprocess.CompletedProcess[str]:
    args = [f"{k}={v}" for k, v in variables.items()]
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), "check-generated", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )


def test_committed_generated_code_matches_the_spec(tmp_path: pathlib.Path) -> None:
    first = _check(tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    # A second run must agree too: the generator's output is deterministic.
    second = _check(tmp_path)
    assert second.returncode == 0, second.stdout + second.stderr


def test_a_spec_change_without_regenerating_fails(tmp_path: pathlib.Path) -> None:
    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    spec["components"]["schemas"]["Generation"]["properties"]["num_video_prompt"] = {
        "type": ["integer", "null"],
        "description": "Videos in the prompt.",
    }
    changed = tmp_path / "openapi.yaml"
    changed.write_text(yaml.safe_dump(spec, sort_keys=False))
    result = _check(tmp_path, SPEC=str(changed))
    assert result.returncode != 0
    assert "num_video_prompt" in result.stdout
    assert "out of date" in result.stderr


def test_a_config_change_without_regenerating_fails(tmp_path: pathlib.Path) -> None:
    config = (ROOT / "generator-config.yml").read_text()
    changed = tmp_path / "generator-config.yml"
    changed.write_text(config.replace("--line-length 120", "--line-length 88"))
    assert changed.read_text() != config
    result = _check(tmp_path, CONFIG=str(changed))
    assert result.returncode != 0
    assert "out of date" in result.stderr
