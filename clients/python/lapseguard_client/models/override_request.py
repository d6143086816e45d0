from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.override_decision import OverrideDecision
from ..types import UNSET, Unset

T = TypeVar("T", bound="OverrideRequest")


@_attrs_define
class OverrideRequest:
    """An agent's decision for a domain.

    Attributes:
        decision (OverrideDecision): What the agent decided.
        note (str): Why the agent acted (a ticket, what was confirmed). Required; never shown to check
            callers. Must not hold an email address. Example: ticket 4411: owner confirmed by phone.
        expires_at (datetime.datetime | None | Unset): When the override stops applying (RFC 3339, in the future); none:
            until removed.
    """

    decision: OverrideDecision
    note: str
    expires_at: datetime.datetime | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        decision = self.decision.value

        note = self.note

        expires_at: None | str | Unset
        if isinstance(self.expires_at, Unset):
            expires_at = UNSET
        elif isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "decision": decision,
                "note": note,
            }
        )
        if expires_at is not UNSET:
            field_dict["expires_at"] = expires_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        decision = OverrideDecision(d.pop("decision"))

        note = d.pop("note")

        def _parse_expires_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        expires_at = _parse_expires_at(d.pop("expires_at", UNSET))

        override_request = cls(
            decision=decision,
            note=note,
            expires_at=expires_at,
        )

        return override_request
