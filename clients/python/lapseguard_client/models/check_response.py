from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.evidence_source import EvidenceSource
from ..models.lifecycle import Lifecycle
from ..models.reason import Reason
from ..models.source import Source

if TYPE_CHECKING:
    from ..models.signal_state import SignalState


T = TypeVar("T", bound="CheckResponse")


@_attrs_define
class CheckResponse:
    """The decision and the status it rests on.

    Attributes:
        checked_at (datetime.datetime | None): When the status was last looked up successfully.
        domain (str): The registrable domain that was looked up. Example: example.com.
        eligible (bool): Whether the caller may send a recovery mail to this address.
        email_domain (str): The normalised part after `@`, in A-labels. Example: mail.example.com.
        evidence (EvidenceSource | None): Which source's observation the status rests on: `rdap`, `fastly` or `dns`;
            null
            when nothing is known.
        expires_at (datetime.datetime | None): The expiration date the registry reports.
        last_lapse_at (datetime.datetime | None): The latest time lapseguard saw this domain in any stage other than
            `active`.
        lifecycle (Lifecycle | str): The domain's lifecycle stage; `unknown` when no status could be had.
        reason (Reason | str): Why; see the reason table in docs/integrating.md.
        registered_at (datetime.datetime | None): The registration date the registry reports.
        signals (list[SignalState]): The ownership signals that hold for the domain (transfers, parking or sale
            nameservers, ...; see docs/integrating.md), each with when it began. Signals from before
            `verified_at` are forgiven and not listed; ignored ones are never listed. Empty
            when none.
        source (Source): Where an answer came from (which source gave the evidence is the response's
            `evidence`).
        stale (bool): True when the status is older than the freshness limit because a live lookup failed.
    """

    checked_at: datetime.datetime | None
    domain: str
    eligible: bool
    email_domain: str
    evidence: EvidenceSource | None
    expires_at: datetime.datetime | None
    last_lapse_at: datetime.datetime | None
    lifecycle: Lifecycle | str
    reason: Reason | str
    registered_at: datetime.datetime | None
    signals: list[SignalState]
    source: Source
    stale: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        checked_at: None | str
        if isinstance(self.checked_at, datetime.datetime):
            checked_at = self.checked_at.isoformat()
        else:
            checked_at = self.checked_at

        domain = self.domain

        eligible = self.eligible

        email_domain = self.email_domain

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

        reason: str
        if isinstance(self.reason, Reason):
            reason = self.reason.value
        else:
            reason = self.reason

        registered_at: None | str
        if isinstance(self.registered_at, datetime.datetime):
            registered_at = self.registered_at.isoformat()
        else:
            registered_at = self.registered_at

        signals = []
        for signals_item_data in self.signals:
            signals_item = signals_item_data.to_dict()
            signals.append(signals_item)

        source = self.source.value

        stale = self.stale

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "checked_at": checked_at,
                "domain": domain,
                "eligible": eligible,
                "email_domain": email_domain,
                "evidence": evidence,
                "expires_at": expires_at,
                "last_lapse_at": last_lapse_at,
                "lifecycle": lifecycle,
                "reason": reason,
                "registered_at": registered_at,
                "signals": signals,
                "source": source,
                "stale": stale,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.signal_state import SignalState  # noqa: PLC0415

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

        eligible = d.pop("eligible")

        email_domain = d.pop("email_domain")

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

        def _parse_reason(data: object) -> Reason | str:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                reason_type_0 = Reason(data)

                return reason_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Reason | str, data)

        reason = _parse_reason(d.pop("reason"))

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
            signals_item = SignalState.from_dict(signals_item_data)

            signals.append(signals_item)

        source = Source(d.pop("source"))

        stale = d.pop("stale")

        check_response = cls(
            checked_at=checked_at,
            domain=domain,
            eligible=eligible,
            email_domain=email_domain,
            evidence=evidence,
            expires_at=expires_at,
            last_lapse_at=last_lapse_at,
            lifecycle=lifecycle,
            reason=reason,
            registered_at=registered_at,
            signals=signals,
            source=source,
            stale=stale,
        )

        check_response.additional_properties = d
        return check_response

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
