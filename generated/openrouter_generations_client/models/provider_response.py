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
    """One attempt at one provider.

    Attributes:
        status (int | None): The HTTP status the provider answered with.
        id (str | Unset): The provider's id for the attempt.
        endpoint_id (str | Unset): OpenRouter's id for the provider endpoint.
        model_permaslug (str | Unset): The exact model version the endpoint serves.
        provider_name (str | Unset): The provider. A plain string, not an enum, since providers are added weekly.
        latency (float | Unset): Milliseconds the attempt took.
        is_byok (bool | Unset): Whether the attempt used the caller's own provider key.
        routed_service_tier (RoutedServiceTier | str | Unset): The service tier the attempt was routed to. Open enum.
    """

    status: int | None
    id: str | Unset = UNSET
    endpoint_id: str | Unset = UNSET
    model_permaslug: str | Unset = UNSET
    provider_name: str | Unset = UNSET
    latency: float | Unset = UNSET
    is_byok: bool | Unset = UNSET
    routed_service_tier: RoutedServiceTier | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        status: int | None
        status = self.status

        id = self.id

        endpoint_id = self.endpoint_id

        model_permaslug = self.model_permaslug

        provider_name = self.provider_name

        latency = self.latency

        is_byok = self.is_byok

        routed_service_tier: str | Unset
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

        id = d.pop("id", UNSET)

        endpoint_id = d.pop("endpoint_id", UNSET)

        model_permaslug = d.pop("model_permaslug", UNSET)

        provider_name = d.pop("provider_name", UNSET)

        latency = d.pop("latency", UNSET)

        is_byok = d.pop("is_byok", UNSET)

        def _parse_routed_service_tier(data: object) -> RoutedServiceTier | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                routed_service_tier_type_0 = RoutedServiceTier(data)

                return routed_service_tier_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(RoutedServiceTier | str | Unset, data)

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
