from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.pipeline_run import PipelineRun
from ...models.token_api_error import TokenApiError
from ...types import Response


def _get_kwargs(
    organization_id: str,
    pipeline_id: int,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/oapi/v1/flow/organizations/{organization_id}/pipelines/{pipeline_id}/runs/latestPipelineRun".format(
            organization_id=quote(str(organization_id), safe=""),
            pipeline_id=quote(str(pipeline_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> PipelineRun | TokenApiError | None:
    if response.status_code == 200:
        response_200 = PipelineRun.from_dict(response.json())

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
) -> Response[PipelineRun | TokenApiError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    organization_id: str,
    pipeline_id: int,
    *,
    client: AuthenticatedClient,
) -> Response[PipelineRun | TokenApiError]:
    """Get the latest run of a pipeline, of any status (token API)

     The pipeline's latest run, whatever its status, as `GetPipelineRunByToken` answers it.
    A region-edition instance serves it without `/organizations/{organizationId}`.

    Args:
        organization_id (str):
        pipeline_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PipelineRun | TokenApiError]
    """

    kwargs = _get_kwargs(
        organization_id=organization_id,
        pipeline_id=pipeline_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    organization_id: str,
    pipeline_id: int,
    *,
    client: AuthenticatedClient,
) -> PipelineRun | TokenApiError | None:
    """Get the latest run of a pipeline, of any status (token API)

     The pipeline's latest run, whatever its status, as `GetPipelineRunByToken` answers it.
    A region-edition instance serves it without `/organizations/{organizationId}`.

    Args:
        organization_id (str):
        pipeline_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PipelineRun | TokenApiError
    """

    return sync_detailed(
        organization_id=organization_id,
        pipeline_id=pipeline_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    organization_id: str,
    pipeline_id: int,
    *,
    client: AuthenticatedClient,
) -> Response[PipelineRun | TokenApiError]:
    """Get the latest run of a pipeline, of any status (token API)

     The pipeline's latest run, whatever its status, as `GetPipelineRunByToken` answers it.
    A region-edition instance serves it without `/organizations/{organizationId}`.

    Args:
        organization_id (str):
        pipeline_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PipelineRun | TokenApiError]
    """

    kwargs = _get_kwargs(
        organization_id=organization_id,
        pipeline_id=pipeline_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    organization_id: str,
    pipeline_id: int,
    *,
    client: AuthenticatedClient,
) -> PipelineRun | TokenApiError | None:
    """Get the latest run of a pipeline, of any status (token API)

     The pipeline's latest run, whatever its status, as `GetPipelineRunByToken` answers it.
    A region-edition instance serves it without `/organizations/{organizationId}`.

    Args:
        organization_id (str):
        pipeline_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PipelineRun | TokenApiError
    """

    return (
        await asyncio_detailed(
            organization_id=organization_id,
            pipeline_id=pipeline_id,
            client=client,
        )
    ).parsed
