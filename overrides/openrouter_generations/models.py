"""The response models, as generated from `openapi.yaml` (re-exported, not copied)."""

from openrouter_generations_client.models import *  # noqa: F403
from openrouter_generations_client.models import __all__ as __all__
from openrouter_generations_client.types import UNSET as UNSET
from openrouter_generations_client.types import Unset as Unset
