from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...models.check_request import CheckRequest
from ...models.check_response import CheckResponse
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    *,
    body: CheckRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/check-recovery-eligible",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> CheckResponse | Problem:
    if response.status_code == 200:
        response_200 = CheckResponse.from_dict(response.json())

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

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    response_default = Problem.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[CheckResponse | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: CheckRequest,
) -> Response[CheckResponse | Problem]:
    """Decide whether a recovery mail may be sent to an address.

     Call it before mailing a password-reset link. The answer comes from the registration
    status of the address's registrable domain: from memory when fresh, else from a live
    lookup (RDAP or Fastly, with DNS side by side) bounded by the lookup deadline.

    Scope: `check`.

    Args:
        body (CheckRequest): The address a caller wants to send a recovery link to.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CheckResponse | Problem]
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
    body: CheckRequest,
) -> CheckResponse | Problem | None:
    """Decide whether a recovery mail may be sent to an address.

     Call it before mailing a password-reset link. The answer comes from the registration
    status of the address's registrable domain: from memory when fresh, else from a live
    lookup (RDAP or Fastly, with DNS side by side) bounded by the lookup deadline.

    Scope: `check`.

    Args:
        body (CheckRequest): The address a caller wants to send a recovery link to.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CheckResponse | Problem
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: CheckRequest,
) -> Response[CheckResponse | Problem]:
    """Decide whether a recovery mail may be sent to an address.

     Call it before mailing a password-reset link. The answer comes from the registration
    status of the address's registrable domain: from memory when fresh, else from a live
    lookup (RDAP or Fastly, with DNS side by side) bounded by the lookup deadline.

    Scope: `check`.

    Args:
        body (CheckRequest): The address a caller wants to send a recovery link to.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CheckResponse | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: CheckRequest,
) -> CheckResponse | Problem | None:
    """Decide whether a recovery mail may be sent to an address.

     Call it before mailing a password-reset link. The answer comes from the registration
    status of the address's registrable domain: from memory when fresh, else from a live
    lookup (RDAP or Fastly, with DNS side by side) bounded by the lookup deadline.

    Scope: `check`.

    Args:
        body (CheckRequest): The address a caller wants to send a recovery link to.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CheckResponse | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
