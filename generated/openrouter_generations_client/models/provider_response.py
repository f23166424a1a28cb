from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.routed_service_tier import RoutedServiceTier
from ..types import UNSET, Unset

T = TypeVar("T", bound="ProviderResponse")


@_attrs_define
class ProviderResponse:
    """One attempt at one provider. Only `status` is always sent; a failed attempt typically lacks `id`. Every other field
    may be absent or null.

        Attributes:
            status (int | None): The HTTP status the provider answered with.
            id (None | str | Unset): The provider's id for the attempt.
            endpoint_id (None | str | Unset): OpenRouter's id for the provider endpoint.
            model_permaslug (None | str | Unset): The exact model version the endpoint serves.
            provider_name (None | str | Unset): The provider. A plain string, not an enum, since providers are added weekly.
            latency (float | None | Unset): Milliseconds the attempt took.
            is_byok (bool | None | Unset): Whether the attempt used the caller's own provider key.
            routed_service_tier (None | RoutedServiceTier | str | Unset): The service tier the attempt was routed to. Open
                enum.
    """

    status: int | None
    id: None | str | Unset = UNSET
    endpoint_id: None | str | Unset = UNSET
    model_permaslug: None | str | Unset = UNSET
    provider_name: None | str | Unset = UNSET
    latency: float | None | Unset = UNSET
    is_byok: bool | None | Unset = UNSET
    routed_service_tier: None | RoutedServiceTier | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        status: int | None
        status = self.status

        id: None | str | Unset
        if isinstance(self.id, Unset):
            id = UNSET
        else:
            id = self.id

        endpoint_id: None | str | Unset
        if isinstance(self.endpoint_id, Unset):
            endpoint_id = UNSET
        else:
            endpoint_id = self.endpoint_id

        model_permaslug: None | str | Unset
        if isinstance(self.model_permaslug, Unset):
            model_permaslug = UNSET
        else:
            model_permaslug = self.model_permaslug

        provider_name: None | str | Unset
        if isinstance(self.provider_name, Unset):
            provider_name = UNSET
        else:
            provider_name = self.provider_name

        latency: float | None | Unset
        if isinstance(self.latency, Unset):
            latency = UNSET
        else:
            latency = self.latency

        is_byok: bool | None | Unset
        if isinstance(self.is_byok, Unset):
            is_byok = UNSET
        else:
            is_byok = self.is_byok

        routed_service_tier: None | str | Unset
        if isinstance(self.routed_service_tier, Unset):
            routed_service_tier = UNSET
        elif isinstance(self.routed_service_tier, RoutedServiceTier):
            routed_service_tier = self.routed_service_tier.value
        else:
            routed_service_tier = self.routed_service_tier

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "status": status,
            }
        )
        if id is not UNSET:
            field_dict["id"] = id
        if endpoint_id is not UNSET:
            field_dict["endpoint_id"] = endpoint_id
        if model_permaslug is not UNSET:
            field_dict["model_permaslug"] = model_permaslug
        if provider_name is not UNSET:
            field_dict["provider_name"] = provider_name
        if latency is not UNSET:
            field_dict["latency"] = latency
        if is_byok is not UNSET:
            field_dict["is_byok"] = is_byok
        if routed_service_tier is not UNSET:
            field_dict["routed_service_tier"] = routed_service_tier

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_status(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        status = _parse_status(d.pop("status"))

        def _parse_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        id = _parse_id(d.pop("id", UNSET))

        def _parse_endpoint_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        endpoint_id = _parse_endpoint_id(d.pop("endpoint_id", UNSET))

        def _parse_model_permaslug(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        model_permaslug = _parse_model_permaslug(d.pop("model_permaslug", UNSET))

        def _parse_provider_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        provider_name = _parse_provider_name(d.pop("provider_name", UNSET))

        def _parse_latency(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        latency = _parse_latency(d.pop("latency", UNSET))

        def _parse_is_byok(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        is_byok = _parse_is_byok(d.pop("is_byok", UNSET))

        def _parse_routed_service_tier(data: object) -> None | RoutedServiceTier | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                routed_service_tier_type_0 = RoutedServiceTier(data)

                return routed_service_tier_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RoutedServiceTier | str | Unset, data)

        routed_service_tier = _parse_routed_service_tier(d.pop("routed_service_tier", UNSET))

        provider_response = cls(
            status=status,
            id=id,
            endpoint_id=endpoint_id,
            model_permaslug=model_permaslug,
            provider_name=provider_name,
            latency=latency,
            is_byok=is_byok,
            routed_service_tier=routed_service_tier,
        )

        provider_response.additional_properties = d
        return provider_response

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
