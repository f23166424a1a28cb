"""A local stand-in for OpenRouter, for the demo and the end-to-end tests (not shipped)."""

from .server import EXAMPLE_BODY, EXAMPLE_ID, Reply, Seen, StandIn, error_body

__all__ = ["EXAMPLE_BODY", "EXAMPLE_ID", "Reply", "Seen", "StandIn", "error_body"]
