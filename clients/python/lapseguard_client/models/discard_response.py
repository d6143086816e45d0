from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="DiscardResponse")


@_attrs_define
class DiscardResponse:
    """What a discard dropped.

    Attributes:
        discarded (int): Held transitions dropped.
        host (str):
        rechecking (int): Domains due for a second look now: what it confirms is published (and may open a
            new hold if the host still answers wrongly).
    """

    discarded: int
    host: str
    rechecking: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        discarded = self.discarded

        host = self.host

        rechecking = self.rechecking

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "discarded": discarded,
                "host": host,
                "rechecking": rechecking,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        discarded = d.pop("discarded")

        host = d.pop("host")

        rechecking = d.pop("rechecking")

        discard_response = cls(
            discarded=discarded,
            host=host,
            rechecking=rechecking,
        )

        discard_response.additional_properties = d
        return discard_response

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
