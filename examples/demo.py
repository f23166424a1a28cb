"""The command line's tour, with no key and no network: `make demo`.

Starts the shipped fake OpenRouter on 127.0.0.1 with a few dozen generations and some faults
scripted (a rate limit, a generation not queryable yet, an id that does not exist), then runs the
installed `openrouter-generations` command as a user would: `get` on one id, `costs` on a list.
"""

from __future__ import annotations

import os
import pathlib
import random
import shlex
import shutil
import subprocess
import sys
import tempfile

from openrouter_generations.testing import FakeOpenRouter, Reply

MODELS = [
    ("openai/gpt-4o", ["OpenAI", "Azure"]),
    ("anthropic/claude-sonnet-4", ["Anthropic"]),
    ("meta-llama/llama-3.3-70b", ["Together", "DeepInfra"]),
]


def command(script: str, *args: str, env: dict[str, str], cwd: str) -> int:
    print(f"$ openrouter-generations {shlex.join(args)}", flush=True)
    return subprocess.run([script, *args], env=env, cwd=cwd, check=False).returncode


def main() -> int:
    script = shutil.which("openrouter-generations", path=str(pathlib.Path(sys.executable).parent))
    if script is None:
        print("install the package with its extra first: pip install -e '.[cli]'", file=sys.stderr)
        return 2
    rng = random.Random(2026)
    with FakeOpenRouter() as fake, tempfile.TemporaryDirectory() as tmp:
        ids = []
        for _ in range(36):
            model, providers = rng.choice(MODELS)
            cost = round(rng.uniform(0.0001, 0.02), 7)
            tokens = {"native_tokens_prompt": rng.randint(200, 4000), "native_tokens_completion": rng.randint(20, 900)}
            record = fake.add_generation(model=model, provider_name=rng.choice(providers), total_cost=cost, **tokens)
            ids.append(record["id"])
        fake.script(ids[1], Reply(429, headers={"Retry-After": "1"}))  # rate limited, then served
        fake.script(ids[2], Reply(404), Reply(404))  # not queryable yet, then found: --wait
        wanted = [*ids[:6], "gen-1234567890-doesnotexist"]
        path = pathlib.Path(tmp, "ids.txt")
        path.write_text("# a day's generations\n" + "\n".join(wanted) + "\n")

        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENROUTER")}
        env["OPENROUTER_API_KEY"] = fake.api_key
        common = ["--server-url", fake.server_url, "--cache", "cache.db"]
        print(f"fake OpenRouter on {fake.url}: {len(ids)} generations; {ids[1]} answers 429 first, {ids[2]} 404 twice")
        command(script, "get", ids[0], *common, env=env, cwd=tmp)
        print()
        status = command(
            script, "costs", path.name, "--format", "table", "--wait", "3", "-v", *common, env=env, cwd=tmp
        )
        print(f"exit status {status}: one id was not found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
