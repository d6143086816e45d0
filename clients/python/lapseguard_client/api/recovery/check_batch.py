from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...models.batch_request import BatchRequest
from ...models.batch_response import BatchResponse
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    *,
    body: BatchRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/check-batch",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> BatchResponse | Problem:
    if response.status_code == 200:
        response_200 = BatchResponse.from_dict(response.json())

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
) -> Response[BatchResponse | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: BatchRequest,
) -> Response[BatchResponse | Problem]:
    """Decide for up to 1,000 addresses at once (a nightly sweep).

     Each result is the object `POST /check-recovery-eligible` answers, with the item's
    `id`; an invalid item gets its own problem instead, without failing the batch. Items
    on the same domains share one status read and at most one lookup; the batch answers
    within `LAPSEGUARD_BATCH_DEADLINE_MS`, and a domain not decided by then answers
    `domain_status_unavailable` with `retry_after_seconds` and is put on the watch list.

    Scope: `check`.

    Args:
        body (BatchRequest): Addresses to decide at once.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BatchResponse | Problem]
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
    body: BatchRequest,
) -> BatchResponse | Problem | None:
    """Decide for up to 1,000 addresses at once (a nightly sweep).

     Each result is the object `POST /check-recovery-eligible` answers, with the item's
    `id`; an invalid item gets its own problem instead, without failing the batch. Items
    on the same domains share one status read and at most one lookup; the batch answers
    within `LAPSEGUARD_BATCH_DEADLINE_MS`, and a domain not decided by then answers
    `domain_status_unavailable` with `retry_after_seconds` and is put on the watch list.

    Scope: `check`.

    Args:
        body (BatchRequest): Addresses to decide at once.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BatchResponse | Problem
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: BatchRequest,
) -> Response[BatchResponse | Problem]:
    """Decide for up to 1,000 addresses at once (a nightly sweep).

     Each result is the object `POST /check-recovery-eligible` answers, with the item's
    `id`; an invalid item gets its own problem instead, without failing the batch. Items
    on the same domains share one status read and at most one lookup; the batch answers
    within `LAPSEGUARD_BATCH_DEADLINE_MS`, and a domain not decided by then answers
    `domain_status_unavailable` with `retry_after_seconds` and is put on the watch list.

    Scope: `check`.

    Args:
        body (BatchRequest): Addresses to decide at once.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BatchResponse | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: BatchRequest,
) -> BatchResponse | Problem | None:
    """Decide for up to 1,000 addresses at once (a nightly sweep).

     Each result is the object `POST /check-recovery-eligible` answers, with the item's
    `id`; an invalid item gets its own problem instead, without failing the batch. Items
    on the same domains share one status read and at most one lookup; the batch answers
    within `LAPSEGUARD_BATCH_DEADLINE_MS`, and a domain not decided by then answers
    `domain_status_unavailable` with `retry_after_seconds` and is put on the watch list.

    Scope: `check`.

    Args:
        body (BatchRequest): Addresses to decide at once.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BatchResponse | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
