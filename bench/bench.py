"""`make bench`: figures, not pass/fail. Every comparison is a ratio measured in this one run.

- per call, sync and async: this client vs a bare `httpx.Client().get`, vs bare httpx plus the
  generated `from_dict` (the limit for any client on the generated package), and OpenRouter's
  official SDK when `.venv-bench` has it (`make bench` installs it there); same loopback server,
  interleaved rounds, wall and client CPU time, the targets printed beside the ratios;
- memory: the peak resident size of each of those processes, imports and calls included;
- import time of each, as a fresh process, against `import httpx, attrs`;
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
# BENCH_SIZE=0 skips the size section, which downloads packages (for a quick run while iterating).
SIZE = os.environ.get("BENCH_SIZE", "1") != "0"

# Each client runs as its own process so that imports and caches cannot favour one. A setup
# defines `call()`, or `async def acall()` for the async lines (timed inside one event loop).
PER_CALL = {
    "bare httpx": """
import httpx
client = httpx.Client()
def call():
    r = client.get(URL + "/generation", params={"id": ID}, headers={"Authorization": "Bearer k"})
    r.raise_for_status()
    return r.json()["data"]["total_cost"]
""",
    # The limit for any client built on the generated package: it must pay `from_dict`.
    "bare httpx + from_dict": """
import httpx
from openrouter_generations_client.models import GetGenerationResponse
client = httpx.Client()
def call():
    r = client.get(URL + "/generation", params={"id": ID}, headers={"Authorization": "Bearer k"})
    r.raise_for_status()
    return GetGenerationResponse.from_dict(r.json()).data.total_cost
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
    "bare httpx (async)": """
import httpx
client = httpx.AsyncClient()
async def acall():
    r = await client.get(URL + "/generation", params={"id": ID}, headers={"Authorization": "Bearer k"})
    r.raise_for_status()
    return r.json()["data"]["total_cost"]
""",
    "bare httpx + from_dict (async)": """
import httpx
from openrouter_generations_client.models import GetGenerationResponse
client = httpx.AsyncClient()
async def acall():
    r = await client.get(URL + "/generation", params={"id": ID}, headers={"Authorization": "Bearer k"})
    r.raise_for_status()
    return GetGenerationResponse.from_dict(r.json()).data.total_cost
""",
    "openrouter-generations (async)": """
from openrouter_generations import OpenRouter
client = OpenRouter(api_key="k", server_url=URL)
async def acall():
    return (await client.generations.get_generation_async(id=ID)).data.total_cost
""",
}

