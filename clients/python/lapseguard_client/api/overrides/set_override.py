from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.override_request import OverrideRequest
from ...models.override_view import OverrideView
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    domain: str,
    *,
    body: OverrideRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v1/overrides/{domain}".format(
            domain=quote(str(domain), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> OverrideView | Problem:
    if response.status_code == 200:
        response_200 = OverrideView.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    response_default = Problem.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[OverrideView | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    domain: str,
    *,
    client: AuthenticatedClient,
    body: OverrideRequest,
) -> Response[OverrideView | Problem]:
    """Set (or replace) a domain's override.

     A `deny` wins over every computed decision. An `allow` pins what the domain shows
    now: it applies while the registration date stays the same and no new lapse begins;
    then the computed decision returns and the override shows as `lapsed`. Checks it
    decides answer `override_allow` or `override_deny`; the note is never shown to them.

    Scope: `admin`.

    Args:
        domain (str):
        body (OverrideRequest): An agent's decision for a domain.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[OverrideView | Problem]
    """

    kwargs = _get_kwargs(
        domain=domain,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    domain: str,
    *,
    client: AuthenticatedClient,
    body: OverrideRequest,
) -> OverrideView | Problem | None:
    """Set (or replace) a domain's override.

     A `deny` wins over every computed decision. An `allow` pins what the domain shows
    now: it applies while the registration date stays the same and no new lapse begins;
    then the computed decision returns and the override shows as `lapsed`. Checks it
    decides answer `override_allow` or `override_deny`; the note is never shown to them.

    Scope: `admin`.

    Args:
        domain (str):
        body (OverrideRequest): An agent's decision for a domain.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        OverrideView | Problem
    """

    return sync_detailed(
        domain=domain,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    domain: str,
    *,
    client: AuthenticatedClient,
    body: OverrideRequest,
) -> Response[OverrideView | Problem]:
    """Set (or replace) a domain's override.

     A `deny` wins over every computed decision. An `allow` pins what the domain shows
    now: it applies while the registration date stays the same and no new lapse begins;
    then the computed decision returns and the override shows as `lapsed`. Checks it
    decides answer `override_allow` or `override_deny`; the note is never shown to them.

    Scope: `admin`.

    Args:
        domain (str):
        body (OverrideRequest): An agent's decision for a domain.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[OverrideView | Problem]
    """

    kwargs = _get_kwargs(
        domain=domain,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    domain: str,
    *,
    client: AuthenticatedClient,
    body: OverrideRequest,
) -> OverrideView | Problem | None:
    """Set (or replace) a domain's override.

     A `deny` wins over every computed decision. An `allow` pins what the domain shows
    now: it applies while the registration date stays the same and no new lapse begins;
    then the computed decision returns and the override shows as `lapsed`. Checks it
    decides answer `override_allow` or `override_deny`; the note is never shown to them.

    Scope: `admin`.

    Args:
        domain (str):
        body (OverrideRequest): An agent's decision for a domain.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        OverrideView | Problem
    """

    return (
        await asyncio_detailed(
            domain=domain,
            client=client,
            body=body,
        )
    ).parsed
