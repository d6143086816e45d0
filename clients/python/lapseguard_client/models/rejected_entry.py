from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.watch_field import WatchField

T = TypeVar("T", bound="RejectedEntry")


@_attrs_define
class RejectedEntry:
    """An entry that could not be watched.

    Attributes:
        code (str): Why, as in the 422 problem codes (`email_missing_at`, `domain_unknown_suffix`, ...).
        field (WatchField): The list of a watch request an entry came from.
        input_index (int): Its position in that list, from 0.
    """

    code: str
    field: WatchField
    input_index: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        field = self.field.value

        input_index = self.input_index

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "field": field,
                "input_index": input_index,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code")

        field = WatchField(d.pop("field"))

        input_index = d.pop("input_index")

        rejected_entry = cls(
            code=code,
            field=field,
            input_index=input_index,
        )

        rejected_entry.additional_properties = d
        return rejected_entry

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