TIMER = """
import resource, sys, time
URL, ID, CALLS = sys.argv[1], sys.argv[2], int(sys.argv[3])
{setup}
if "acall" in globals():
    import asyncio
    async def timed():
        for _ in range(50):
            await acall()
        start, cpu = time.perf_counter(), time.process_time()
        for _ in range(CALLS):
            await acall()
        return time.perf_counter() - start, time.process_time() - cpu
    elapsed, cpu = asyncio.run(timed())
else:
    for _ in range(50):
        call()
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(CALLS):
        call()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
print(elapsed / CALLS * 1000, cpu / CALLS * 1000, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

# (client, what it is measured against, the most it may cost relative to that): issue targets.
PER_CALL_TARGETS = [
    ("openrouter-generations", "bare httpx + from_dict", 1.05),
    ("openrouter-generations", "bare httpx", 1.15),
    ("openrouter-generations (async)", "bare httpx + from_dict (async)", 1.05),
    ("openrouter-generations (async)", "bare httpx (async)", 1.15),
]

IMPORTS = {
    "bare httpx": "import httpx",
    "httpx + attrs": "import httpx, attrs",
    "openrouter-generations": "import openrouter_generations",
    # The documented import line: what a program using the client really imports.
    "openrouter-generations, documented line": "from openrouter_generations import OpenRouter, errors, utils",
    "openrouter (official)": "import openrouter",
}
IMPORT_TARGETS = [
    ("openrouter-generations", "httpx + attrs", 1.10),
    ("openrouter-generations, documented line", "httpx + attrs", 1.10),
]


def python_for(name: str) -> pathlib.Path | None:
    if name == "openrouter (official)":
        return OFFICIAL_PYTHON if OFFICIAL_PYTHON.exists() else None
    return pathlib.Path(sys.executable)


def per_call(url: str, generation_id: str) -> tuple[dict[str, list[float]], dict[str, list[float]], dict[str, float]]:
    """(wall ms per call, the client process's CPU ms per call: each one figure per round; median
    peak RSS in MB) of each client's process.

    Every round runs every client once, so a ratio taken within a round compares clients under
    the same load from the rest of the machine. CPU time is the client's own work alone: on a
    busy machine it is the steadier figure, and its ratios are the stricter ones (they leave out
    the server's time and the loopback, which every client waits for alike).
    """
    samples: dict[str, list[float]] = {name: [] for name in PER_CALL}
    cpu: dict[str, list[float]] = {name: [] for name in PER_CALL}
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
            ms, cpu_ms, max_rss_kb = out.stdout.split()
            samples[name].append(float(ms))
            cpu[name].append(float(cpu_ms))
            peaks[name].append(int(max_rss_kb) / 1024)
    return (
        {name: values for name, values in samples.items() if values},
        {name: values for name, values in cpu.items() if values},
        {name: statistics.median(values) for name, values in peaks.items() if values},
    )


def import_times(rounds: int) -> dict[str, list[float]]:
    """ms to import each, as a fresh process, one figure per round (rounds interleaved)."""
    times: dict[str, list[float]] = {name: [] for name in IMPORTS}
    for _ in range(rounds):
        for name, statement in IMPORTS.items():
            python = python_for(name)
            if python is None:
                continue
            start = time.perf_counter()
            subprocess.run([str(python), "-c", statement], check=True, cwd=tempfile.gettempdir())
            times[name].append((time.perf_counter() - start) * 1000)
    return {name: values for name, values in times.items() if values}


def ratios(samples: dict[str, list[float]], name: str, base: str) -> list[float]:
    """`name`'s figure over `base`'s, round by round."""
    return [a / b for a, b in zip(samples[name], samples[base], strict=True)]


def verdict(values: list[float], limit: float) -> str:
    """The median ratio against its target, and how far the rounds spread around it."""
    median = statistics.median(values)
    met = "met" if median <= limit else "NOT met"
    return f"{median:5.3f}x (rounds {min(values):.3f}-{max(values):.3f}; target <= {limit:.2f}x: {met})"


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
        print(f"per call, median of {ROUNDS} interleaved rounds x {CALLS} calls, loopback ({url}):")
        samples, cpu, peaks = per_call(url, started["ids"][0])
    finally:
        server.terminate()
        server.wait()
    print(f"  {'':32s} {'wall':>8s}  {'client CPU':>10s}")
    for name, values in samples.items():
        base = "bare httpx (async)" if name.endswith("(async)") else "bare httpx"
        wall, own = statistics.median(values), statistics.median(cpu[name])
        ratio = statistics.median(ratios(samples, name, base))
        print(f"  {name:32s} {wall:6.3f} ms  {own:7.3f} ms  {ratio:5.2f}x {base} (wall)")
    if "openrouter (official)" not in samples:
        print("  (official SDK not measured: `make bench` installs it into .venv-bench)")
    print("per call against the targets (ratios taken within each round):")
    for name, base, limit in PER_CALL_TARGETS:
        print(f"  {name} / {base}:")
        print(f"    wall        {verdict(ratios(samples, name, base), limit)}")
        print(f"    client CPU  {verdict(ratios(cpu, name, base), limit)}")
    print(f"peak memory of those processes (imports and {CALLS + 50} calls), median:")
    for name, mb in peaks.items():
        print(f"  {name:32s} {mb:7.1f} MB  {mb / peaks['bare httpx']:5.2f}x bare httpx")

    rounds = max(ROUNDS, 15)
    # An installed wheel has its bytecode compiled by pip, as httpx's and attrs' are: compile this
    # checkout's too, so that the figure is not the compiler's (PYTHONDONTWRITEBYTECODE would
    # otherwise make every run compile the sources again).
    subprocess.run([sys.executable, "-m", "compileall", "-q", "overrides", "generated"], check=True, cwd=ROOT)
    print(f"import time, fresh processes, best of {rounds} interleaved rounds:")
    imports = import_times(rounds)
    for name, values in imports.items():
        print(f"  {name:40s} {min(values):7.1f} ms")
    for name, base, limit in IMPORT_TARGETS:
        print(f"  {name} / {base}: {verdict(ratios(imports, name, base), limit)}")

    if not SIZE:
        print("size: skipped (BENCH_SIZE=0)")
        return
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
