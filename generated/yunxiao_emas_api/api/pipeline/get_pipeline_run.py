from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.gateway_error import GatewayError
from ...models.gateway_error_lower_case import GatewayErrorLowerCase
from ...models.pipeline_run_response import PipelineRunResponse
from ...models.service_error import ServiceError
from ...types import Response


def _get_kwargs(
    organization_id: str,
    pipeline_id: int,
    pipeline_run_id: int,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/organization/{organization_id}/pipelines/{pipeline_id}/pipelineRuns/{pipeline_run_id}".format(
            organization_id=quote(str(organization_id), safe=""),
            pipeline_id=quote(str(pipeline_id), safe=""),
            pipeline_run_id=quote(str(pipeline_run_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> GatewayError | GatewayErrorLowerCase | ServiceError | PipelineRunResponse | None:
    if response.status_code == 200:
        response_200 = PipelineRunResponse.from_dict(response.json())

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
    GatewayError | GatewayErrorLowerCase | ServiceError | PipelineRunResponse
]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    organization_id: str,
    pipeline_id: int,
    pipeline_run_id: int,
    *,
    client: AuthenticatedClient,
) -> Response[
    GatewayError | GatewayErrorLowerCase | ServiceError | PipelineRunResponse
]:
    """Get a pipeline run with its stages and jobs

     Returns the run, its stages and their jobs. The EMAS build job of the run reports the
    `emasJobInstanceId` and `md5` that `GetPipelineEmasArtifactUrl` needs, inside its
    `params` (a JSON string) or its actions' `params`: no public source names the keys (see
    the README's EMAS rule). Send `x-acs-action: GetPipelineRun`, `x-acs-version: 2021-06-25`,
    signed with the V3 signature. A 200 can carry `success: false`.

    Args:
        organization_id (str):
        pipeline_id (int):
        pipeline_run_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GatewayError | GatewayErrorLowerCase | ServiceError | PipelineRunResponse]
    """

    kwargs = _get_kwargs(
        organization_id=organization_id,
        pipeline_id=pipeline_id,
        pipeline_run_id=pipeline_run_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    organization_id: str,
    pipeline_id: int,
    pipeline_run_id: int,
    *,
    client: AuthenticatedClient,
) -> GatewayError | GatewayErrorLowerCase | ServiceError | PipelineRunResponse | None:
    """Get a pipeline run with its stages and jobs

     Returns the run, its stages and their jobs. The EMAS build job of the run reports the
    `emasJobInstanceId` and `md5` that `GetPipelineEmasArtifactUrl` needs, inside its
    `params` (a JSON string) or its actions' `params`: no public source names the keys (see
    the README's EMAS rule). Send `x-acs-action: GetPipelineRun`, `x-acs-version: 2021-06-25`,
    signed with the V3 signature. A 200 can carry `success: false`.

    Args:
        organization_id (str):
        pipeline_id (int):
        pipeline_run_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GatewayError | GatewayErrorLowerCase | ServiceError | PipelineRunResponse
    """

    return sync_detailed(
        organization_id=organization_id,
        pipeline_id=pipeline_id,
        pipeline_run_id=pipeline_run_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    organization_id: str,
    pipeline_id: int,
    pipeline_run_id: int,
    *,
    client: AuthenticatedClient,
) -> Response[
    GatewayError | GatewayErrorLowerCase | ServiceError | PipelineRunResponse
]:
    """Get a pipeline run with its stages and jobs

     Returns the run, its stages and their jobs. The EMAS build job of the run reports the
    `emasJobInstanceId` and `md5` that `GetPipelineEmasArtifactUrl` needs, inside its
    `params` (a JSON string) or its actions' `params`: no public source names the keys (see
    the README's EMAS rule). Send `x-acs-action: GetPipelineRun`, `x-acs-version: 2021-06-25`,
    signed with the V3 signature. A 200 can carry `success: false`.

    Args:
        organization_id (str):
        pipeline_id (int):
        pipeline_run_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GatewayError | GatewayErrorLowerCase | ServiceError | PipelineRunResponse]
    """

    kwargs = _get_kwargs(
        organization_id=organization_id,
        pipeline_id=pipeline_id,
        pipeline_run_id=pipeline_run_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    organization_id: str,
    pipeline_id: int,
    pipeline_run_id: int,
    *,
    client: AuthenticatedClient,
) -> GatewayError | GatewayErrorLowerCase | ServiceError | PipelineRunResponse | None:
    """Get a pipeline run with its stages and jobs

     Returns the run, its stages and their jobs. The EMAS build job of the run reports the
    `emasJobInstanceId` and `md5` that `GetPipelineEmasArtifactUrl` needs, inside its
    `params` (a JSON string) or its actions' `params`: no public source names the keys (see
    the README's EMAS rule). Send `x-acs-action: GetPipelineRun`, `x-acs-version: 2021-06-25`,
    signed with the V3 signature. A 200 can carry `success: false`.

    Args:
        organization_id (str):
        pipeline_id (int):
        pipeline_run_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GatewayError | GatewayErrorLowerCase | ServiceError | PipelineRunResponse
    """

    return (
        await asyncio_detailed(
            organization_id=organization_id,
            pipeline_id=pipeline_id,
            pipeline_run_id=pipeline_run_id,
            client=client,
        )
    ).parsed
