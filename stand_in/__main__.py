"""`python -m stand_in [PORT]`: serve the stand-in until interrupted."""

import sys
import time

from .server import EXAMPLE_ID, StandIn

with StandIn(port=int(sys.argv[1]) if len(sys.argv) > 1 else 0) as server:
    print(f"stand-in OpenRouter at {server.url}/generation?id={EXAMPLE_ID} (Ctrl-C to stop)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
