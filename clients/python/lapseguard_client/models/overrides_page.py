from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.override_view import OverrideView


T = TypeVar("T", bound="OverridesPage")


@_attrs_define
class OverridesPage:
    """A page of overrides, by domain name.

    Attributes:
        next_after (None | str): Pass as `after` for the next page; null when this page is the last.
        overrides (list[OverrideView]):
    """

    next_after: None | str
    overrides: list[OverrideView]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        next_after: None | str
        next_after = self.next_after

        overrides = []
        for overrides_item_data in self.overrides:
            overrides_item = overrides_item_data.to_dict()
            overrides.append(overrides_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "next_after": next_after,
                "overrides": overrides,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.override_view import OverrideView  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_next_after(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        next_after = _parse_next_after(d.pop("next_after"))

        overrides = []
        _overrides = d.pop("overrides")
        for overrides_item_data in _overrides:
            overrides_item = OverrideView.from_dict(overrides_item_data)

            overrides.append(overrides_item)

        overrides_page = cls(
            next_after=next_after,
            overrides=overrides,
        )

        overrides_page.additional_properties = d
        return overrides_page

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
