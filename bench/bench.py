"""`make bench`: figures, not pass/fail. Every comparison is a ratio measured in this one run.

- per call: this client vs a bare `httpx.Client().get` (and OpenRouter's official SDK, when
  `.venv-bench` has it: `make bench` installs it there), same loopback server, interleaved rounds;
- memory: the peak resident size of each of those processes, imports and calls included;
- import time of each, as a fresh process;
- wheel size and installed size with dependencies, in clean venvs.

The server runs in its own process so it does not share the client's GIL.
"""

from __future__ import annotations

import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
OFFICIAL_PYTHON = ROOT / ".venv-bench" / "bin" / "python"
CALLS = int(os.environ.get("BENCH_CALLS", "1000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))

# Each client runs as its own process so that imports and caches cannot favour one.
PER_CALL = {
    "bare httpx": """
import httpx
client = httpx.Client()
def call():
    r = client.get(URL + "/generation", params={"id": ID}, headers={"Authorization": "Bearer k"})
    r.raise_for_status()
    return r.json()["data"]["total_cost"]
""",
    "openrouter-generations": """
from openrouter_generations import OpenRouter
client = OpenRouter(api_key="k", server_url=URL)
def call():
    return client.generations.get_generation(id=ID).data.total_cost
""",
    "openrouter (official)": """
from openrouter import OpenRouter
client = OpenRouter(api_key="k", server_url=URL)
def call():
    return client.generations.get_generation(id=ID).data.total_cost
""",
}

TIMER = """
import resource, sys, time
URL, ID, CALLS = sys.argv[1], sys.argv[2], int(sys.argv[3])
{setup}
for _ in range(50):
    call()
start = time.perf_counter()
for _ in range(CALLS):
    call()
print((time.perf_counter() - start) / CALLS * 1000, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

IMPORTS = {
    "bare httpx": "import httpx",
    "openrouter-generations": "import openrouter_generations",
    "openrouter (official)": "import openrouter",
}


def python_for(name: str) -> pathlib.Path | None:
    if name == "openrouter (official)":
        return OFFICIAL_PYTHON if OFFICIAL_PYTHON.exists() else None
    return pathlib.Path(sys.executable)


def per_call(url: str, generation_id: str) -> tuple[dict[str, float], dict[str, float]]:
    """(median ms per call, median peak RSS in MB) of each client's process."""
    samples: dict[str, list[float]] = {name: [] for name in PER_CALL}
    peaks: dict[str, list[float]] = {name: [] for name in PER_CALL}
    for _ in range(ROUNDS):
        for name, setup in PER_CALL.items():
            python = python_for(name)
            if python is None:
                continue
            script = TIMER.format(setup=textwrap.dedent(setup))
            out = subprocess.run(
                [str(python), "-c", script, url, generation_id, str(CALLS)],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
            ms, max_rss_kb = out.stdout.split()
            samples[name].append(float(ms))
            peaks[name].append(int(max_rss_kb) / 1024)
    return (
        {name: statistics.median(values) for name, values in samples.items() if values},
        {name: statistics.median(values) for name, values in peaks.items() if values},
    )


def import_time(name: str, python: pathlib.Path) -> float:
    best = float("inf")
    for _ in range(7):
        start = time.perf_counter()
        subprocess.run([str(python), "-c", IMPORTS[name]], check=True, cwd=tempfile.gettempdir())
        best = min(best, time.perf_counter() - start)
    return best * 1000


def installed_size(requirement: str, wheel_prefix: str) -> tuple[float, float]:
    """(wheel MB of the package itself, MB of site-packages it adds with its dependencies)."""
    with tempfile.TemporaryDirectory() as tmp:
        venv = pathlib.Path(tmp) / "venv"
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
        site = next((venv / "lib").glob("python*/site-packages"))
        wheels = pathlib.Path(tmp) / "wheels"
        pip = [sys.executable, "-m", "pip", "--quiet", "--disable-pip-version-check"]
        # pip's own warnings (e.g. about local index folders) are noise for a figure.
        subprocess.run([*pip, "download", "-d", str(wheels), requirement], check=True, capture_output=True)
        subprocess.run(
            [*pip, "install", "--no-index", "--find-links", str(wheels), "--target", str(site), requirement],
            check=True,
            capture_output=True,
        )
        own = [w for w in wheels.iterdir() if w.name.startswith(wheel_prefix + "-")]
        total = sum(f.stat().st_size for f in site.rglob("*") if f.is_file())
        wheel_mb = own[0].stat().st_size / 1e6 if own else float("nan")
        return wheel_mb, total / 1e6


def main() -> None:
    # The package's own fake OpenRouter, in a process of its own; its first line says where.
    fake = [sys.executable, "-m", "openrouter_generations.testing", "--api-key", "k"]
    server = subprocess.Popen(fake, cwd=ROOT, stdout=subprocess.PIPE)
    try:
        assert server.stdout is not None
        started = json.loads(server.stdout.readline())
        url = started["server_url"]
        print(f"per call, median of {ROUNDS} rounds x {CALLS} calls, loopback ({url}):")
        times, peaks = per_call(url, started["ids"][0])
    finally:
        server.terminate()
        server.wait()
    bare = times["bare httpx"]
    for name, ms in times.items():
        print(f"  {name:24s} {ms:7.3f} ms  {ms / bare:5.2f}x bare httpx")
    if "openrouter (official)" not in times:
        print("  (official SDK not measured: `make bench` installs it into .venv-bench)")
    print(f"peak memory of those processes (imports and {CALLS + 50} calls), median:")
    for name, mb in peaks.items():
        print(f"  {name:24s} {mb:7.1f} MB  {mb / peaks['bare httpx']:5.2f}x bare httpx")

    print("import time, best of 7 fresh processes:")
    for name in IMPORTS:
        python = python_for(name)
        if python is not None:
            print(f"  {name:24s} {import_time(name, python):7.1f} ms")

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "build", "--no-isolation", "--wheel", "--outdir", tmp, str(ROOT)],
            check=True,
            capture_output=True,
        )
        (wheel,) = pathlib.Path(tmp).glob("*.whl")
        print("size (wheel itself; installed with all runtime dependencies):")
        own_wheel = wheel.stat().st_size / 1e6
        _, own_installed = installed_size(str(wheel), "openrouter_generations")
        print(f"  {'openrouter-generations':24s} {own_wheel:6.3f} MB wheel  {own_installed:6.1f} MB installed")
        if OFFICIAL_PYTHON.exists():
            version = json.loads(
                subprocess.run(
                    [
                        str(OFFICIAL_PYTHON),
                        "-c",
                        "import json, importlib.metadata as m; print(json.dumps(m.version('openrouter')))",
                    ],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
            )
            official_wheel, official_installed = installed_size(f"openrouter=={version}", "openrouter")
            name = "openrouter (official)"
            print(f"  {name:24s} {official_wheel:6.3f} MB wheel  {official_installed:6.1f} MB installed")


if __name__ == "__main__":
    main()
