"""Contains all the data models used in inputs/outputs"""

from .api_type import ApiType
from .data_region import DataRegion
from .error_detail import ErrorDetail
from .error_detail_metadata_type_0 import ErrorDetailMetadataType0
from .error_response import ErrorResponse
from .error_response_openrouter_metadata_type_0 import (
    ErrorResponseOpenrouterMetadataType0,
)
from .generation import Generation
from .get_generation_response import GetGenerationResponse
from .provider_response import ProviderResponse
from .routed_service_tier import RoutedServiceTier

__all__ = (
    "ApiType",
    "DataRegion",
    "ErrorDetail",
    "ErrorDetailMetadataType0",
    "ErrorResponse",
    "ErrorResponseOpenrouterMetadataType0",
    "Generation",
    "GetGenerationResponse",
    "ProviderResponse",
    "RoutedServiceTier",
)
