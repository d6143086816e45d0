from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.transition_item import TransitionItem


T = TypeVar("T", bound="TransitionsPage")


@_attrs_define
class TransitionsPage:
    """A page of the transitions log.

    Attributes:
        next_after (int): Pass as `after` for the next page: the last id here, or the `after` you sent.
        transitions (list[TransitionItem]):
    """

    next_after: int
    transitions: list[TransitionItem]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        next_after = self.next_after

        transitions = []
        for transitions_item_data in self.transitions:
            transitions_item = transitions_item_data.to_dict()
            transitions.append(transitions_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "next_after": next_after,
                "transitions": transitions,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.transition_item import TransitionItem  # noqa: PLC0415

        d = dict(src_dict)
        next_after = d.pop("next_after")

        transitions = []
        _transitions = d.pop("transitions")
        for transitions_item_data in _transitions:
            transitions_item = TransitionItem.from_dict(transitions_item_data)

            transitions.append(transitions_item)

        transitions_page = cls(
            next_after=next_after,
            transitions=transitions,
        )

        transitions_page.additional_properties = d
        return transitions_page

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
