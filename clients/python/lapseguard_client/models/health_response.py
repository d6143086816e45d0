from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.health_status import HealthStatus

T = TypeVar("T", bound="HealthResponse")


@_attrs_define
class HealthResponse:
    """A liveness or readiness answer.

    Attributes:
        degraded (list[str]): `/readyz`: parts that work less well than they should while checks still answer:
            `dns_resolver_untrusted` (the resolver failed its trust probe: its NXDOMAIN
            answers are not taken as lapses; checks rest on the registries). Empty when none.
        status (HealthStatus): What a health route says when it answers 200.
    """

    degraded: list[str]
    status: HealthStatus
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        degraded = self.degraded

        status = self.status.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "degraded": degraded,
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        degraded = cast(list[str], d.pop("degraded"))

        status = HealthStatus(d.pop("status"))

        health_response = cls(
            degraded=degraded,
            status=status,
        )

        health_response.additional_properties = d
        return health_response

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
