"""A fake OpenRouter for your own tests: real HTTP on 127.0.0.1, or an in-process httpx transport.

    from openrouter_generations.testing import FakeOpenRouter, Reply

    with FakeOpenRouter() as fake:
        rec = fake.add_generation(model="openai/gpt-4o", total_cost=0.0021)
        with fake.client() as client:  # on the fake's virtual clock: retries cost no real time
            assert client.generations.get_generation(id=rec["id"]).data.total_cost == 0.0021

Standard library only (plus httpx, for `transport()`); `import openrouter_generations` does not
import this module. With pytest installed, the `openrouter_fake` fixture yields a started one.
"""

from ._clock import VirtualClock
from ._fake import FakeOpenRouter
from ._records import GENERATION_FIELDS
from ._reply import Reply, Request, error_body
from ._transport import FakeTransport

__all__ = ["GENERATION_FIELDS", "FakeOpenRouter", "FakeTransport", "Reply", "Request", "VirtualClock", "error_body"]
