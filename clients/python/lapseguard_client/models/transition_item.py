from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.change import Change
from ..models.evidence_source import EvidenceSource
from ..models.lifecycle import Lifecycle
from ..models.signal import Signal
from ..models.transition_kind import TransitionKind

T = TypeVar("T", bound="TransitionItem")


@_attrs_define
class TransitionItem:
    """One published change: of a domain's lifecycle or registration date (`kind:
    lifecycle`), of its ownership signals (`kind: signal`), or an expiration date coming
    near (`kind: expiry_notice`). Also the body of each webhook, with `type` added.

        Attributes:
            change (Change | None): `kind: signal`: `appeared` (confirmed by a second look) or `gone`.
            days_left (int | None): `kind: expiry_notice`: whole days left until `expires_at` (rounded up).
            domain (str):
            expires_at (datetime.datetime | None):
            from_ (Lifecycle | str): The lifecycle before; `unknown` for the first observation of a lapsed domain.
            id (int): Only grows: resume after the last id you saw.
            kind (TransitionKind): What a transition is about.
            observed_at (datetime.datetime): When the lookup that published it was made.
            registered_at (datetime.datetime | None):
            signal (None | Signal): `kind: signal`: the signal; null for a lifecycle transition.
            since (datetime.datetime | None): `kind: signal`: the signal's `since`.
            source (EvidenceSource): Where an observation's evidence came from. Stable strings, kept in the history.
            threshold_days (int | None): `kind: expiry_notice`: the threshold crossed, one of
                `LAPSEGUARD_EXPIRY_NOTICE_DAYS` (by default 30 or 7).
            to (Lifecycle | str):
    """

    change: Change | None
    days_left: int | None
    domain: str
    expires_at: datetime.datetime | None
    from_: Lifecycle | str
    id: int
    kind: TransitionKind
    observed_at: datetime.datetime
    registered_at: datetime.datetime | None
    signal: None | Signal
    since: datetime.datetime | None
    source: EvidenceSource
    threshold_days: int | None
    to: Lifecycle | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        change: None | str
        if isinstance(self.change, Change):
            change = self.change.value
        else:
            change = self.change

        days_left: int | None
        days_left = self.days_left

        domain = self.domain

        expires_at: None | str
        if isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        from_: str
        if isinstance(self.from_, Lifecycle):
            from_ = self.from_.value
        else:
            from_ = self.from_

        id = self.id

        kind = self.kind.value

        observed_at = self.observed_at.isoformat()

        registered_at: None | str
        if isinstance(self.registered_at, datetime.datetime):
            registered_at = self.registered_at.isoformat()
        else:
            registered_at = self.registered_at

        signal: None | str
        if isinstance(self.signal, Signal):
            signal = self.signal.value
        else:
            signal = self.signal

        since: None | str
        if isinstance(self.since, datetime.datetime):
            since = self.since.isoformat()
        else:
            since = self.since

        source = self.source.value

        threshold_days: int | None
        threshold_days = self.threshold_days

        to: str
        if isinstance(self.to, Lifecycle):
            to = self.to.value
        else:
            to = self.to

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "change": change,
                "days_left": days_left,
                "domain": domain,
                "expires_at": expires_at,
                "from": from_,
                "id": id,
                "kind": kind,
                "observed_at": observed_at,
                "registered_at": registered_at,
                "signal": signal,
                "since": since,
                "source": source,
                "threshold_days": threshold_days,
                "to": to,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_change(data: object) -> Change | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                change_type_0 = Change(data)

                return change_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Change | None, data)

        change = _parse_change(d.pop("change"))

        def _parse_days_left(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        days_left = _parse_days_left(d.pop("days_left"))

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

        def _parse_from_(data: object) -> Lifecycle | str:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                from_type_0 = Lifecycle(data)

                return from_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Lifecycle | str, data)

        from_ = _parse_from_(d.pop("from"))

        id = d.pop("id")

        kind = TransitionKind(d.pop("kind"))

        observed_at = datetime.datetime.fromisoformat(d.pop("observed_at"))

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

        def _parse_signal(data: object) -> None | Signal:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                signal_type_0 = Signal(data)

                return signal_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Signal, data)

        signal = _parse_signal(d.pop("signal"))

        def _parse_since(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                since_type_0 = datetime.datetime.fromisoformat(data)

                return since_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        since = _parse_since(d.pop("since"))

        source = EvidenceSource(d.pop("source"))

        def _parse_threshold_days(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        threshold_days = _parse_threshold_days(d.pop("threshold_days"))

        def _parse_to(data: object) -> Lifecycle | str:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                to_type_0 = Lifecycle(data)

                return to_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Lifecycle | str, data)

        to = _parse_to(d.pop("to"))

        transition_item = cls(
            change=change,
            days_left=days_left,
            domain=domain,
            expires_at=expires_at,
            from_=from_,
            id=id,
            kind=kind,
            observed_at=observed_at,
            registered_at=registered_at,
            signal=signal,
            since=since,
            source=source,
            threshold_days=threshold_days,
            to=to,
        )

        transition_item.additional_properties = d
        return transition_item

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
