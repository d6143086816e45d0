from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.lifecycle import Lifecycle
from ..models.override_decision import OverrideDecision
from ..models.override_state import OverrideState

T = TypeVar("T", bound="OverrideView")


@_attrs_define
class OverrideView:
    """An override, and whether it decides checks now.

    Attributes:
        decision (OverrideDecision): What the agent decided.
        domain (str):
        expires_at (datetime.datetime | None):
        lapsed_at (datetime.datetime | None): When a new lapse began after it was set (an allow only).
        note (str):
        seen_lifecycle (Lifecycle | str): The lifecycle stage the domain showed when the override was set.
        seen_registered_at (datetime.datetime | None): The registration date the domain showed when the override was
            set.
        set_at (datetime.datetime):
        set_by (str): The token name (or `cli`, `loopback`) that set it.
        state (OverrideState): Whether an override decides checks now.
    """

    decision: OverrideDecision
    domain: str
    expires_at: datetime.datetime | None
    lapsed_at: datetime.datetime | None
    note: str
    seen_lifecycle: Lifecycle | str
    seen_registered_at: datetime.datetime | None
    set_at: datetime.datetime
    set_by: str
    state: OverrideState
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        decision = self.decision.value

        domain = self.domain

        expires_at: None | str
        if isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        lapsed_at: None | str
        if isinstance(self.lapsed_at, datetime.datetime):
            lapsed_at = self.lapsed_at.isoformat()
        else:
            lapsed_at = self.lapsed_at

        note = self.note

        seen_lifecycle: str
        if isinstance(self.seen_lifecycle, Lifecycle):
            seen_lifecycle = self.seen_lifecycle.value
        else:
            seen_lifecycle = self.seen_lifecycle

        seen_registered_at: None | str
        if isinstance(self.seen_registered_at, datetime.datetime):
            seen_registered_at = self.seen_registered_at.isoformat()
        else:
            seen_registered_at = self.seen_registered_at

        set_at = self.set_at.isoformat()

        set_by = self.set_by

        state = self.state.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "decision": decision,
                "domain": domain,
                "expires_at": expires_at,
                "lapsed_at": lapsed_at,
                "note": note,
                "seen_lifecycle": seen_lifecycle,
                "seen_registered_at": seen_registered_at,
                "set_at": set_at,
                "set_by": set_by,
                "state": state,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        decision = OverrideDecision(d.pop("decision"))

        domain = d.pop("domain")

        def _parse_expires_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        expires_at = _parse_expires_at(d.pop("expires_at"))

        def _parse_lapsed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                lapsed_at_type_0 = datetime.datetime.fromisoformat(data)

                return lapsed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        lapsed_at = _parse_lapsed_at(d.pop("lapsed_at"))

        note = d.pop("note")

        def _parse_seen_lifecycle(data: object) -> Lifecycle | str:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                seen_lifecycle_type_0 = Lifecycle(data)

                return seen_lifecycle_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Lifecycle | str, data)

        seen_lifecycle = _parse_seen_lifecycle(d.pop("seen_lifecycle"))

        def _parse_seen_registered_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                seen_registered_at_type_0 = datetime.datetime.fromisoformat(data)

                return seen_registered_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        seen_registered_at = _parse_seen_registered_at(d.pop("seen_registered_at"))

        set_at = datetime.datetime.fromisoformat(d.pop("set_at"))

        set_by = d.pop("set_by")

        state = OverrideState(d.pop("state"))

        override_view = cls(
            decision=decision,
            domain=domain,
            expires_at=expires_at,
            lapsed_at=lapsed_at,
            note=note,
            seen_lifecycle=seen_lifecycle,
            seen_registered_at=seen_registered_at,
            set_at=set_at,
            set_by=set_by,
            state=state,
        )

        override_view.additional_properties = d
        return override_view

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
