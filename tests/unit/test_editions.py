"""The token API's editions: which one a client speaks (the argument, else the host), and the
region edition's paths, pinned to openapi.yaml's ``x-region-edition-path`` of every token
operation."""

from __future__ import annotations

from typing import Any

import pytest
from yunxiao_emas import InvalidArgumentError
from yunxiao_emas._call.editions import edition_for, region_path
from yunxiao_emas.cli.spec import load_spec


def token_operations() -> list[Any]:
    return [
        pytest.param(path, item["get"]["x-region-edition-path"], id=item["get"]["operationId"])
        for path, item in load_spec()["paths"].items()
        if "x-region-edition-path" in item.get("get", {})
    ]


def test_every_token_operation_has_a_region_path() -> None:
    assert len(token_operations()) == 5


@pytest.mark.parametrize(("central", "region"), token_operations())
def test_region_path_is_the_specs_x_region_edition_path(central: str, region: str) -> None:
    filled = central.replace("{organizationId}", "5ebbc0228123212b59xxxxx")
    assert region_path(filled) == region


def test_an_encoded_organization_id_is_removed_whole() -> None:
    path = "/oapi/v1/flow/organizations/a%2Fb%20c/serviceConnections"
    assert region_path(path) == "/oapi/v1/flow/serviceConnections"


def test_a_signed_api_path_is_left_alone() -> None:
    path = "/organization/org/pipelines/1/pipelineRuns/2"
    assert region_path(path) == path


@pytest.mark.parametrize(
    ("base_url", "edition"),
    [
        (None, "central"),
        ("https://openapi-rdc.aliyuncs.com", "central"),
        ("http://127.0.0.1:8080", "central"),
        ("http://localhost:9", "central"),
        ("https://devops.example-corp.com", "region"),
        ("https://yunxiao.cn-beijing.example.com:8443", "region"),
    ],
)
def test_the_default_edition_follows_the_host(base_url: str | None, edition: str) -> None:
    assert edition_for(None, base_url) == edition


@pytest.mark.parametrize("edition", ["central", "region"])
def test_an_explicit_edition_wins_over_the_host(edition: str) -> None:
    assert edition_for(edition, "http://127.0.0.1:8080") == edition
    assert edition_for(edition, "https://devops.example-corp.com") == edition


@pytest.mark.parametrize("edition", ["Central", "", "regional", 1])
def test_an_unknown_edition_is_refused_naming_the_argument(edition: object) -> None:
    with pytest.raises(InvalidArgumentError, match=r"^edition: must be 'central', 'region'"):
        edition_for(edition, None)
