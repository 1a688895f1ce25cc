from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.artifact_url_response import ArtifactUrlResponse
from ...models.gateway_error import GatewayError
from ...models.gateway_error_lower_case import GatewayErrorLowerCase
from ...models.service_error import ServiceError
from ...types import UNSET, Response


def _get_kwargs(
    organization_id: str,
    pipeline_id: int,
    pipeline_run_id: int,
    emas_job_instance_id: str,
    md5: str,
    *,
    service_connection_id: int,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["serviceConnectionId"] = service_connection_id

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/organization/{organization_id}/pipeline/{pipeline_id}/pipelineRun/{pipeline_run_id}/emas/artifact/{emas_job_instance_id}/{md5}".format(
            organization_id=quote(str(organization_id), safe=""),
            pipeline_id=quote(str(pipeline_id), safe=""),
            pipeline_run_id=quote(str(pipeline_run_id), safe=""),
            emas_job_instance_id=quote(str(emas_job_instance_id), safe=""),
            md5=quote(str(md5), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ArtifactUrlResponse | GatewayError | GatewayErrorLowerCase | ServiceError | None:
    if response.status_code == 200:
        response_200 = ArtifactUrlResponse.from_dict(response.json())

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
    ArtifactUrlResponse | GatewayError | GatewayErrorLowerCase | ServiceError
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
    emas_job_instance_id: str,
    md5: str,
    *,
    client: AuthenticatedClient,
    service_connection_id: int,
) -> Response[
    ArtifactUrlResponse | GatewayError | GatewayErrorLowerCase | ServiceError
]:
    """Get a temporary download URL of the EMAS artifact of a pipeline run

     Returns a download URL, valid for one hour, of the EMAS mobile artifact built by the
    given pipeline run. The request has no body. Send the headers
    `x-acs-action: GetPipelineEmasArtifactUrl` and `x-acs-version: 2021-06-25`, signed
    with the V3 signature.

    A 200 answer can carry `success: false` with an `errorCode`: check `success`.

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
        Response[ArtifactUrlResponse | GatewayError | GatewayErrorLowerCase | ServiceError]
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
    pipeline_id: int,
    pipeline_run_id: int,
    emas_job_instance_id: str,
    md5: str,
    *,
    client: AuthenticatedClient,
    service_connection_id: int,
) -> ArtifactUrlResponse | GatewayError | GatewayErrorLowerCase | ServiceError | None:
    """Get a temporary download URL of the EMAS artifact of a pipeline run

     Returns a download URL, valid for one hour, of the EMAS mobile artifact built by the
    given pipeline run. The request has no body. Send the headers
    `x-acs-action: GetPipelineEmasArtifactUrl` and `x-acs-version: 2021-06-25`, signed
    with the V3 signature.

    A 200 answer can carry `success: false` with an `errorCode`: check `success`.

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
        ArtifactUrlResponse | GatewayError | GatewayErrorLowerCase | ServiceError
    """

    return sync_detailed(
        organization_id=organization_id,
        pipeline_id=pipeline_id,
        pipeline_run_id=pipeline_run_id,
        emas_job_instance_id=emas_job_instance_id,
        md5=md5,
        client=client,
        service_connection_id=service_connection_id,
    ).parsed


async def asyncio_detailed(
    organization_id: str,
    pipeline_id: int,
    pipeline_run_id: int,
    emas_job_instance_id: str,
    md5: str,
    *,
    client: AuthenticatedClient,
    service_connection_id: int,
) -> Response[
    ArtifactUrlResponse | GatewayError | GatewayErrorLowerCase | ServiceError
]:
    """Get a temporary download URL of the EMAS artifact of a pipeline run

     Returns a download URL, valid for one hour, of the EMAS mobile artifact built by the
    given pipeline run. The request has no body. Send the headers
    `x-acs-action: GetPipelineEmasArtifactUrl` and `x-acs-version: 2021-06-25`, signed
    with the V3 signature.

    A 200 answer can carry `success: false` with an `errorCode`: check `success`.

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
        Response[ArtifactUrlResponse | GatewayError | GatewayErrorLowerCase | ServiceError]
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
    pipeline_id: int,
    pipeline_run_id: int,
    emas_job_instance_id: str,
    md5: str,
    *,
    client: AuthenticatedClient,
    service_connection_id: int,
) -> ArtifactUrlResponse | GatewayError | GatewayErrorLowerCase | ServiceError | None:
    """Get a temporary download URL of the EMAS artifact of a pipeline run

     Returns a download URL, valid for one hour, of the EMAS mobile artifact built by the
    given pipeline run. The request has no body. Send the headers
    `x-acs-action: GetPipelineEmasArtifactUrl` and `x-acs-version: 2021-06-25`, signed
    with the V3 signature.

    A 200 answer can carry `success: false` with an `errorCode`: check `success`.

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
        ArtifactUrlResponse | GatewayError | GatewayErrorLowerCase | ServiceError
    """

    return (
        await asyncio_detailed(
            organization_id=organization_id,
            pipeline_id=pipeline_id,
            pipeline_run_id=pipeline_run_id,
            emas_job_instance_id=emas_job_instance_id,
            md5=md5,
            client=client,
            service_connection_id=service_connection_id,
        )
    ).parsed
