from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.release_response import ReleaseResponse
from ...types import Response


def _get_kwargs(
    host: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/holds/{host}/release".format(
            host=quote(str(host), safe=""),
        ),
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | ReleaseResponse:
    if response.status_code == 200:
        response_200 = ReleaseResponse.from_dict(response.json())

        return response_200

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    response_default = Problem.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Problem | ReleaseResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    host: str,
    *,
    client: AuthenticatedClient,
) -> Response[Problem | ReleaseResponse]:
    """Release a hold: publish what it holds (transitions and webhooks), in the order it was
    held. For a mass change that is real (a registrar dropping many domains at once).

     Scope: `admin`.

    Args:
        host (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ReleaseResponse]
    """

    kwargs = _get_kwargs(
        host=host,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    host: str,
    *,
    client: AuthenticatedClient,
) -> Problem | ReleaseResponse | None:
    """Release a hold: publish what it holds (transitions and webhooks), in the order it was
    held. For a mass change that is real (a registrar dropping many domains at once).

     Scope: `admin`.

    Args:
        host (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ReleaseResponse
    """

    return sync_detailed(
        host=host,
        client=client,
    ).parsed


async def asyncio_detailed(
    host: str,
    *,
    client: AuthenticatedClient,
) -> Response[Problem | ReleaseResponse]:
    """Release a hold: publish what it holds (transitions and webhooks), in the order it was
    held. For a mass change that is real (a registrar dropping many domains at once).

     Scope: `admin`.

    Args:
        host (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ReleaseResponse]
    """

    kwargs = _get_kwargs(
        host=host,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    host: str,
    *,
    client: AuthenticatedClient,
) -> Problem | ReleaseResponse | None:
    """Release a hold: publish what it holds (transitions and webhooks), in the order it was
    held. For a mass change that is real (a registrar dropping many domains at once).

     Scope: `admin`.

    Args:
        host (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ReleaseResponse
    """

    return (
        await asyncio_detailed(
            host=host,
            client=client,
        )
    ).parsed
