from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.evidence_source import EvidenceSource
from ..models.lifecycle import Lifecycle

if TYPE_CHECKING:
    from ..models.observation_item import ObservationItem
    from ..models.signal_state import SignalState


T = TypeVar("T", bound="DomainView")


@_attrs_define
class DomainView:
    """Everything lapseguard knows about one domain.

    Attributes:
        checked_at (datetime.datetime | None):
        delegated (bool | None): Whether the name was in DNS at the latest DNS look (null before one, or when not
            watched).
        domain (str):
        evidence (EvidenceSource | None): The source of the status: `rdap`, `fastly` or `dns`; null while none is known.
        expires_at (datetime.datetime | None):
        failures (int): Failed lookups in a row.
        first_registered_at (datetime.datetime | None): The first registration date lapseguard recorded.
        last_lapse_at (datetime.datetime | None):
        lifecycle (Lifecycle | str): `unknown` until a lookup succeeds.
        nameservers (list[str]): The NS host set seen then (empty when undelegated or NODATA).
        next_check_at (datetime.datetime | None): When the scheduler looks again (null when not watched).
        next_dns_check_at (datetime.datetime | None): When the delegation sweep asks DNS next (null when not watched).
        observations (list[ObservationItem]): The latest lookups, newest first.
        registered_at (datetime.datetime | None):
        signals (list[SignalState]): Every ownership signal that holds now, with when it began (a check lists only
            those after its `verified_at`).
        statuses (list[str]):
        watched (bool): Whether the background refresh watches it.
    """

    checked_at: datetime.datetime | None
    delegated: bool | None
    domain: str
    evidence: EvidenceSource | None
    expires_at: datetime.datetime | None
    failures: int
    first_registered_at: datetime.datetime | None
    last_lapse_at: datetime.datetime | None
    lifecycle: Lifecycle | str
    nameservers: list[str]
    next_check_at: datetime.datetime | None
    next_dns_check_at: datetime.datetime | None
    observations: list[ObservationItem]
    registered_at: datetime.datetime | None
    signals: list[SignalState]
    statuses: list[str]
    watched: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        checked_at: None | str
        if isinstance(self.checked_at, datetime.datetime):
            checked_at = self.checked_at.isoformat()
        else:
            checked_at = self.checked_at

        delegated: bool | None
        delegated = self.delegated

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

        first_registered_at: None | str
        if isinstance(self.first_registered_at, datetime.datetime):
            first_registered_at = self.first_registered_at.isoformat()
        else:
            first_registered_at = self.first_registered_at

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

        nameservers = self.nameservers

        next_check_at: None | str
        if isinstance(self.next_check_at, datetime.datetime):
            next_check_at = self.next_check_at.isoformat()
        else:
            next_check_at = self.next_check_at

        next_dns_check_at: None | str
        if isinstance(self.next_dns_check_at, datetime.datetime):
            next_dns_check_at = self.next_dns_check_at.isoformat()
        else:
            next_dns_check_at = self.next_dns_check_at

        observations = []
        for observations_item_data in self.observations:
            observations_item = observations_item_data.to_dict()
            observations.append(observations_item)

        registered_at: None | str
        if isinstance(self.registered_at, datetime.datetime):
            registered_at = self.registered_at.isoformat()
        else:
            registered_at = self.registered_at

        signals = []
        for signals_item_data in self.signals:
            signals_item = signals_item_data.to_dict()
            signals.append(signals_item)

        statuses = self.statuses

        watched = self.watched

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "checked_at": checked_at,
                "delegated": delegated,
                "domain": domain,
                "evidence": evidence,
                "expires_at": expires_at,
                "failures": failures,
                "first_registered_at": first_registered_at,
                "last_lapse_at": last_lapse_at,
                "lifecycle": lifecycle,
                "nameservers": nameservers,
                "next_check_at": next_check_at,
                "next_dns_check_at": next_dns_check_at,
                "observations": observations,
                "registered_at": registered_at,
                "signals": signals,
                "statuses": statuses,
                "watched": watched,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.observation_item import ObservationItem  # noqa: PLC0415
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

        def _parse_delegated(data: object) -> bool | None:
            if data is None:
                return data
            return cast(bool | None, data)

        delegated = _parse_delegated(d.pop("delegated"))

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

        def _parse_first_registered_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                first_registered_at_type_0 = datetime.datetime.fromisoformat(data)

                return first_registered_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        first_registered_at = _parse_first_registered_at(d.pop("first_registered_at"))

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

        nameservers = cast(list[str], d.pop("nameservers"))

        def _parse_next_check_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_check_at_type_0 = datetime.datetime.fromisoformat(data)

                return next_check_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        next_check_at = _parse_next_check_at(d.pop("next_check_at"))

        def _parse_next_dns_check_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_dns_check_at_type_0 = datetime.datetime.fromisoformat(data)

                return next_dns_check_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        next_dns_check_at = _parse_next_dns_check_at(d.pop("next_dns_check_at"))

        observations = []
        _observations = d.pop("observations")
        for observations_item_data in _observations:
            observations_item = ObservationItem.from_dict(observations_item_data)

            observations.append(observations_item)

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

        statuses = cast(list[str], d.pop("statuses"))

        watched = d.pop("watched")

        domain_view = cls(
            checked_at=checked_at,
            delegated=delegated,
            domain=domain,
            evidence=evidence,
            expires_at=expires_at,
            failures=failures,
            first_registered_at=first_registered_at,
            last_lapse_at=last_lapse_at,
            lifecycle=lifecycle,
            nameservers=nameservers,
            next_check_at=next_check_at,
            next_dns_check_at=next_dns_check_at,
            observations=observations,
            registered_at=registered_at,
            signals=signals,
            statuses=statuses,
            watched=watched,
        )

        domain_view.additional_properties = d
        return domain_view

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
