from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.token_api_error import TokenApiError
from ...types import UNSET, Response


def _get_kwargs(
    organization_id: str,
    *,
    pipeline_id: int,
    pipeline_run_id: int,
    emas_job_instance_id: str,
    md5: str,
    service_connection_id: int,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["pipelineId"] = pipeline_id

    params["pipelineRunId"] = pipeline_run_id

    params["emasJobInstanceId"] = emas_job_instance_id

    params["md5"] = md5

    params["serviceConnectionId"] = service_connection_id

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/oapi/v1/flow/organizations/{organization_id}/pipelines/getEmasArtifactDownloadUrl".format(
            organization_id=quote(str(organization_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> TokenApiError | str | None:
    if response.status_code == 200:
        response_200 = cast(str, response.json())
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

    if response.status_code == 409:
        response_409 = TokenApiError.from_dict(response.json())

        return response_409

    if response.status_code == 422:
        response_422 = TokenApiError.from_dict(response.json())

        return response_422

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
) -> Response[TokenApiError | str]:
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
    pipeline_id: int,
    pipeline_run_id: int,
    emas_job_instance_id: str,
    md5: str,
    service_connection_id: int,
) -> Response[TokenApiError | str]:
    """Get a temporary download URL of the EMAS artifact of a pipeline run (token API)

     Yunxiao's newer OpenAPI for the same job as `GetPipelineEmasArtifactUrl`, authenticated
    with a personal access token in the header `x-yunxiao-token` instead of a signature.
    The answer is the download URL itself, valid for one hour: some servers send it as a
    JSON string (`application/json`), others as plain text (`text/plain`).
    A region-edition instance (its own domain) serves it without
    `/organizations/{organizationId}` (`x-region-edition-path`).

    Args:
        organization_id (str):
        pipeline_id (int):
        pipeline_run_id (int):
        emas_job_instance_id (str):
        md5 (str):
        service_connection_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[TokenApiError | str]
    """

    kwargs = _get_kwargs(
        organization_id=organization_id,
        pipeline_id=pipeline_id,
        pipeline_run_id=pipeline_run_id,
        emas_job_instance_id=emas_job_instance_id,
        md5=md5,
        service_connection_id=service_connection_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    organization_id: str,
    *,
    client: AuthenticatedClient,
    pipeline_id: int,
    pipeline_run_id: int,
    emas_job_instance_id: str,
    md5: str,
    service_connection_id: int,
) -> TokenApiError | str | None:
    """Get a temporary download URL of the EMAS artifact of a pipeline run (token API)

     Yunxiao's newer OpenAPI for the same job as `GetPipelineEmasArtifactUrl`, authenticated
    with a personal access token in the header `x-yunxiao-token` instead of a signature.
    The answer is the download URL itself, valid for one hour: some servers send it as a
    JSON string (`application/json`), others as plain text (`text/plain`).
    A region-edition instance (its own domain) serves it without
    `/organizations/{organizationId}` (`x-region-edition-path`).

    Args:
        organization_id (str):
        pipeline_id (int):
        pipeline_run_id (int):
        emas_job_instance_id (str):
        md5 (str):
        service_connection_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        TokenApiError | str
    """

    return sync_detailed(
        organization_id=organization_id,
        client=client,
        pipeline_id=pipeline_id,
        pipeline_run_id=pipeline_run_id,
        emas_job_instance_id=emas_job_instance_id,
        md5=md5,
        service_connection_id=service_connection_id,
    ).parsed


async def asyncio_detailed(
    organization_id: str,
    *,
    client: AuthenticatedClient,
    pipeline_id: int,
    pipeline_run_id: int,
    emas_job_instance_id: str,
    md5: str,
    service_connection_id: int,
) -> Response[TokenApiError | str]:
    """Get a temporary download URL of the EMAS artifact of a pipeline run (token API)

     Yunxiao's newer OpenAPI for the same job as `GetPipelineEmasArtifactUrl`, authenticated
    with a personal access token in the header `x-yunxiao-token` instead of a signature.
    The answer is the download URL itself, valid for one hour: some servers send it as a
    JSON string (`application/json`), others as plain text (`text/plain`).
    A region-edition instance (its own domain) serves it without
    `/organizations/{organizationId}` (`x-region-edition-path`).

    Args:
        organization_id (str):
        pipeline_id (int):
        pipeline_run_id (int):
        emas_job_instance_id (str):
        md5 (str):
        service_connection_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[TokenApiError | str]
    """

    kwargs = _get_kwargs(
        organization_id=organization_id,
        pipeline_id=pipeline_id,
        pipeline_run_id=pipeline_run_id,
        emas_job_instance_id=emas_job_instance_id,
        md5=md5,
        service_connection_id=service_connection_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    organization_id: str,
    *,
    client: AuthenticatedClient,
    pipeline_id: int,
    pipeline_run_id: int,
    emas_job_instance_id: str,
    md5: str,
    service_connection_id: int,
) -> TokenApiError | str | None:
    """Get a temporary download URL of the EMAS artifact of a pipeline run (token API)

     Yunxiao's newer OpenAPI for the same job as `GetPipelineEmasArtifactUrl`, authenticated
    with a personal access token in the header `x-yunxiao-token` instead of a signature.
    The answer is the download URL itself, valid for one hour: some servers send it as a
    JSON string (`application/json`), others as plain text (`text/plain`).
    A region-edition instance (its own domain) serves it without
    `/organizations/{organizationId}` (`x-region-edition-path`).

    Args:
        organization_id (str):
        pipeline_id (int):
        pipeline_run_id (int):
        emas_job_instance_id (str):
        md5 (str):
        service_connection_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        TokenApiError | str
    """

    return (
        await asyncio_detailed(
            organization_id=organization_id,
            client=client,
            pipeline_id=pipeline_id,
            pipeline_run_id=pipeline_run_id,
            emas_job_instance_id=emas_job_instance_id,
            md5=md5,
            service_connection_id=service_connection_id,
        )
    ).parsed
