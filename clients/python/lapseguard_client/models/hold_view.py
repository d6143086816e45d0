from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="HoldView")


@_attrs_define
class HoldView:
    """A host whose lapses are held: more of its domains left `active` within an hour than
    the guard lets through (`LAPSEGUARD_MASS_CHANGE_LIMIT`, or 1% of the host's domains).
    Checks still answer from what was observed; transitions and webhooks wait.

        Attributes:
            domains (int): Domains they concern.
            first_observed_at (datetime.datetime | None): When the oldest held transition was observed.
            host (str): The upstream host (`name:port`) whose answers made the held transitions.
            last_observed_at (datetime.datetime | None): When the newest held transition was observed.
            sample (list[str]): Up to 10 held domains, by name, to judge the hold by.
            since (datetime.datetime): When the hold opened.
            transitions (int): Transitions held.
    """

    domains: int
    first_observed_at: datetime.datetime | None
    host: str
    last_observed_at: datetime.datetime | None
    sample: list[str]
    since: datetime.datetime
    transitions: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        domains = self.domains

        first_observed_at: None | str
        if isinstance(self.first_observed_at, datetime.datetime):
            first_observed_at = self.first_observed_at.isoformat()
        else:
            first_observed_at = self.first_observed_at

        host = self.host

        last_observed_at: None | str
        if isinstance(self.last_observed_at, datetime.datetime):
            last_observed_at = self.last_observed_at.isoformat()
        else:
            last_observed_at = self.last_observed_at

        sample = self.sample

        since = self.since.isoformat()

        transitions = self.transitions

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "domains": domains,
                "first_observed_at": first_observed_at,
                "host": host,
                "last_observed_at": last_observed_at,
                "sample": sample,
                "since": since,
                "transitions": transitions,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        domains = d.pop("domains")

        def _parse_first_observed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                first_observed_at_type_0 = datetime.datetime.fromisoformat(data)

                return first_observed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        first_observed_at = _parse_first_observed_at(d.pop("first_observed_at"))

        host = d.pop("host")

        def _parse_last_observed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_observed_at_type_0 = datetime.datetime.fromisoformat(data)

                return last_observed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        last_observed_at = _parse_last_observed_at(d.pop("last_observed_at"))

        sample = cast(list[str], d.pop("sample"))

        since = datetime.datetime.fromisoformat(d.pop("since"))

        transitions = d.pop("transitions")

        hold_view = cls(
            domains=domains,
            first_observed_at=first_observed_at,
            host=host,
            last_observed_at=last_observed_at,
            sample=sample,
            since=since,
            transitions=transitions,
        )

        hold_view.additional_properties = d
        return hold_view

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
