from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.gateway_error import GatewayError
from ...models.gateway_error_lower_case import GatewayErrorLowerCase
from ...models.service_connections_response import ServiceConnectionsResponse
from ...models.service_error import ServiceError
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
        "url": "/organization/{organization_id}/serviceConnections".format(
            organization_id=quote(str(organization_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> (
    GatewayError
    | GatewayErrorLowerCase
    | ServiceError
    | ServiceConnectionsResponse
    | None
):
    if response.status_code == 200:
        response_200 = ServiceConnectionsResponse.from_dict(response.json())

        return response_200

    if response.status_code == 400:

        def _parse_response_400(
            data: object,
        ) -> GatewayError | GatewayErrorLowerCase | ServiceError:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_0 = ServiceError.from_dict(data)

                return componentsschemas_error_response_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_1 = GatewayError.from_dict(data)

                return componentsschemas_error_response_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_response_type_2 = GatewayErrorLowerCase.from_dict(
                data
            )

            return componentsschemas_error_response_type_2

        response_400 = _parse_response_400(response.json())

        return response_400

    if response.status_code == 403:

        def _parse_response_403(
            data: object,
        ) -> GatewayError | GatewayErrorLowerCase | ServiceError:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_0 = ServiceError.from_dict(data)

                return componentsschemas_error_response_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_1 = GatewayError.from_dict(data)

                return componentsschemas_error_response_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_response_type_2 = GatewayErrorLowerCase.from_dict(
                data
            )

            return componentsschemas_error_response_type_2

        response_403 = _parse_response_403(response.json())

        return response_403

    if response.status_code == 404:

        def _parse_response_404(
            data: object,
        ) -> GatewayError | GatewayErrorLowerCase | ServiceError:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_0 = ServiceError.from_dict(data)

                return componentsschemas_error_response_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_1 = GatewayError.from_dict(data)

                return componentsschemas_error_response_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_response_type_2 = GatewayErrorLowerCase.from_dict(
                data
            )

            return componentsschemas_error_response_type_2

        response_404 = _parse_response_404(response.json())

        return response_404

    if response.status_code == 429:

        def _parse_response_429(
            data: object,
        ) -> GatewayError | GatewayErrorLowerCase | ServiceError:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_0 = ServiceError.from_dict(data)

                return componentsschemas_error_response_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_1 = GatewayError.from_dict(data)

                return componentsschemas_error_response_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_response_type_2 = GatewayErrorLowerCase.from_dict(
                data
            )

            return componentsschemas_error_response_type_2

        response_429 = _parse_response_429(response.json())

        return response_429

    if response.status_code == 500:

        def _parse_response_500(
            data: object,
        ) -> GatewayError | GatewayErrorLowerCase | ServiceError:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_0 = ServiceError.from_dict(data)

                return componentsschemas_error_response_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_1 = GatewayError.from_dict(data)

                return componentsschemas_error_response_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_response_type_2 = GatewayErrorLowerCase.from_dict(
                data
            )

            return componentsschemas_error_response_type_2

        response_500 = _parse_response_500(response.json())

        return response_500

    if response.status_code == 502:

        def _parse_response_502(
            data: object,
        ) -> GatewayError | GatewayErrorLowerCase | ServiceError:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_0 = ServiceError.from_dict(data)

                return componentsschemas_error_response_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_1 = GatewayError.from_dict(data)

                return componentsschemas_error_response_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_response_type_2 = GatewayErrorLowerCase.from_dict(
                data
            )

            return componentsschemas_error_response_type_2

        response_502 = _parse_response_502(response.json())

        return response_502

    if response.status_code == 503:

        def _parse_response_503(
            data: object,
        ) -> GatewayError | GatewayErrorLowerCase | ServiceError:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_0 = ServiceError.from_dict(data)

                return componentsschemas_error_response_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_1 = GatewayError.from_dict(data)

                return componentsschemas_error_response_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_response_type_2 = GatewayErrorLowerCase.from_dict(
                data
            )

            return componentsschemas_error_response_type_2

        response_503 = _parse_response_503(response.json())

        return response_503

    if response.status_code == 504:

        def _parse_response_504(
            data: object,
        ) -> GatewayError | GatewayErrorLowerCase | ServiceError:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_0 = ServiceError.from_dict(data)

                return componentsschemas_error_response_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_error_response_type_1 = GatewayError.from_dict(data)

                return componentsschemas_error_response_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_error_response_type_2 = GatewayErrorLowerCase.from_dict(
                data
            )

            return componentsschemas_error_response_type_2

        response_504 = _parse_response_504(response.json())

        return response_504

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[
    GatewayError | GatewayErrorLowerCase | ServiceError | ServiceConnectionsResponse
]:
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
) -> Response[
    GatewayError | GatewayErrorLowerCase | ServiceError | ServiceConnectionsResponse
]:
    """List the service connections of an organization

     The organization's service connections, of one type when `sericeConnectionType` (sic:
    the API spells it so) is given; EMAS connections are of type `emas`. Send
    `x-acs-action: ListServiceConnections`, `x-acs-version: 2021-06-25`, signed with the V3
    signature.

    Args:
        organization_id (str):
        serice_connection_type (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GatewayError | GatewayErrorLowerCase | ServiceError | ServiceConnectionsResponse]
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
) -> (
    GatewayError
    | GatewayErrorLowerCase
    | ServiceError
    | ServiceConnectionsResponse
    | None
):
    """List the service connections of an organization

     The organization's service connections, of one type when `sericeConnectionType` (sic:
    the API spells it so) is given; EMAS connections are of type `emas`. Send
    `x-acs-action: ListServiceConnections`, `x-acs-version: 2021-06-25`, signed with the V3
    signature.

    Args:
        organization_id (str):
        serice_connection_type (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GatewayError | GatewayErrorLowerCase | ServiceError | ServiceConnectionsResponse
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
) -> Response[
    GatewayError | GatewayErrorLowerCase | ServiceError | ServiceConnectionsResponse
]:
    """List the service connections of an organization

     The organization's service connections, of one type when `sericeConnectionType` (sic:
    the API spells it so) is given; EMAS connections are of type `emas`. Send
    `x-acs-action: ListServiceConnections`, `x-acs-version: 2021-06-25`, signed with the V3
    signature.

    Args:
        organization_id (str):
        serice_connection_type (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GatewayError | GatewayErrorLowerCase | ServiceError | ServiceConnectionsResponse]
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
) -> (
    GatewayError
    | GatewayErrorLowerCase
    | ServiceError
    | ServiceConnectionsResponse
    | None
):
    """List the service connections of an organization

     The organization's service connections, of one type when `sericeConnectionType` (sic:
    the API spells it so) is given; EMAS connections are of type `emas`. Send
    `x-acs-action: ListServiceConnections`, `x-acs-version: 2021-06-25`, signed with the V3
    signature.

    Args:
        organization_id (str):
        serice_connection_type (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GatewayError | GatewayErrorLowerCase | ServiceError | ServiceConnectionsResponse
    """

    return (
        await asyncio_detailed(
            organization_id=organization_id,
            client=client,
            serice_connection_type=serice_connection_type,
        )
    ).parsed
