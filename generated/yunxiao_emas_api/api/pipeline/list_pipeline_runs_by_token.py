from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.pipeline_run_summary import PipelineRunSummary
from ...models.token_api_error import TokenApiError
from ...types import UNSET, Response, Unset


def _get_kwargs(
    organization_id: str,
    pipeline_id: int,
    *,
    page: int | Unset = UNSET,
    per_page: int | Unset = UNSET,
    start_time: int | Unset = UNSET,
    end_tme: int | Unset = UNSET,
    status: str | Unset = UNSET,
    trigger_mode: int | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["page"] = page

    params["perPage"] = per_page

    params["startTime"] = start_time

    params["endTme"] = end_tme

    params["status"] = status

    params["triggerMode"] = trigger_mode

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/oapi/v1/flow/organizations/{organization_id}/pipelines/{pipeline_id}/runs".format(
            organization_id=quote(str(organization_id), safe=""),
            pipeline_id=quote(str(pipeline_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> TokenApiError | list[PipelineRunSummary] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in _response_200:
            response_200_item = PipelineRunSummary.from_dict(response_200_item_data)

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
) -> Response[TokenApiError | list[PipelineRunSummary]]:
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
    page: int | Unset = UNSET,
    per_page: int | Unset = UNSET,
    start_time: int | Unset = UNSET,
    end_tme: int | Unset = UNSET,
    status: str | Unset = UNSET,
    trigger_mode: int | Unset = UNSET,
) -> Response[TokenApiError | list[PipelineRunSummary]]:
    """List the runs of a pipeline, newest first, a page at a time (token API)

     One page of the pipeline's runs, newest first, as a JSON array. Paging: `page` (from 1)
    and `perPage` (1..30); the answer's headers `x-total`, `x-total-pages`, `x-page`,
    `x-per-page`, `x-next-page` (empty on the last page) and `x-prev-page` say where it is.
    The end of the time filter is `endTme` (sic: the API spells it so). A region-edition
    instance serves it without `/organizations/{organizationId}`.

    Args:
        organization_id (str):
        pipeline_id (int):
        page (int | Unset):
        per_page (int | Unset):
        start_time (int | Unset):
        end_tme (int | Unset):
        status (str | Unset):
        trigger_mode (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[TokenApiError | list[PipelineRunSummary]]
    """

    kwargs = _get_kwargs(
        organization_id=organization_id,
        pipeline_id=pipeline_id,
        page=page,
        per_page=per_page,
        start_time=start_time,
        end_tme=end_tme,
        status=status,
        trigger_mode=trigger_mode,
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
    page: int | Unset = UNSET,
    per_page: int | Unset = UNSET,
    start_time: int | Unset = UNSET,
    end_tme: int | Unset = UNSET,
    status: str | Unset = UNSET,
    trigger_mode: int | Unset = UNSET,
) -> TokenApiError | list[PipelineRunSummary] | None:
    """List the runs of a pipeline, newest first, a page at a time (token API)

     One page of the pipeline's runs, newest first, as a JSON array. Paging: `page` (from 1)
    and `perPage` (1..30); the answer's headers `x-total`, `x-total-pages`, `x-page`,
    `x-per-page`, `x-next-page` (empty on the last page) and `x-prev-page` say where it is.
    The end of the time filter is `endTme` (sic: the API spells it so). A region-edition
    instance serves it without `/organizations/{organizationId}`.

    Args:
        organization_id (str):
        pipeline_id (int):
        page (int | Unset):
        per_page (int | Unset):
        start_time (int | Unset):
        end_tme (int | Unset):
        status (str | Unset):
        trigger_mode (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        TokenApiError | list[PipelineRunSummary]
    """

    return sync_detailed(
        organization_id=organization_id,
        pipeline_id=pipeline_id,
        client=client,
        page=page,
        per_page=per_page,
        start_time=start_time,
        end_tme=end_tme,
        status=status,
        trigger_mode=trigger_mode,
    ).parsed


async def asyncio_detailed(
    organization_id: str,
    pipeline_id: int,
    *,
    client: AuthenticatedClient,
    page: int | Unset = UNSET,
    per_page: int | Unset = UNSET,
    start_time: int | Unset = UNSET,
    end_tme: int | Unset = UNSET,
    status: str | Unset = UNSET,
    trigger_mode: int | Unset = UNSET,
) -> Response[TokenApiError | list[PipelineRunSummary]]:
    """List the runs of a pipeline, newest first, a page at a time (token API)

     One page of the pipeline's runs, newest first, as a JSON array. Paging: `page` (from 1)
    and `perPage` (1..30); the answer's headers `x-total`, `x-total-pages`, `x-page`,
    `x-per-page`, `x-next-page` (empty on the last page) and `x-prev-page` say where it is.
    The end of the time filter is `endTme` (sic: the API spells it so). A region-edition
    instance serves it without `/organizations/{organizationId}`.

    Args:
        organization_id (str):
        pipeline_id (int):
        page (int | Unset):
        per_page (int | Unset):
        start_time (int | Unset):
        end_tme (int | Unset):
        status (str | Unset):
        trigger_mode (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[TokenApiError | list[PipelineRunSummary]]
    """

    kwargs = _get_kwargs(
        organization_id=organization_id,
        pipeline_id=pipeline_id,
        page=page,
        per_page=per_page,
        start_time=start_time,
        end_tme=end_tme,
        status=status,
        trigger_mode=trigger_mode,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    organization_id: str,
    pipeline_id: int,
    *,
    client: AuthenticatedClient,
    page: int | Unset = UNSET,
    per_page: int | Unset = UNSET,
    start_time: int | Unset = UNSET,
    end_tme: int | Unset = UNSET,
    status: str | Unset = UNSET,
    trigger_mode: int | Unset = UNSET,
) -> TokenApiError | list[PipelineRunSummary] | None:
    """List the runs of a pipeline, newest first, a page at a time (token API)

     One page of the pipeline's runs, newest first, as a JSON array. Paging: `page` (from 1)
    and `perPage` (1..30); the answer's headers `x-total`, `x-total-pages`, `x-page`,
    `x-per-page`, `x-next-page` (empty on the last page) and `x-prev-page` say where it is.
    The end of the time filter is `endTme` (sic: the API spells it so). A region-edition
    instance serves it without `/organizations/{organizationId}`.

    Args:
        organization_id (str):
        pipeline_id (int):
        page (int | Unset):
        per_page (int | Unset):
        start_time (int | Unset):
        end_tme (int | Unset):
        status (str | Unset):
        trigger_mode (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        TokenApiError | list[PipelineRunSummary]
    """

    return (
        await asyncio_detailed(
            organization_id=organization_id,
            pipeline_id=pipeline_id,
            client=client,
            page=page,
            per_page=per_page,
            start_time=start_time,
            end_tme=end_tme,
            status=status,
            trigger_mode=trigger_mode,
        )
    ).parsed
