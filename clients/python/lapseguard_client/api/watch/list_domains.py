import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...models.domains_page import DomainsPage
from ...models.lifecycle import Lifecycle
from ...models.problem import Problem
from ...models.signal import Signal
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    lifecycle: Lifecycle | Unset = UNSET,
    signal: Signal | Unset = UNSET,
    expiring_before: datetime.datetime | Unset = UNSET,
    q: str | Unset = UNSET,
    after: str | Unset = UNSET,
    limit: int | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_lifecycle: str | Unset = UNSET
    if not isinstance(lifecycle, Unset):
        json_lifecycle = lifecycle.value

    params["lifecycle"] = json_lifecycle

    json_signal: str | Unset = UNSET
    if not isinstance(signal, Unset):
        json_signal = signal.value

    params["signal"] = json_signal

    json_expiring_before: str | Unset = UNSET
    if not isinstance(expiring_before, Unset):
        json_expiring_before = expiring_before.isoformat()
    params["expiring_before"] = json_expiring_before

    params["q"] = q

    params["after"] = after

    params["limit"] = limit

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/domains",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> DomainsPage | Problem:
    if response.status_code == 200:
        response_200 = DomainsPage.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    response_default = Problem.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[DomainsPage | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    lifecycle: Lifecycle | Unset = UNSET,
    signal: Signal | Unset = UNSET,
    expiring_before: datetime.datetime | Unset = UNSET,
    q: str | Unset = UNSET,
    after: str | Unset = UNSET,
    limit: int | Unset = UNSET,
) -> Response[DomainsPage | Problem]:
    """List watched domains with their status, by name, filtered by lifecycle, signal,
    expiration date and prefix.

     Pages are keyset-paginated: follow `next_after` until it is null. A domain added or
    removed while paging appears or not, but no other domain is skipped or repeated.

    Scope: `read` (or `admin`).

    Args:
        lifecycle (Lifecycle | Unset): Where a registrable domain stands in the registration
            lifecycle.
        signal (Signal | Unset): A fact about a domain beside its lifecycle. Stable strings (the
            API, the store and
            `LAPSEGUARD_SIGNAL_POLICY` use them).
        expiring_before (datetime.datetime | Unset):
        q (str | Unset):
        after (str | Unset):
        limit (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DomainsPage | Problem]
    """

    kwargs = _get_kwargs(
        lifecycle=lifecycle,
        signal=signal,
        expiring_before=expiring_before,
        q=q,
        after=after,
        limit=limit,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    lifecycle: Lifecycle | Unset = UNSET,
    signal: Signal | Unset = UNSET,
    expiring_before: datetime.datetime | Unset = UNSET,
    q: str | Unset = UNSET,
    after: str | Unset = UNSET,
    limit: int | Unset = UNSET,
) -> DomainsPage | Problem | None:
    """List watched domains with their status, by name, filtered by lifecycle, signal,
    expiration date and prefix.

     Pages are keyset-paginated: follow `next_after` until it is null. A domain added or
    removed while paging appears or not, but no other domain is skipped or repeated.

    Scope: `read` (or `admin`).

    Args:
        lifecycle (Lifecycle | Unset): Where a registrable domain stands in the registration
            lifecycle.
        signal (Signal | Unset): A fact about a domain beside its lifecycle. Stable strings (the
            API, the store and
            `LAPSEGUARD_SIGNAL_POLICY` use them).
        expiring_before (datetime.datetime | Unset):
        q (str | Unset):
        after (str | Unset):
        limit (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DomainsPage | Problem
    """

    return sync_detailed(
        client=client,
        lifecycle=lifecycle,
        signal=signal,
        expiring_before=expiring_before,
        q=q,
        after=after,
        limit=limit,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    lifecycle: Lifecycle | Unset = UNSET,
    signal: Signal | Unset = UNSET,
    expiring_before: datetime.datetime | Unset = UNSET,
    q: str | Unset = UNSET,
    after: str | Unset = UNSET,
    limit: int | Unset = UNSET,
) -> Response[DomainsPage | Problem]:
    """List watched domains with their status, by name, filtered by lifecycle, signal,
    expiration date and prefix.

     Pages are keyset-paginated: follow `next_after` until it is null. A domain added or
    removed while paging appears or not, but no other domain is skipped or repeated.

    Scope: `read` (or `admin`).

    Args:
        lifecycle (Lifecycle | Unset): Where a registrable domain stands in the registration
            lifecycle.
        signal (Signal | Unset): A fact about a domain beside its lifecycle. Stable strings (the
            API, the store and
            `LAPSEGUARD_SIGNAL_POLICY` use them).
        expiring_before (datetime.datetime | Unset):
        q (str | Unset):
        after (str | Unset):
        limit (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DomainsPage | Problem]
    """

    kwargs = _get_kwargs(
        lifecycle=lifecycle,
        signal=signal,
        expiring_before=expiring_before,
        q=q,
        after=after,
        limit=limit,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    lifecycle: Lifecycle | Unset = UNSET,
    signal: Signal | Unset = UNSET,
    expiring_before: datetime.datetime | Unset = UNSET,
    q: str | Unset = UNSET,
    after: str | Unset = UNSET,
    limit: int | Unset = UNSET,
) -> DomainsPage | Problem | None:
    """List watched domains with their status, by name, filtered by lifecycle, signal,
    expiration date and prefix.

     Pages are keyset-paginated: follow `next_after` until it is null. A domain added or
    removed while paging appears or not, but no other domain is skipped or repeated.

    Scope: `read` (or `admin`).

    Args:
        lifecycle (Lifecycle | Unset): Where a registrable domain stands in the registration
            lifecycle.
        signal (Signal | Unset): A fact about a domain beside its lifecycle. Stable strings (the
            API, the store and
            `LAPSEGUARD_SIGNAL_POLICY` use them).
        expiring_before (datetime.datetime | Unset):
        q (str | Unset):
        after (str | Unset):
        limit (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DomainsPage | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            lifecycle=lifecycle,
            signal=signal,
            expiring_before=expiring_before,
            q=q,
            after=after,
            limit=limit,
        )
    ).parsed
