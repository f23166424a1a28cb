"""Packaging: the sdist and wheel build and pass twine, `make publish` puts them on a real package
index (pypiserver on 127.0.0.1, uploads behind a password), and pip installs the package back
from that index into a clean venv, where it works and type-checks."""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import hashlib
import json
import os
import pathlib
import re
import socket
import subprocess
import sys
import tarfile
import textwrap
import time
import zipfile
from collections.abc import Iterator

import httpx
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


VERSION = re.findall(r'"(.+)"', (ROOT / "overrides/openrouter_generations/_version.py").read_text())[0]
USER, PASSWORD = "maintainer", "correct horse battery staple"


def _run(*args: str, cwd: pathlib.Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, capture_output=True, text=True, timeout=300, cwd=cwd, env=env)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    out = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT), cwd=out)
    return out


@dataclasses.dataclass
class Index:
    url: str  # what twine uploads to
    packages: pathlib.Path  # where the index keeps what it was sent

    @property
    def simple(self) -> str:
        return self.url + "simple/"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    """pypiserver on 127.0.0.1: anyone may download, only `USER` with `PASSWORD` may upload."""
    root = tmp_path_factory.mktemp("index")
    packages = root / "packages"
    packages.mkdir()
    # An Apache htpasswd line in its {SHA} form, which pypiserver reads through passlib.
    digest = base64.b64encode(hashlib.sha1(PASSWORD.encode()).digest()).decode()  # noqa: S324
    (root / "htpasswd").write_text(f"{USER}:{{SHA}}{digest}\n")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (root / "log").open("w")
    command = [sys.executable, "-m", "pypiserver", "run", "--interface", "127.0.0.1", "--port", str(port)]
    command += ["--passwords", str(root / "htpasswd"), "--authenticate", "update", "--disable-fallback", str(packages)]
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (root / "log").read_text()
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(url + "simple/", timeout=5).status_code == 200:
                    break
            assert time.monotonic() < deadline, (root / "log").read_text()
            time.sleep(0.1)
        yield Index(url, packages)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _publish(dist: pathlib.Path, **twine_env: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWINE_")}
    env.update(twine_env)
    # -o: use the venv as it is (never rebuild it from inside a test run).
    command = ["make", "--no-print-directory", "-C", str(ROOT), "-o", ".venv/.installed", "publish", f"DIST={dist}"]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, env=env, check=False)


@pytest.fixture(scope="module")
def published(dist: pathlib.Path, index: Index) -> Index:
    """The freshly built wheel and sdist, on the index by `make publish`."""
    result = _publish(dist, TWINE_REPOSITORY_URL=index.url, TWINE_USERNAME=USER, TWINE_PASSWORD=PASSWORD)
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in index.packages.iterdir()) == sorted(p.name for p in dist.iterdir())
    return index


def test_publish_without_an_index_named_uploads_nothing(dist: pathlib.Path) -> None:
    result = _publish(dist, TWINE_USERNAME=USER, TWINE_PASSWORD=PASSWORD)
    assert result.returncode != 0
    assert "no index named: set TWINE_REPOSITORY_URL" in result.stderr
    assert "nothing was uploaded" in result.stderr
    assert "Uploading" not in result.stdout + result.stderr


def test_publish_with_a_wrong_password_is_refused(dist: pathlib.Path, index: Index) -> None:
    before = sorted(index.packages.iterdir())
    result = _publish(dist, TWINE_REPOSITORY_URL=index.url, TWINE_USERNAME=USER, TWINE_PASSWORD="not-the-password-5x")
    assert result.returncode != 0
    assert "make publish: the upload failed" in result.stderr
    assert "check the index URL and credentials" in result.stderr
    assert sorted(index.packages.iterdir()) == before
    assert "not-the-password-5x" not in result.stdout + result.stderr


def test_publishing_the_same_version_again_is_refused_and_said_so(dist: pathlib.Path, published: Index) -> None:
    before = {p.name: p.stat().st_mtime_ns for p in published.packages.iterdir()}
    result = _publish(dist, TWINE_REPOSITORY_URL=published.url, TWINE_USERNAME=USER, TWINE_PASSWORD=PASSWORD)
    assert result.returncode != 0
    assert "make publish: refused: this version is already on the index" in result.stderr
    assert "bump overrides/openrouter_generations/_version.py" in result.stderr
    assert {p.name: p.stat().st_mtime_ns for p in published.packages.iterdir()} == before


def test_the_sdist_builds_the_same_wheel(dist: pathlib.Path, tmp_path: pathlib.Path) -> None:
    """Whoever builds from source (a distributor, pip without a wheel) gets the same package."""
    (sdist,) = dist.glob("*.tar.gz")
    (wheel,) = dist.glob("*.whl")
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path / "src", filter="data")
    (unpacked,) = (tmp_path / "src").iterdir()
    out = tmp_path / "out"
    _run(sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(unpacked), cwd=tmp_path)
    (rebuilt,) = out.glob("*.whl")
    assert rebuilt.name == wheel.name
    with zipfile.ZipFile(wheel) as ours, zipfile.ZipFile(rebuilt) as theirs:
        assert sorted(ours.namelist()) == sorted(theirs.namelist())
        for name in ours.namelist():
            if not name.endswith("/RECORD"):
                assert ours.read(name) == theirs.read(name), name


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
    assert not [n for n in names if "__pycache__" in n or n.startswith("tests/")]
    metadata = zipfile.ZipFile(wheel).read(f"{wheel.name.rsplit('-', 3)[0]}.dist-info/METADATA").decode()
    requires = sorted(
        line.split(":", 1)[1].strip() for line in metadata.splitlines() if line.startswith("Requires-Dist")
    )
    # At run time httpx and attrs only; the command line's rich comes with the `cli` extra.
    assert requires == ["attrs<27,>=23.1", "httpx<0.29,>=0.27", "rich>=13; extra == 'cli'"]
    entry_points = zipfile.ZipFile(wheel).read(f"{wheel.name.rsplit('-', 3)[0]}.dist-info/entry_points.txt").decode()
    assert "openrouter-generations = openrouter_generations.cli:main" in entry_points


def test_wheel_installs_from_the_index_into_a_clean_venv_and_calls_a_loopback_server(
    dist: pathlib.Path, published: Index, tmp_path: pathlib.Path
) -> None:
    (wheel,) = dist.glob("*.whl")
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", str(venv), cwd=tmp_path)
    python = venv / "bin" / "python"
    # The package from the local index (nowhere else has it), httpx and attrs from the default one.
    install = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--no-cache-dir"]
    install += ["--extra-index-url", published.simple, f"openrouter-generations=={VERSION}"]
    installed = _run(*install, cwd=tmp_path).stdout
    assert f"{published.url}packages/{wheel.name}" in installed, installed
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
    # With the extra, from the same index, the command looks a generation up on the fake.
    extra = [*install[:-1], f"openrouter-generations[cli]=={VERSION}"]
    _run(*extra, cwd=tmp_path)
    with FakeOpenRouter(api_key="sk-or-wheel-test") as server:
        server.add_generation(**EXAMPLE_BODY["data"])
        command = [str(venv / "bin" / "openrouter-generations"), "get", "--json", "--no-cache", EXAMPLE_ID]
        env = {**os.environ, "OPENROUTER_API_KEY": "sk-or-wheel-test"}
        looked_up = _run(*command, "--server-url", server.server_url, cwd=tmp_path, env=env).stdout
    assert json.loads(looked_up)["data"]["total_cost"] == EXAMPLE_BODY["data"]["total_cost"]
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
