"""The operation table (``_call/operations.py``) agrees with openapi.yaml: one row per operation
of the spec, each row's generated module building the spec's method and path, its auth scheme
the spec's, its ``x-acs-action`` the spec's, and each logical operation in the APIs that have
it. An operation added to the spec without a row (or the reverse) fails here."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from yunxiao_emas._call.operations import OPERATIONS, Operation, row
from yunxiao_emas.cli.spec import operations

SCHEME_OF_CREDENTIALS = {
    "AccessKeyCredentials": "acs3HmacSha256",
    "PersonalAccessToken": "yunxiaoToken",
}
ROWS = [pytest.param(operation, id=operation.name) for operation in OPERATIONS]


def example_arguments(operation_id: str) -> dict[str, Any]:
    return {
        parameter.python_name: parameter.example
        for parameter in operations()[operation_id].parameters
        if parameter.required
    }


def test_every_operation_of_the_spec_has_one_row() -> None:
    assert sorted(operation.name for operation in OPERATIONS) == sorted(operations())


@pytest.mark.parametrize("operation", ROWS)
def test_a_rows_module_builds_the_specs_method_and_path(operation: Operation) -> None:
    spec = operations()[operation.name]
    built = operation.build(example_arguments(operation.name))
    assert built["method"].upper() == spec.method
    expected = spec.path
    for name, value in example_arguments(operation.name).items():
        camel = name.split("_")[0] + "".join(part.title() for part in name.split("_")[1:])
        expected = expected.replace(f"{{{camel}}}", str(value))
    assert built["url"] == expected


@pytest.mark.parametrize("operation", ROWS)
def test_a_rows_auth_and_action_are_the_specs(operation: Operation) -> None:
    spec = operations()[operation.name]
    assert spec.security == (SCHEME_OF_CREDENTIALS[operation.credentials],)
    assert operation.action == spec.extensions.get("x-acs-action")
    assert operation.default_host == spec.servers[0].removeprefix("https://")


def test_each_logical_operation_is_in_the_apis_that_have_it() -> None:
    by_api = {
        "AccessKeyCredentials": {"artifact_url", "get_run", "list_runs", "list_connections"},
        "PersonalAccessToken": {
            "artifact_url",
            "get_run",
            "latest_run",
            "list_runs",
            "list_connections",
        },
    }
    for kind, logicals in by_api.items():
        assert {o.logical for o in OPERATIONS if o.credentials == kind} == logicals
        for logical in logicals:
            assert row(logical, kind).credentials == kind


def test_the_signed_api_has_no_latest_run_operation() -> None:
    with pytest.raises(LookupError, match="no operation 'latest_run'"):
        row("latest_run", "AccessKeyCredentials")


def test_every_row_module_exists_in_the_generated_layer() -> None:
    for operation in OPERATIONS:
        assert hasattr(importlib.import_module(operation.module), "_get_kwargs")
