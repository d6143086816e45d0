from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.evidence_source import EvidenceSource
from ..models.lifecycle import Lifecycle
from ..models.outcome import Outcome

T = TypeVar("T", bound="ObservationItem")


@_attrs_define
class ObservationItem:
    """One lookup, as kept in the history.

    Attributes:
        error (None | str): For a failed lookup: `timeout`, `upstream_status`, `malformed`, `too_large`, ...
        expires_at (datetime.datetime | None):
        http_status (int | None):
        last_observed_at (datetime.datetime): The latest time this observation was made (`observed_at` without repeats).
        lifecycle (Lifecycle | None | str): The lifecycle it showed; null for a failed lookup.
        mail (bool | None): DNS rows: whether the domain publishes MX records (null when unknown).
        nameservers (list[str] | None): DNS rows: the NS host set (empty for NODATA and NXDOMAIN); null for other
            sources.
        observed_at (datetime.datetime):
        outcome (Outcome): What a lookup found, in a word: the history's `outcome`. A closed set.
        registered_at (datetime.datetime | None):
        repeats (int): For a failed lookup: how many more times the same failure was seen after
            `observed_at` (repeats are counted, not stored one row each).
        source (EvidenceSource): Where an observation's evidence came from. Stable strings, kept in the history.
        statuses (list[str]): Normalised RDAP status values, or Fastly's flags.
        unreadable_dates (list[str]): Event actions (`registration`, `expiration`, ...) whose date the server sent in a
            form lapseguard cannot read. An unreadable registration or expiration date keeps
            the lifecycle at `unknown`.
    """

    error: None | str
    expires_at: datetime.datetime | None
    http_status: int | None
    last_observed_at: datetime.datetime
    lifecycle: Lifecycle | None | str
    mail: bool | None
    nameservers: list[str] | None
    observed_at: datetime.datetime
    outcome: Outcome
    registered_at: datetime.datetime | None
    repeats: int
    source: EvidenceSource
    statuses: list[str]
    unreadable_dates: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        error: None | str
        error = self.error

        expires_at: None | str
        if isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        http_status: int | None
        http_status = self.http_status

        last_observed_at = self.last_observed_at.isoformat()

        lifecycle: None | str
        if isinstance(self.lifecycle, Lifecycle):
            lifecycle = self.lifecycle.value
        else:
            lifecycle = self.lifecycle

        mail: bool | None
        mail = self.mail

        nameservers: list[str] | None
        if isinstance(self.nameservers, list):
            nameservers = self.nameservers

        else:
            nameservers = self.nameservers

        observed_at = self.observed_at.isoformat()

        outcome = self.outcome.value

        registered_at: None | str
        if isinstance(self.registered_at, datetime.datetime):
            registered_at = self.registered_at.isoformat()
        else:
            registered_at = self.registered_at

        repeats = self.repeats

        source = self.source.value

        statuses = self.statuses

        unreadable_dates = self.unreadable_dates

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "error": error,
                "expires_at": expires_at,
                "http_status": http_status,
                "last_observed_at": last_observed_at,
                "lifecycle": lifecycle,
                "mail": mail,
                "nameservers": nameservers,
                "observed_at": observed_at,
                "outcome": outcome,
                "registered_at": registered_at,
                "repeats": repeats,
                "source": source,
                "statuses": statuses,
                "unreadable_dates": unreadable_dates,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

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

        def _parse_http_status(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        http_status = _parse_http_status(d.pop("http_status"))

        last_observed_at = datetime.datetime.fromisoformat(d.pop("last_observed_at"))

        def _parse_lifecycle(data: object) -> Lifecycle | None | str:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                lifecycle_type_0 = Lifecycle(data)

                return lifecycle_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Lifecycle | None | str, data)

        lifecycle = _parse_lifecycle(d.pop("lifecycle"))

        def _parse_mail(data: object) -> bool | None:
            if data is None:
                return data
            return cast(bool | None, data)

        mail = _parse_mail(d.pop("mail"))

        def _parse_nameservers(data: object) -> list[str] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                nameservers_type_0 = cast(list[str], data)

                return nameservers_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None, data)

        nameservers = _parse_nameservers(d.pop("nameservers"))

        observed_at = datetime.datetime.fromisoformat(d.pop("observed_at"))

        outcome = Outcome(d.pop("outcome"))

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

        repeats = d.pop("repeats")

        source = EvidenceSource(d.pop("source"))

        statuses = cast(list[str], d.pop("statuses"))

        unreadable_dates = cast(list[str], d.pop("unreadable_dates"))

        observation_item = cls(
            error=error,
            expires_at=expires_at,
            http_status=http_status,
            last_observed_at=last_observed_at,
            lifecycle=lifecycle,
            mail=mail,
            nameservers=nameservers,
            observed_at=observed_at,
            outcome=outcome,
            registered_at=registered_at,
            repeats=repeats,
            source=source,
            statuses=statuses,
            unreadable_dates=unreadable_dates,
        )

        observation_item.additional_properties = d
        return observation_item

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
