from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.audit_action import AuditAction

if TYPE_CHECKING:
    from ..models.audit_item_details import AuditItemDetails


T = TypeVar("T", bound="AuditItem")


@_attrs_define
class AuditItem:
    """One change made through the API or the CLI.

    Attributes:
        action (AuditAction | str):
        actor (str): The token's name; `cli` for the command line; `loopback` in protected mode.
        at (datetime.datetime):
        details (AuditItemDetails): What the action carried: an override's decision and note, a token's scopes, a
            watch call's domains (the first 100) and counts.
        id (int): Only grows.
        target (str): A domain, a token's name, or `N domains` for a batch.
    """

    action: AuditAction | str
    actor: str
    at: datetime.datetime
    details: AuditItemDetails
    id: int
    target: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        action: str
        if isinstance(self.action, AuditAction):
            action = self.action.value
        else:
            action = self.action

        actor = self.actor

        at = self.at.isoformat()

        details = self.details.to_dict()

        id = self.id

        target = self.target

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "action": action,
                "actor": actor,
                "at": at,
                "details": details,
                "id": id,
                "target": target,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.audit_item_details import AuditItemDetails  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_action(data: object) -> AuditAction | str:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                action_type_0 = AuditAction(data)

                return action_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AuditAction | str, data)

        action = _parse_action(d.pop("action"))

        actor = d.pop("actor")

        at = datetime.datetime.fromisoformat(d.pop("at"))

        details = AuditItemDetails.from_dict(d.pop("details"))

        id = d.pop("id")

        target = d.pop("target")

        audit_item = cls(
            action=action,
            actor=actor,
            at=at,
            details=details,
            id=id,
            target=target,
        )

        audit_item.additional_properties = d
        return audit_item

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
