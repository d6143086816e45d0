"""Calls to lapseguard through the generated client, with the Django settings:
LAPSEGUARD_URL, LAPSEGUARD_TOKEN, LAPSEGUARD_TIMEOUT (seconds). An address is sent to
lapseguard only; it is never logged here."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from lapseguard_client import AuthenticatedClient, Client
from lapseguard_client.api.recovery import check_batch, check_recovery_eligible
from lapseguard_client.models import (
    BatchItem,
    BatchRequest,
    CheckRequest,
    CheckResponse,
    DecidedItem,
    InvalidItem,
)

DEFAULT_TIMEOUT = 2.0
#: The most items lapseguard takes in one batch.
BATCH_SIZE = 1000


class LapseguardError(Exception):
    """lapseguard could not be reached, did not answer in time, or answered an error."""


def _client() -> Client | AuthenticatedClient:
    url = getattr(settings, "LAPSEGUARD_URL", None)
    if not url:
        raise ImproperlyConfigured("set LAPSEGUARD_URL to lapseguard's address")
    timeout = httpx.Timeout(float(getattr(settings, "LAPSEGUARD_TIMEOUT", DEFAULT_TIMEOUT)))
    token = getattr(settings, "LAPSEGUARD_TOKEN", None)
    if token:
        return AuthenticatedClient(base_url=url, token=token, timeout=timeout)
    return Client(base_url=url, timeout=timeout)


def _aware(value: datetime.datetime | datetime.date | str | None) -> datetime.datetime | None:
    """A verification date as an aware date-time (a naive one is in Django's time zone; a
    date is its midnight UTC; a string is read as ISO 8601)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if not isinstance(value, datetime.datetime):
        value = datetime.datetime.combine(value, datetime.time(), tzinfo=datetime.UTC)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _problem(answer) -> str:
    code = getattr(answer.parsed, "code", None)
    return f"lapseguard answered {int(answer.status_code)}" + (f" {code}" if code else "")


def check(email: str, verified_at=None) -> CheckResponse:
    """The decision for one address (`eligible`, `reason`, ...)."""
    body = CheckRequest(email=email, verified_at=_aware(verified_at))
    try:
        answer = check_recovery_eligible.sync_detailed(client=_client(), body=body)
    except httpx.HTTPError as error:
        raise LapseguardError(f"lapseguard could not be asked ({type(error).__name__})") from error
    if isinstance(answer.parsed, CheckResponse):
        return answer.parsed
    raise LapseguardError(_problem(answer))


@dataclass(frozen=True)
class Swept:
    """One address of a batch and what lapseguard said of it: `decision` when decided,
    else `problem` (an invalid address)."""

    email: str
    decision: DecidedItem | None
    problem: InvalidItem | None


def check_many(addresses: Iterable[tuple[str, object]]) -> Iterator[Swept]:
    """Decides `(email, verified_at)` pairs through the batch check, 1,000 at a time, in
    order."""
    chunk: list[tuple[str, object]] = []
    for pair in addresses:
        chunk.append(pair)
        if len(chunk) == BATCH_SIZE:
            yield from _batch(chunk)
            chunk = []
    if chunk:
        yield from _batch(chunk)


def _batch(chunk: list[tuple[str, object]]) -> Iterator[Swept]:
    items = [
        BatchItem(id=str(i), email=email, verified_at=_aware(verified_at))
        for i, (email, verified_at) in enumerate(chunk)
    ]
    try:
        answer = check_batch.sync_detailed(client=_client(), body=BatchRequest(items=items))
    except httpx.HTTPError as error:
        raise LapseguardError(f"lapseguard could not be asked ({type(error).__name__})") from error
    results = getattr(answer.parsed, "results", None)
    if results is None or len(results) != len(chunk):
        raise LapseguardError(_problem(answer))
    for (email, _), result in zip(chunk, results, strict=True):
        if isinstance(result, DecidedItem):
            yield Swept(email=email, decision=result, problem=None)
        else:
            yield Swept(email=email, decision=None, problem=result)
