from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.watch_request import WatchRequest
from ...models.watch_response import WatchResponse
from ...types import Response


def _get_kwargs(
    *,
    body: WatchRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/watch",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | WatchResponse:
    if response.status_code == 200:
        response_200 = WatchResponse.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

    response_default = Problem.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Problem | WatchResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: WatchRequest,
) -> Response[Problem | WatchResponse]:
    """Watch the domains of these addresses and these domains.

     Each domain is checked in the background on the schedule its registration data calls
    for; its lapses appear in `/v1/transitions` and the webhook.

    Scope: `admin`.

    Args:
        body (WatchRequest): Addresses and domains to watch. Addresses are reduced to their
            registrable domain at
            once and never kept.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | WatchResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: WatchRequest,
) -> Problem | WatchResponse | None:
    """Watch the domains of these addresses and these domains.

     Each domain is checked in the background on the schedule its registration data calls
    for; its lapses appear in `/v1/transitions` and the webhook.

    Scope: `admin`.

    Args:
        body (WatchRequest): Addresses and domains to watch. Addresses are reduced to their
            registrable domain at
            once and never kept.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | WatchResponse
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: WatchRequest,
) -> Response[Problem | WatchResponse]:
    """Watch the domains of these addresses and these domains.

     Each domain is checked in the background on the schedule its registration data calls
    for; its lapses appear in `/v1/transitions` and the webhook.

    Scope: `admin`.

    Args:
        body (WatchRequest): Addresses and domains to watch. Addresses are reduced to their
            registrable domain at
            once and never kept.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | WatchResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: WatchRequest,
) -> Problem | WatchResponse | None:
    """Watch the domains of these addresses and these domains.

     Each domain is checked in the background on the schedule its registration data calls
    for; its lapses appear in `/v1/transitions` and the webhook.

    Scope: `admin`.

    Args:
        body (WatchRequest): Addresses and domains to watch. Addresses are reduced to their
            registrable domain at
            once and never kept.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | WatchResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
