from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.api_type import ApiType
from ..models.data_region import DataRegion
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.provider_response import ProviderResponse


T = TypeVar("T", bound="Generation")


@_attrs_define
class Generation:
    """One generation's metadata. See the document description for why only some fields are required.

    Attributes:
        id (str): The generation id.
        upstream_id (None | str): The id the provider gave the request.
        total_cost (float): What the generation cost, in USD.
        cache_discount (float | None): USD saved by prompt caching.
        upstream_inference_cost (float | None): USD the provider charged directly (bring-your-own-key requests).
        usage (float): USD counted against the account's usage.
        created_at (datetime.datetime): When the generation was created: an RFC 3339 date-time. The client also reads a
            lower-case `t` or `z`, a leap second (as the last microsecond of its minute) and any number of fractional digits
            (cut to microseconds).
        model (str): The model slug, e.g. `openai/gpt-4o`.
        app_id (int | None): The app the request was attributed to.
        streamed (bool | None): Whether the response was streamed.
        cancelled (bool | None): Whether the caller cancelled the generation.
        is_byok (bool): Whether the request used the caller's own provider key.
        provider_name (None | str): The provider that served the generation.
        latency (float | None): Milliseconds to the first token.
        moderation_latency (float | None): Milliseconds spent in moderation.
        generation_time (float | None): Milliseconds spent generating.
        finish_reason (None | str): Why generation stopped, normalized by OpenRouter.
        native_finish_reason (None | str): Why generation stopped, as the provider said it.
        tokens_prompt (int | None): Prompt tokens, counted by OpenRouter's normalizing tokenizer.
        tokens_completion (int | None): Completion tokens, counted by OpenRouter's normalizing tokenizer.
        native_tokens_prompt (int | None): Prompt tokens as the provider billed them.
        native_tokens_completion (int | None): Completion tokens as the provider billed them.
        native_tokens_reasoning (int | None): Reasoning tokens, as the provider billed them.
        num_media_prompt (int | None): Media items in the prompt.
        num_media_completion (int | None): Media items in the completion.
        num_search_results (int | None): Web search results used.
        origin (str): The origin the request came from.
        native_tokens_completion_images (int | None | Unset): Image tokens in the completion, as the provider billed
            them. Not in the oldest bodies.
        native_tokens_cached (int | None | Unset): Prompt tokens read from the provider's cache. Not in the oldest
            bodies.
        num_input_audio_prompt (int | None | Unset): Audio inputs in the prompt. Added after 2025-09.
        num_fetches (int | None | Unset): Web pages fetched. Added after 2025-09.
        web_search_engine (None | str | Unset): The web search engine used, e.g. `exa`. Added after 2025-09.
        external_user (None | str | Unset): The caller's own user identifier, as sent with the request. Not in the
            oldest bodies.
        api_type (ApiType | None | str | Unset): Which API served the generation. Open enum: an unknown value arrives as
            a plain string. Not in the oldest bodies.
        preset_id (None | str | Unset): The preset used. Added after 2025-09.
        router (None | str | Unset): The router that picked the model. Added after 2025-09.
        service_tier (None | str | Unset): The service tier requested. Added after 2025-09.
        user_agent (None | str | Unset): The caller's User-Agent. Added after 2025-09.
        http_referer (None | str | Unset): The caller's HTTP-Referer. Added after 2025-09.
        workspace_id (None | str | Unset): The workspace the request belongs to. Added after 2025-09.
        data_region (DataRegion | None | str | Unset): Where the request's data was processed. Open enum: an unknown
            value arrives as a plain string. Added after 2025-09.
        provider_responses (list[ProviderResponse] | None | Unset): One entry per provider attempt, fallbacks included.
            Added after 2025-09.
        request_id (None | str | Unset): The request's id. Added after 2025-09; not always sent.
        session_id (None | str | Unset): The session the caller grouped the request into. Added after 2025-09; not
            always sent.
        response_cache_source_id (None | str | Unset): The generation whose cached response was served, if any. Added
            after 2025-09; not always sent.
    """

    id: str
    upstream_id: None | str
    total_cost: float
    cache_discount: float | None
    upstream_inference_cost: float | None
    usage: float
    created_at: datetime.datetime
    model: str
    app_id: int | None
    streamed: bool | None
    cancelled: bool | None
    is_byok: bool
    provider_name: None | str
    latency: float | None
    moderation_latency: float | None
    generation_time: float | None
    finish_reason: None | str
    native_finish_reason: None | str
    tokens_prompt: int | None
    tokens_completion: int | None
    native_tokens_prompt: int | None
    native_tokens_completion: int | None
    native_tokens_reasoning: int | None
    num_media_prompt: int | None
    num_media_completion: int | None
    num_search_results: int | None
    origin: str
    native_tokens_completion_images: int | None | Unset = UNSET
    native_tokens_cached: int | None | Unset = UNSET
    num_input_audio_prompt: int | None | Unset = UNSET
    num_fetches: int | None | Unset = UNSET
    web_search_engine: None | str | Unset = UNSET
    external_user: None | str | Unset = UNSET
    api_type: ApiType | None | str | Unset = UNSET
    preset_id: None | str | Unset = UNSET
    router: None | str | Unset = UNSET
    service_tier: None | str | Unset = UNSET
    user_agent: None | str | Unset = UNSET
    http_referer: None | str | Unset = UNSET
    workspace_id: None | str | Unset = UNSET
    data_region: DataRegion | None | str | Unset = UNSET
    provider_responses: list[ProviderResponse] | None | Unset = UNSET
    request_id: None | str | Unset = UNSET
    session_id: None | str | Unset = UNSET
    response_cache_source_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        upstream_id: None | str
        upstream_id = self.upstream_id

        total_cost = self.total_cost

        cache_discount: float | None
        cache_discount = self.cache_discount

        upstream_inference_cost: float | None
        upstream_inference_cost = self.upstream_inference_cost

        usage = self.usage

        created_at = self.created_at.isoformat()

        model = self.model

        app_id: int | None
        app_id = self.app_id

        streamed: bool | None
        streamed = self.streamed

        cancelled: bool | None
        cancelled = self.cancelled

        is_byok = self.is_byok

        provider_name: None | str
        provider_name = self.provider_name

        latency: float | None
        latency = self.latency

        moderation_latency: float | None
        moderation_latency = self.moderation_latency

        generation_time: float | None
        generation_time = self.generation_time

        finish_reason: None | str
        finish_reason = self.finish_reason

        native_finish_reason: None | str
        native_finish_reason = self.native_finish_reason

        tokens_prompt: int | None
        tokens_prompt = self.tokens_prompt

        tokens_completion: int | None
        tokens_completion = self.tokens_completion

        native_tokens_prompt: int | None
        native_tokens_prompt = self.native_tokens_prompt

        native_tokens_completion: int | None
        native_tokens_completion = self.native_tokens_completion

        native_tokens_reasoning: int | None
        native_tokens_reasoning = self.native_tokens_reasoning

        num_media_prompt: int | None
        num_media_prompt = self.num_media_prompt

        num_media_completion: int | None
        num_media_completion = self.num_media_completion

        num_search_results: int | None
        num_search_results = self.num_search_results

        origin = self.origin

        native_tokens_completion_images: int | None | Unset
        if isinstance(self.native_tokens_completion_images, Unset):
            native_tokens_completion_images = UNSET
        else:
            native_tokens_completion_images = self.native_tokens_completion_images

        native_tokens_cached: int | None | Unset
        if isinstance(self.native_tokens_cached, Unset):
            native_tokens_cached = UNSET
        else:
            native_tokens_cached = self.native_tokens_cached

        num_input_audio_prompt: int | None | Unset
        if isinstance(self.num_input_audio_prompt, Unset):
            num_input_audio_prompt = UNSET
        else:
            num_input_audio_prompt = self.num_input_audio_prompt

        num_fetches: int | None | Unset
        if isinstance(self.num_fetches, Unset):
            num_fetches = UNSET
        else:
            num_fetches = self.num_fetches

        web_search_engine: None | str | Unset
        if isinstance(self.web_search_engine, Unset):
            web_search_engine = UNSET
        else:
            web_search_engine = self.web_search_engine

        external_user: None | str | Unset
        if isinstance(self.external_user, Unset):
            external_user = UNSET
        else:
            external_user = self.external_user

        api_type: None | str | Unset
        if isinstance(self.api_type, Unset):
            api_type = UNSET
        elif isinstance(self.api_type, ApiType):
            api_type = self.api_type.value
        else:
            api_type = self.api_type

        preset_id: None | str | Unset
        if isinstance(self.preset_id, Unset):
            preset_id = UNSET
        else:
            preset_id = self.preset_id

        router: None | str | Unset
        if isinstance(self.router, Unset):
            router = UNSET
        else:
            router = self.router

        service_tier: None | str | Unset
        if isinstance(self.service_tier, Unset):
            service_tier = UNSET
        else:
            service_tier = self.service_tier

        user_agent: None | str | Unset
        if isinstance(self.user_agent, Unset):
            user_agent = UNSET
        else:
            user_agent = self.user_agent

        http_referer: None | str | Unset
        if isinstance(self.http_referer, Unset):
            http_referer = UNSET
        else:
            http_referer = self.http_referer

        workspace_id: None | str | Unset
        if isinstance(self.workspace_id, Unset):
            workspace_id = UNSET
        else:
            workspace_id = self.workspace_id

        data_region: None | str | Unset
        if isinstance(self.data_region, Unset):
            data_region = UNSET
        elif isinstance(self.data_region, DataRegion):
            data_region = self.data_region.value
        else:
            data_region = self.data_region

        provider_responses: list[dict[str, Any]] | None | Unset
        if isinstance(self.provider_responses, Unset):
            provider_responses = UNSET
        elif isinstance(self.provider_responses, list):
            provider_responses = []
            for provider_responses_type_0_item_data in self.provider_responses:
                provider_responses_type_0_item = provider_responses_type_0_item_data.to_dict()
                provider_responses.append(provider_responses_type_0_item)

        else:
            provider_responses = self.provider_responses

        request_id: None | str | Unset
        if isinstance(self.request_id, Unset):
            request_id = UNSET
        else:
            request_id = self.request_id

        session_id: None | str | Unset
        if isinstance(self.session_id, Unset):
            session_id = UNSET
        else:
            session_id = self.session_id

        response_cache_source_id: None | str | Unset
        if isinstance(self.response_cache_source_id, Unset):
            response_cache_source_id = UNSET
        else:
            response_cache_source_id = self.response_cache_source_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "upstream_id": upstream_id,
                "total_cost": total_cost,
                "cache_discount": cache_discount,
                "upstream_inference_cost": upstream_inference_cost,
                "usage": usage,
                "created_at": created_at,
                "model": model,
                "app_id": app_id,
                "streamed": streamed,
                "cancelled": cancelled,
                "is_byok": is_byok,
                "provider_name": provider_name,
                "latency": latency,
                "moderation_latency": moderation_latency,
                "generation_time": generation_time,
                "finish_reason": finish_reason,
                "native_finish_reason": native_finish_reason,
                "tokens_prompt": tokens_prompt,
                "tokens_completion": tokens_completion,
                "native_tokens_prompt": native_tokens_prompt,
                "native_tokens_completion": native_tokens_completion,
                "native_tokens_reasoning": native_tokens_reasoning,
                "num_media_prompt": num_media_prompt,
                "num_media_completion": num_media_completion,
                "num_search_results": num_search_results,
                "origin": origin,
            }
        )
        if native_tokens_completion_images is not UNSET:
            field_dict["native_tokens_completion_images"] = native_tokens_completion_images
        if native_tokens_cached is not UNSET:
            field_dict["native_tokens_cached"] = native_tokens_cached
        if num_input_audio_prompt is not UNSET:
            field_dict["num_input_audio_prompt"] = num_input_audio_prompt
        if num_fetches is not UNSET:
            field_dict["num_fetches"] = num_fetches
        if web_search_engine is not UNSET:
            field_dict["web_search_engine"] = web_search_engine
        if external_user is not UNSET:
            field_dict["external_user"] = external_user
        if api_type is not UNSET:
            field_dict["api_type"] = api_type
        if preset_id is not UNSET:
            field_dict["preset_id"] = preset_id
        if router is not UNSET:
            field_dict["router"] = router
        if service_tier is not UNSET:
            field_dict["service_tier"] = service_tier
        if user_agent is not UNSET:
            field_dict["user_agent"] = user_agent
        if http_referer is not UNSET:
            field_dict["http_referer"] = http_referer
        if workspace_id is not UNSET:
            field_dict["workspace_id"] = workspace_id
        if data_region is not UNSET:
            field_dict["data_region"] = data_region
        if provider_responses is not UNSET:
            field_dict["provider_responses"] = provider_responses
        if request_id is not UNSET:
            field_dict["request_id"] = request_id
        if session_id is not UNSET:
            field_dict["session_id"] = session_id
        if response_cache_source_id is not UNSET:
            field_dict["response_cache_source_id"] = response_cache_source_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.provider_response import ProviderResponse  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        def _parse_upstream_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        upstream_id = _parse_upstream_id(d.pop("upstream_id"))

        total_cost = d.pop("total_cost")

        def _parse_cache_discount(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        cache_discount = _parse_cache_discount(d.pop("cache_discount"))

        def _parse_upstream_inference_cost(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        upstream_inference_cost = _parse_upstream_inference_cost(d.pop("upstream_inference_cost"))

        usage = d.pop("usage")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        model = d.pop("model")

        def _parse_app_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        app_id = _parse_app_id(d.pop("app_id"))

        def _parse_streamed(data: object) -> bool | None:
            if data is None:
                return data
            return cast(bool | None, data)

        streamed = _parse_streamed(d.pop("streamed"))

        def _parse_cancelled(data: object) -> bool | None:
            if data is None:
                return data
            return cast(bool | None, data)

        cancelled = _parse_cancelled(d.pop("cancelled"))

        is_byok = d.pop("is_byok")

        def _parse_provider_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        provider_name = _parse_provider_name(d.pop("provider_name"))

        def _parse_latency(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        latency = _parse_latency(d.pop("latency"))

        def _parse_moderation_latency(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        moderation_latency = _parse_moderation_latency(d.pop("moderation_latency"))

        def _parse_generation_time(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        generation_time = _parse_generation_time(d.pop("generation_time"))

        def _parse_finish_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        finish_reason = _parse_finish_reason(d.pop("finish_reason"))

        def _parse_native_finish_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        native_finish_reason = _parse_native_finish_reason(d.pop("native_finish_reason"))

        def _parse_tokens_prompt(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        tokens_prompt = _parse_tokens_prompt(d.pop("tokens_prompt"))

        def _parse_tokens_completion(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        tokens_completion = _parse_tokens_completion(d.pop("tokens_completion"))

        def _parse_native_tokens_prompt(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        native_tokens_prompt = _parse_native_tokens_prompt(d.pop("native_tokens_prompt"))

        def _parse_native_tokens_completion(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        native_tokens_completion = _parse_native_tokens_completion(d.pop("native_tokens_completion"))

        def _parse_native_tokens_reasoning(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        native_tokens_reasoning = _parse_native_tokens_reasoning(d.pop("native_tokens_reasoning"))

        def _parse_num_media_prompt(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        num_media_prompt = _parse_num_media_prompt(d.pop("num_media_prompt"))

        def _parse_num_media_completion(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        num_media_completion = _parse_num_media_completion(d.pop("num_media_completion"))

        def _parse_num_search_results(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        num_search_results = _parse_num_search_results(d.pop("num_search_results"))

        origin = d.pop("origin")

        def _parse_native_tokens_completion_images(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        native_tokens_completion_images = _parse_native_tokens_completion_images(
            d.pop("native_tokens_completion_images", UNSET)
        )

        def _parse_native_tokens_cached(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        native_tokens_cached = _parse_native_tokens_cached(d.pop("native_tokens_cached", UNSET))

        def _parse_num_input_audio_prompt(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        num_input_audio_prompt = _parse_num_input_audio_prompt(d.pop("num_input_audio_prompt", UNSET))

        def _parse_num_fetches(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        num_fetches = _parse_num_fetches(d.pop("num_fetches", UNSET))

        def _parse_web_search_engine(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        web_search_engine = _parse_web_search_engine(d.pop("web_search_engine", UNSET))

        def _parse_external_user(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        external_user = _parse_external_user(d.pop("external_user", UNSET))

        def _parse_api_type(data: object) -> ApiType | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                api_type_type_0 = ApiType(data)

                return api_type_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ApiType | None | str | Unset, data)

        api_type = _parse_api_type(d.pop("api_type", UNSET))

        def _parse_preset_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        preset_id = _parse_preset_id(d.pop("preset_id", UNSET))

        def _parse_router(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        router = _parse_router(d.pop("router", UNSET))

        def _parse_service_tier(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        service_tier = _parse_service_tier(d.pop("service_tier", UNSET))

        def _parse_user_agent(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        user_agent = _parse_user_agent(d.pop("user_agent", UNSET))

        def _parse_http_referer(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        http_referer = _parse_http_referer(d.pop("http_referer", UNSET))

        def _parse_workspace_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        workspace_id = _parse_workspace_id(d.pop("workspace_id", UNSET))

        def _parse_data_region(data: object) -> DataRegion | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                data_region_type_0 = DataRegion(data)

                return data_region_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DataRegion | None | str | Unset, data)

        data_region = _parse_data_region(d.pop("data_region", UNSET))

        def _parse_provider_responses(data: object) -> list[ProviderResponse] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                provider_responses_type_0 = []
                _provider_responses_type_0 = data
                for provider_responses_type_0_item_data in _provider_responses_type_0:
                    provider_responses_type_0_item = ProviderResponse.from_dict(provider_responses_type_0_item_data)

                    provider_responses_type_0.append(provider_responses_type_0_item)

                return provider_responses_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[ProviderResponse] | None | Unset, data)

        provider_responses = _parse_provider_responses(d.pop("provider_responses", UNSET))

        def _parse_request_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        request_id = _parse_request_id(d.pop("request_id", UNSET))

        def _parse_session_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        session_id = _parse_session_id(d.pop("session_id", UNSET))

        def _parse_response_cache_source_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        response_cache_source_id = _parse_response_cache_source_id(d.pop("response_cache_source_id", UNSET))

        generation = cls(
            id=id,
            upstream_id=upstream_id,
            total_cost=total_cost,
            cache_discount=cache_discount,
            upstream_inference_cost=upstream_inference_cost,
            usage=usage,
            created_at=created_at,
            model=model,
            app_id=app_id,
            streamed=streamed,
            cancelled=cancelled,
            is_byok=is_byok,
            provider_name=provider_name,
            latency=latency,
            moderation_latency=moderation_latency,
            generation_time=generation_time,
            finish_reason=finish_reason,
            native_finish_reason=native_finish_reason,
            tokens_prompt=tokens_prompt,
            tokens_completion=tokens_completion,
            native_tokens_prompt=native_tokens_prompt,
            native_tokens_completion=native_tokens_completion,
            native_tokens_reasoning=native_tokens_reasoning,
            num_media_prompt=num_media_prompt,
            num_media_completion=num_media_completion,
            num_search_results=num_search_results,
            origin=origin,
            native_tokens_completion_images=native_tokens_completion_images,
            native_tokens_cached=native_tokens_cached,
            num_input_audio_prompt=num_input_audio_prompt,
            num_fetches=num_fetches,
            web_search_engine=web_search_engine,
            external_user=external_user,
            api_type=api_type,
            preset_id=preset_id,
            router=router,
            service_tier=service_tier,
            user_agent=user_agent,
            http_referer=http_referer,
            workspace_id=workspace_id,
            data_region=data_region,
            provider_responses=provider_responses,
            request_id=request_id,
            session_id=session_id,
            response_cache_source_id=response_cache_source_id,
        )

        generation.additional_properties = d
        return generation

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
