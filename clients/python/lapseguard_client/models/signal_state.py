from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.signal import Signal

T = TypeVar("T", bound="SignalState")


@_attrs_define
class SignalState:
    """A signal kept on a domain's status.

    Attributes:
        evidence (str): What showed it, in a few words: the nameserver that matched, the registrar IDs or
            handles before and after, the transfer's date. Example: nameserver ns1.dan.com.
        signal (Signal): A fact about a domain beside its lifecycle. Stable strings (the API, the store and
            `LAPSEGUARD_SIGNAL_POLICY` use them).
        since (datetime.datetime): When it began (see the table in docs/integrating.md: an event's date, or the first
            observation that saw a state, continuously since).
    """

    evidence: str
    signal: Signal
    since: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        evidence = self.evidence

        signal = self.signal.value

        since = self.since.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "evidence": evidence,
                "signal": signal,
                "since": since,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        evidence = d.pop("evidence")

        signal = Signal(d.pop("signal"))

        since = datetime.datetime.fromisoformat(d.pop("since"))

        signal_state = cls(
            evidence=evidence,
            signal=signal,
            since=since,
        )

        signal_state.additional_properties = d
        return signal_state

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
