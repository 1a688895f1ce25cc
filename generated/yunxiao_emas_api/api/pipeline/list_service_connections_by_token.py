from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.service_connection import ServiceConnection
from ...models.token_api_error import TokenApiError
from ...types import UNSET, Response, Unset


def _get_kwargs(
    organization_id: str,
    *,
    serice_connection_type: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["sericeConnectionType"] = serice_connection_type

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/oapi/v1/flow/organizations/{organization_id}/serviceConnections".format(
            organization_id=quote(str(organization_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> TokenApiError | list[ServiceConnection] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in _response_200:
            response_200_item = ServiceConnection.from_dict(response_200_item_data)

            response_200.append(response_200_item)

        return response_200

    if response.status_code == 400:
        response_400 = TokenApiError.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = TokenApiError.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = TokenApiError.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = TokenApiError.from_dict(response.json())

        return response_404

    if response.status_code == 429:
        response_429 = TokenApiError.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = TokenApiError.from_dict(response.json())

        return response_500

    if response.status_code == 502:
        response_502 = TokenApiError.from_dict(response.json())

        return response_502

    if response.status_code == 503:
        response_503 = TokenApiError.from_dict(response.json())

        return response_503

    if response.status_code == 504:
        response_504 = TokenApiError.from_dict(response.json())

        return response_504

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[TokenApiError | list[ServiceConnection]]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    organization_id: str,
    *,
    client: AuthenticatedClient,
    serice_connection_type: str | Unset = UNSET,
) -> Response[TokenApiError | list[ServiceConnection]]:
    """List the service connections of an organization (token API)

     The organization's service connections as a JSON array, of one type when
    `sericeConnectionType` (sic) is given. A region-edition instance serves it without
    `/organizations/{organizationId}`.

    Args:
        organization_id (str):
        serice_connection_type (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[TokenApiError | list[ServiceConnection]]
    """

    kwargs = _get_kwargs(
        organization_id=organization_id,
        serice_connection_type=serice_connection_type,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    organization_id: str,
    *,
    client: AuthenticatedClient,
    serice_connection_type: str | Unset = UNSET,
) -> TokenApiError | list[ServiceConnection] | None:
    """List the service connections of an organization (token API)

     The organization's service connections as a JSON array, of one type when
    `sericeConnectionType` (sic) is given. A region-edition instance serves it without
    `/organizations/{organizationId}`.

    Args:
        organization_id (str):
        serice_connection_type (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        TokenApiError | list[ServiceConnection]
    """

    return sync_detailed(
        organization_id=organization_id,
        client=client,
        serice_connection_type=serice_connection_type,
    ).parsed


async def asyncio_detailed(
    organization_id: str,
    *,
    client: AuthenticatedClient,
    serice_connection_type: str | Unset = UNSET,
) -> Response[TokenApiError | list[ServiceConnection]]:
    """List the service connections of an organization (token API)

     The organization's service connections as a JSON array, of one type when
    `sericeConnectionType` (sic) is given. A region-edition instance serves it without
    `/organizations/{organizationId}`.

    Args:
        organization_id (str):
        serice_connection_type (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[TokenApiError | list[ServiceConnection]]
    """

    kwargs = _get_kwargs(
        organization_id=organization_id,
        serice_connection_type=serice_connection_type,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    organization_id: str,
    *,
    client: AuthenticatedClient,
    serice_connection_type: str | Unset = UNSET,
) -> TokenApiError | list[ServiceConnection] | None:
    """List the service connections of an organization (token API)

     The organization's service connections as a JSON array, of one type when
    `sericeConnectionType` (sic) is given. A region-edition instance serves it without
    `/organizations/{organizationId}`.

    Args:
        organization_id (str):
        serice_connection_type (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        TokenApiError | list[ServiceConnection]
    """

    return (
        await asyncio_detailed(
            organization_id=organization_id,
            client=client,
            serice_connection_type=serice_connection_type,
        )
    ).parsed
