"""Packaging: the sdist and wheel build, pass twine, and the wheel works in a clean venv."""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys
import textwrap
import zipfile

import pytest

from openrouter_generations.testing import FakeOpenRouter

from .conftest import EXAMPLE_BODY, EXAMPLE_ID, ROOT

CLIENT_SCRIPT = textwrap.dedent(
    """
    import pathlib
    import sys
    import sysconfig

    import openrouter_generations
    import openrouter_generations_client
    from openrouter_generations import OpenRouter, errors, utils

    # Both packages come from the wheel in this venv's site-packages: not from the source tree,
    # nor through an editable install (whose .pth points back at the source tree).
    venv = pathlib.Path(sys.argv[3]).resolve()
    assert pathlib.Path(sys.prefix).resolve() == venv, (sys.prefix, venv)
    site_packages = pathlib.Path(sysconfig.get_paths()["purelib"]).resolve()
    assert site_packages.is_relative_to(venv), site_packages
    for package in (openrouter_generations, openrouter_generations_client):
        init = pathlib.Path(package.__file__ or "").resolve()
        assert init == site_packages / package.__name__ / "__init__.py", init

    with OpenRouter(api_key="sk-or-wheel-test", server_url=sys.argv[1]) as open_router:
        res = open_router.generations.get_generation(id=sys.argv[2])
        total: float = res.data.total_cost
        print("total_cost", total)
        try:
            open_router.generations.get_generation(id="gen-missing", retries=utils.NO_RETRIES)
        except errors.NotFoundResponseError as e:
            print("not found", e.status_code)
    """
)


def _run(*args: str, cwd: pathlib.Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, capture_output=True, text=True, timeout=300, cwd=cwd)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    out = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT), cwd=out)
    return out


def test_sdist_and_wheel_pass_twine(dist: pathlib.Path) -> None:
    files = sorted(p.name for p in dist.iterdir())
    assert [f.split("-")[0] for f in files] == ["openrouter_generations", "openrouter_generations"]
    _run(sys.executable, "-m", "twine", "check", "--strict", *[str(p) for p in dist.iterdir()], cwd=dist)


def test_wheel_holds_both_packages_typed_and_nothing_else(dist: pathlib.Path) -> None:
    (wheel,) = dist.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names}
    assert top == {
        "openrouter_generations",
        "openrouter_generations_client",
        wheel.name.rsplit("-", 3)[0] + ".dist-info",
    }
    assert "openrouter_generations/py.typed" in names
    assert "openrouter_generations_client/py.typed" in names
    assert "openrouter_generations_client/api/generations/get_generation.py" in names
    assert not [n for n in names if "__pycache__" in n or n.startswith(("tests/", "stand_in/"))]
    metadata = zipfile.ZipFile(wheel).read(f"{wheel.name.rsplit('-', 3)[0]}.dist-info/METADATA").decode()
    requires = sorted(
        line.split(":", 1)[1].strip() for line in metadata.splitlines() if line.startswith("Requires-Dist")
    )
    # At run time httpx and attrs only; the command line's rich comes with the `cli` extra.
    assert requires == ["attrs<27,>=23.1", "httpx<0.29,>=0.27", "rich>=13; extra == 'cli'"]
    entry_points = zipfile.ZipFile(wheel).read(f"{wheel.name.rsplit('-', 3)[0]}.dist-info/entry_points.txt").decode()
    assert "openrouter-generations = openrouter_generations.cli:main" in entry_points


def test_wheel_installs_into_a_clean_venv_and_calls_a_loopback_server(
    dist: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    (wheel,) = dist.glob("*.whl")
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", str(venv), cwd=tmp_path)
    python = venv / "bin" / "python"
    _run(str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel), cwd=tmp_path)
    script = tmp_path / "use_it.py"
    script.write_text(CLIENT_SCRIPT)
    with FakeOpenRouter(api_key="sk-or-wheel-test") as server:
        server.add_generation(**EXAMPLE_BODY["data"])
        out = _run(str(python), str(script), server.url, EXAMPLE_ID, str(venv), cwd=tmp_path).stdout
    assert "total_cost 0.0004175" in out
    assert "not found 404" in out
    # Installed without the `cli` extra, the command says how to get it.
    no_extra = subprocess.run(
        [str(venv / "bin" / "openrouter-generations"), "get", "gen-x"], capture_output=True, text=True, check=False
    )
    assert no_extra.returncode == 2
    assert no_extra.stderr == (
        "openrouter-generations: the command line needs the 'cli' extra: pip install 'openrouter-generations[cli]'\n"
    )
    # The installed wheel is typed: mypy --strict accepts the script against it.
    _run(
        sys.executable,
        "-m",
        "mypy",
        "--strict",
        "--no-incremental",
        "--python-executable",
        str(python),
        str(script),
        cwd=tmp_path,
    )


ISSUE_EXAMPLE = textwrap.dedent(
    """
    from openrouter_generations import OpenRouter
    from openrouter_generations.testing import FakeOpenRouter, Reply

    with FakeOpenRouter() as fake:
        rec = fake.add_generation(model="openai/gpt-4o", total_cost=0.0021)
        client = OpenRouter(api_key=fake.api_key, server_url=fake.server_url)
        assert client.generations.get_generation(id=rec["id"]).data.total_cost == 0.0021
        client.close()
    print("example ok")
    """
)


def test_the_fake_and_its_fixture_work_from_the_wheel_with_pytest_beside_it(
    dist: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    """Only the wheel and pytest: the example runs, and the README's test file passes with the
    `openrouter_fake` fixture that the wheel's entry point registers."""
    (wheel,) = dist.glob("*.whl")
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", str(venv), cwd=tmp_path)
    python = venv / "bin" / "python"
    pins = [line for line in (ROOT / "requirements-dev.txt").read_text().split() if line.startswith("pytest==")]
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    _run(*pip, str(wheel), *pins, cwd=tmp_path)
    (tmp_path / "example.py").write_text(ISSUE_EXAMPLE)
    assert "example ok" in _run(str(python), "example.py", cwd=tmp_path).stdout
    readme = (ROOT / "README.md").read_text()
    (block,) = [b for b in re.findall(r"```python\n(.*?)```", readme, re.DOTALL) if b.startswith("# test_costs.py")]
    (tmp_path / "test_costs.py").write_text(block)
    out = _run(str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_costs.py", cwd=tmp_path).stdout
    assert "4 passed" in out
    check = "import sys, openrouter_generations; assert 'openrouter_generations.testing' not in sys.modules"
    _run(str(python), "-c", check, cwd=tmp_path)
