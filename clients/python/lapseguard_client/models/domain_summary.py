from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.evidence_source import EvidenceSource
from ..models.lifecycle import Lifecycle
from ..models.signal import Signal

T = TypeVar("T", bound="DomainSummary")


@_attrs_define
class DomainSummary:
    """A watched domain and its current status.

    Attributes:
        checked_at (datetime.datetime | None): When the status was last looked up successfully.
        domain (str):
        evidence (EvidenceSource | None): The source of the status; null while none is known.
        expires_at (datetime.datetime | None):
        failures (int): Failed lookups in a row.
        last_lapse_at (datetime.datetime | None):
        lifecycle (Lifecycle | str): `unknown` until a lookup succeeds.
        next_check_at (datetime.datetime):
        registered_at (datetime.datetime | None):
        signals (list[Signal]): The ownership signals that hold now (see the domain's view for when each began).
    """

    checked_at: datetime.datetime | None
    domain: str
    evidence: EvidenceSource | None
    expires_at: datetime.datetime | None
    failures: int
    last_lapse_at: datetime.datetime | None
    lifecycle: Lifecycle | str
    next_check_at: datetime.datetime
    registered_at: datetime.datetime | None
    signals: list[Signal]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        checked_at: None | str
        if isinstance(self.checked_at, datetime.datetime):
            checked_at = self.checked_at.isoformat()
        else:
            checked_at = self.checked_at

        domain = self.domain

        evidence: None | str
        if isinstance(self.evidence, EvidenceSource):
            evidence = self.evidence.value
        else:
            evidence = self.evidence

        expires_at: None | str
        if isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        failures = self.failures

        last_lapse_at: None | str
        if isinstance(self.last_lapse_at, datetime.datetime):
            last_lapse_at = self.last_lapse_at.isoformat()
        else:
            last_lapse_at = self.last_lapse_at

        lifecycle: str
        if isinstance(self.lifecycle, Lifecycle):
            lifecycle = self.lifecycle.value
        else:
            lifecycle = self.lifecycle

        next_check_at = self.next_check_at.isoformat()

        registered_at: None | str
        if isinstance(self.registered_at, datetime.datetime):
            registered_at = self.registered_at.isoformat()
        else:
            registered_at = self.registered_at

        signals = []
        for signals_item_data in self.signals:
            signals_item = signals_item_data.value
            signals.append(signals_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "checked_at": checked_at,
                "domain": domain,
                "evidence": evidence,
                "expires_at": expires_at,
                "failures": failures,
                "last_lapse_at": last_lapse_at,
                "lifecycle": lifecycle,
                "next_check_at": next_check_at,
                "registered_at": registered_at,
                "signals": signals,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_checked_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                checked_at_type_0 = datetime.datetime.fromisoformat(data)

                return checked_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        checked_at = _parse_checked_at(d.pop("checked_at"))

        domain = d.pop("domain")

        def _parse_evidence(data: object) -> EvidenceSource | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                evidence_type_0 = EvidenceSource(data)

                return evidence_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EvidenceSource | None, data)

        evidence = _parse_evidence(d.pop("evidence"))

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

        failures = d.pop("failures")

        def _parse_last_lapse_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_lapse_at_type_0 = datetime.datetime.fromisoformat(data)

                return last_lapse_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        last_lapse_at = _parse_last_lapse_at(d.pop("last_lapse_at"))

        def _parse_lifecycle(data: object) -> Lifecycle | str:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                lifecycle_type_0 = Lifecycle(data)

                return lifecycle_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Lifecycle | str, data)

        lifecycle = _parse_lifecycle(d.pop("lifecycle"))

        next_check_at = datetime.datetime.fromisoformat(d.pop("next_check_at"))

        def _parse_registered_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                registered_at_type_0 = datetime.datetime.fromisoformat(data)

                return registered_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        registered_at = _parse_registered_at(d.pop("registered_at"))

        signals = []
        _signals = d.pop("signals")
        for signals_item_data in _signals:
            signals_item = Signal(signals_item_data)

            signals.append(signals_item)

        domain_summary = cls(
            checked_at=checked_at,
            domain=domain,
            evidence=evidence,
            expires_at=expires_at,
            failures=failures,
            last_lapse_at=last_lapse_at,
            lifecycle=lifecycle,
            next_check_at=next_check_at,
            registered_at=registered_at,
            signals=signals,
        )

        domain_summary.additional_properties = d
        return domain_summary

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
