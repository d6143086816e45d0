from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ReleaseResponse")


@_attrs_define
class ReleaseResponse:
    """What a release published.

    Attributes:
        first_id (int | None): The first and last of their ids, when any were published.
        host (str):
        last_id (int | None):
        published (int): Transitions published (new ids at the end of the log, in the order they were held).
    """

    first_id: int | None
    host: str
    last_id: int | None
    published: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        first_id: int | None
        first_id = self.first_id

        host = self.host

        last_id: int | None
        last_id = self.last_id

        published = self.published

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "first_id": first_id,
                "host": host,
                "last_id": last_id,
                "published": published,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_first_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        first_id = _parse_first_id(d.pop("first_id"))

        host = d.pop("host")

        def _parse_last_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        last_id = _parse_last_id(d.pop("last_id"))

        published = d.pop("published")

        release_response = cls(
            first_id=first_id,
            host=host,
            last_id=last_id,
            published=published,
        )

        release_response.additional_properties = d
        return release_response

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
