from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.stats_response_holds import StatsResponseHolds
    from ..models.stats_response_lifecycles import StatsResponseLifecycles


T = TypeVar("T", bound="StatsResponse")


@_attrs_define
class StatsResponse:
    """The state of the watch list, the schedule and webhook delivery.

    Attributes:
        computed_at (datetime.datetime): When these counts were taken (they are shared for up to five seconds).
        dns_resolver_trusted (bool | None): Whether the DNS resolver passed its latest trust probe (its NXDOMAIN answers
            count
            as lapses only then); null before the first probe or with DNS off.
        due (int): Watched domains whose next check is due.
        expiring_30_days (int): Active domains whose expiration date lies in the next 30 days (see
            `GET /v1/domains?expiring_before=`).
        failing (int): Watched domains whose latest lookups failed (one or more in a row).
        holds (StatsResponseHolds): Open holds of the mass-change guard: each held host and how many transitions it
            holds (see `GET /v1/holds`); empty when none.
        lifecycles (StatsResponseLifecycles): Watched domains by lifecycle stage (`unknown` includes never looked up);
            stages
            with none are left out.
        oldest_check_age_seconds (int | None): Seconds since the least recently checked status was looked up.
        oldest_webhook_age_seconds (int | None): Seconds since the oldest undelivered transition was observed.
        overdue (int): Watched domains due for more than an hour: the scheduler is behind.
        scheduler_holder (None | str): The replica that runs the scheduler (its lease holder), null when none does.
        watched (int): Watched domains.
        webhooks_pending (int): Webhook deliveries not yet made.
    """

    computed_at: datetime.datetime
    dns_resolver_trusted: bool | None
    due: int
    expiring_30_days: int
    failing: int
    holds: StatsResponseHolds
    lifecycles: StatsResponseLifecycles
    oldest_check_age_seconds: int | None
    oldest_webhook_age_seconds: int | None
    overdue: int
    scheduler_holder: None | str
    watched: int
    webhooks_pending: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        computed_at = self.computed_at.isoformat()

        dns_resolver_trusted: bool | None
        dns_resolver_trusted = self.dns_resolver_trusted

        due = self.due

        expiring_30_days = self.expiring_30_days

        failing = self.failing

        holds = self.holds.to_dict()

        lifecycles = self.lifecycles.to_dict()

        oldest_check_age_seconds: int | None
        oldest_check_age_seconds = self.oldest_check_age_seconds

        oldest_webhook_age_seconds: int | None
        oldest_webhook_age_seconds = self.oldest_webhook_age_seconds

        overdue = self.overdue

        scheduler_holder: None | str
        scheduler_holder = self.scheduler_holder

        watched = self.watched

        webhooks_pending = self.webhooks_pending

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "computed_at": computed_at,
                "dns_resolver_trusted": dns_resolver_trusted,
                "due": due,
                "expiring_30_days": expiring_30_days,
                "failing": failing,
                "holds": holds,
                "lifecycles": lifecycles,
                "oldest_check_age_seconds": oldest_check_age_seconds,
                "oldest_webhook_age_seconds": oldest_webhook_age_seconds,
                "overdue": overdue,
                "scheduler_holder": scheduler_holder,
                "watched": watched,
                "webhooks_pending": webhooks_pending,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.stats_response_holds import StatsResponseHolds  # noqa: PLC0415
        from ..models.stats_response_lifecycles import StatsResponseLifecycles  # noqa: PLC0415

        d = dict(src_dict)
        computed_at = datetime.datetime.fromisoformat(d.pop("computed_at"))

        def _parse_dns_resolver_trusted(data: object) -> bool | None:
            if data is None:
                return data
            return cast(bool | None, data)

        dns_resolver_trusted = _parse_dns_resolver_trusted(d.pop("dns_resolver_trusted"))

        due = d.pop("due")

        expiring_30_days = d.pop("expiring_30_days")

        failing = d.pop("failing")

        holds = StatsResponseHolds.from_dict(d.pop("holds"))

        lifecycles = StatsResponseLifecycles.from_dict(d.pop("lifecycles"))

        def _parse_oldest_check_age_seconds(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        oldest_check_age_seconds = _parse_oldest_check_age_seconds(d.pop("oldest_check_age_seconds"))

        def _parse_oldest_webhook_age_seconds(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        oldest_webhook_age_seconds = _parse_oldest_webhook_age_seconds(d.pop("oldest_webhook_age_seconds"))

        overdue = d.pop("overdue")

        def _parse_scheduler_holder(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        scheduler_holder = _parse_scheduler_holder(d.pop("scheduler_holder"))

        watched = d.pop("watched")

        webhooks_pending = d.pop("webhooks_pending")

        stats_response = cls(
            computed_at=computed_at,
            dns_resolver_trusted=dns_resolver_trusted,
            due=due,
            expiring_30_days=expiring_30_days,
            failing=failing,
            holds=holds,
            lifecycles=lifecycles,
            oldest_check_age_seconds=oldest_check_age_seconds,
            oldest_webhook_age_seconds=oldest_webhook_age_seconds,
            overdue=overdue,
            scheduler_holder=scheduler_holder,
            watched=watched,
            webhooks_pending=webhooks_pending,
        )

        stats_response.additional_properties = d
        return stats_response

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
