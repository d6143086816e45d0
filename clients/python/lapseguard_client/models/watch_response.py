from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.rejected_entry import RejectedEntry


T = TypeVar("T", bound="WatchResponse")


@_attrs_define
class WatchResponse:
    """What a watch call did.

    Attributes:
        added (int): Domains newly on the watch list.
        already_watched (int): Valid entries whose domain was already watched (or repeated in this call).
        rejected (list[RejectedEntry]):
    """

    added: int
    already_watched: int
    rejected: list[RejectedEntry]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        added = self.added

        already_watched = self.already_watched

        rejected = []
        for rejected_item_data in self.rejected:
            rejected_item = rejected_item_data.to_dict()
            rejected.append(rejected_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "added": added,
                "already_watched": already_watched,
                "rejected": rejected,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.rejected_entry import RejectedEntry  # noqa: PLC0415

        d = dict(src_dict)
        added = d.pop("added")

        already_watched = d.pop("already_watched")

        rejected = []
        _rejected = d.pop("rejected")
        for rejected_item_data in _rejected:
            rejected_item = RejectedEntry.from_dict(rejected_item_data)

            rejected.append(rejected_item)

        watch_response = cls(
            added=added,
            already_watched=already_watched,
            rejected=rejected,
        )

        watch_response.additional_properties = d
        return watch_response

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
