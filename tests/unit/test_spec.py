"""openapi.yaml states what the API reference says.

Facts are read from the YAML; the expected values are the API reference's (see
/work/shared/reference/api-digest.md), written down once below as its tables, so that a change
of either side shows up as a difference.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from yunxiao_emas.cli import spec as _spec

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = REPO_ROOT / "openapi.yaml"

# --- The API reference's tables (the independent source) -----------------------------------

REFERENCE_PATH = (
    "/organization/{organizationId}/pipeline/{pipelineId}/pipelineRun/{pipelineRunId}"
    "/emas/artifact/{emasJobInstanceId}/{md5}"
)
REFERENCE_METHOD = "post"
REFERENCE_ACTION = "GetPipelineEmasArtifactUrl"
REFERENCE_VERSION = "2021-06-25"
REFERENCE_SERVER = "https://devops.cn-hangzhou.aliyuncs.com"
REFERENCE_SIGNATURE_METHOD = "ACS3-HMAC-SHA256"
# Long ids must not exceed this (precision is lost above it in other languages): 2**53 - 1.
REFERENCE_MAX_ID = 9007199254740991

# The newer API's page and the official Yunxiao MCP server's client (api-digest.md, the end).
TOKEN_PATH = "/oapi/v1/flow/organizations/{organizationId}/pipelines/getEmasArtifactDownloadUrl"
TOKEN_METHOD = "get"
TOKEN_OPERATION = "GetEmasArtifactDownloadUrl"
TOKEN_SERVER = "https://openapi-rdc.aliyuncs.com"
TOKEN_HEADER = "x-yunxiao-token"
TOKEN_ERROR_STATUSES = {400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 504}

# The example of each id on the reference page; both operations take the same ids.
REFERENCE_EXAMPLES: dict[str, object] = {
    "organizationId": "5ebbc0228123212b59xxxxx",
    "pipelineId": 1111,
    "pipelineRunId": 1,
    "emasJobInstanceId": "Psaxsa",
    "md5": "assasas",
    "serviceConnectionId": 122,
}
REFERENCE_TYPES = {
    "organizationId": "string",
    "pipelineId": "integer",
    "pipelineRunId": "integer",
    "emasJobInstanceId": "string",
    "md5": "string",
    "serviceConnectionId": "integer",
}
# name -> where it goes, per operation. serviceConnectionId is required by the metadata.
REFERENCE_LOCATIONS: dict[str, dict[str, str]] = {
    REFERENCE_ACTION: {
        "organizationId": "path",
        "pipelineId": "path",
        "pipelineRunId": "path",
        "emasJobInstanceId": "path",
        "md5": "path",
        "serviceConnectionId": "query",
    },
    TOKEN_OPERATION: {
        "organizationId": "path",
        "pipelineId": "query",
        "pipelineRunId": "query",
        "emasJobInstanceId": "query",
        "md5": "query",
        "serviceConnectionId": "query",
    },
}
OPERATIONS = {
    REFERENCE_ACTION: (REFERENCE_PATH, REFERENCE_METHOD),
    TOKEN_OPERATION: (TOKEN_PATH, TOKEN_METHOD),
}
OPERATION_SERVERS = {REFERENCE_ACTION: REFERENCE_SERVER, TOKEN_OPERATION: TOKEN_SERVER}
# Where each id comes from (api-digest.md): operationId -> path, server, query names in order,
# the API's misspellings (sericeConnectionType, endTme) included.
_TOKEN_BASE = "/oapi/v1/flow/organizations/{organizationId}"
FINDING_OPERATIONS: dict[str, tuple[str, str, list[str]]] = {
    "GetPipelineRun": (
        "/organization/{organizationId}/pipelines/{pipelineId}/pipelineRuns/{pipelineRunId}",
        REFERENCE_SERVER,
        [],
    ),
    "ListPipelineRuns": (
        "/organization/{organizationId}/pipelines/{pipelineId}/pipelineRuns",
        REFERENCE_SERVER,
        ["maxResults", "nextToken", "startTime", "endTime", "status", "triggerMode"],
    ),
    "ListServiceConnections": (
        "/organization/{organizationId}/serviceConnections",
        REFERENCE_SERVER,
        ["sericeConnectionType"],
    ),
    "GetPipelineRunByToken": (
        f"{_TOKEN_BASE}/pipelines/{{pipelineId}}/runs/{{pipelineRunId}}",
        TOKEN_SERVER,
        [],
    ),
    "GetLatestPipelineRunByToken": (
        f"{_TOKEN_BASE}/pipelines/{{pipelineId}}/runs/latestPipelineRun",
        TOKEN_SERVER,
        [],
    ),
    "ListPipelineRunsByToken": (
        f"{_TOKEN_BASE}/pipelines/{{pipelineId}}/runs",
        TOKEN_SERVER,
        ["page", "perPage", "startTime", "endTme", "status", "triggerMode"],
    ),
    "ListServiceConnectionsByToken": (
        f"{_TOKEN_BASE}/serviceConnections",
        TOKEN_SERVER,
        ["sericeConnectionType"],
    ),
}
INTEGER_PARAMETERS = [n for n, t in REFERENCE_TYPES.items() if t == "integer"]
STRING_PARAMETERS = [n for n, t in REFERENCE_TYPES.items() if t == "string"]
EVERY_PARAMETER = [
    pytest.param(operation_id, name, id=f"{operation_id}-{name}")
    for operation_id in OPERATIONS
    for name in REFERENCE_TYPES
]
INTEGER_CASES = [
    pytest.param(operation_id, name, id=f"{operation_id}-{name}")
    for operation_id in OPERATIONS
    for name in INTEGER_PARAMETERS
]
STRING_CASES = [
    pytest.param(operation_id, name, id=f"{operation_id}-{name}")
    for operation_id in OPERATIONS
    for name in STRING_PARAMETERS
]

# The global error codes of the reference page: (HTTP status, errorCode, message).
REFERENCE_ERROR_CODES: list[tuple[int, str, str]] = [
    (400, "InvalidCluster.NotFound", "No cluster is available to generate the workspace."),
    (
        400,
        "InvalidCodeUrl.NotSupportSVN",
        "The parameter codeUrl is invalid. SVN is not supported.",
    ),
    (400, "InvalidParam.ParamNotPresent", "The parameter is invalid."),
    (
        400,
        "InvalidResource.NotFound",
        "No resource is found. You cannot create the workspace. Please try again later.",
    ),
    (400, "InvalidResourceRole.NotFoun", "The member role is invalid."),
    (400, "InvalidResourceRole.NotFound", "The member role is invalid."),
    (
        400,
        "InvalidUser.NotFound",
        "The user that is invoking the API service is not a registered user.",
    ),
    (400, "InvalidUser.ResourceMemberCouldNotDeleteOwner", "Resource owner cannot be deleted."),
    (400, "InvalidUser.ResourceMemberNotExists", "The resource member does not exist."),
    (400, "InvalidUser.UserNotInCurrentOrganization", "The user is not in the organization."),
    (403, "Forbidden.AccessDenied", "The user is not authorized to perform the operation."),
    (
        403,
        "Forbidden.UserNotAdminOrOwner",
        "The current user is not an admin or owner in the organization and is not authorized"
        " to perform the operation.",
    ),
    (
        403,
        "Forbidden.UserNotInCurrentOrganization",
        "The user is not in the organization and is not authorized to perform the operation.",
    ),
    (404, "InvalidIdentifier.NotFound", "space id is error or not exist."),
    (404, "InvalidOrganization.NotFound", "The organization is not found."),
    (404, "InvalidPipeline.NotFound", "The pipeline is not found."),
    (404, "InvalidPipelineRun.NotFound", "The pipeline execution instance is not found."),
    (
        404,
        "InvalidUser.UserNotInCurrentOrganization",
        "The current user is not in the organization and has no permission to operate.",
    ),
    (404, "InvalidWorkspace.NotFound", "The workspace is not found."),
]
ERROR_CODE_IDS = [f"{status}-{code}" for status, code, _ in REFERENCE_ERROR_CODES]

# --- Reading the YAML -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def resolve(spec: dict[str, Any], node: Any) -> Any:
    """Follow local $refs ("#/a/b") until a node without one."""
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def operation(spec: dict[str, Any], operation_id: str = REFERENCE_ACTION) -> dict[str, Any]:
    path, method = OPERATIONS[operation_id]
    found: dict[str, Any] = spec["paths"][path][method]
    return found


def parameters(
    spec: dict[str, Any], operation_id: str = REFERENCE_ACTION
) -> dict[str, dict[str, Any]]:
    """The operation's parameters (path-level ones included), resolved, by name."""
    path, _ = OPERATIONS[operation_id]
    path_item = spec["paths"][path]
    found = [resolve(spec, p) for p in path_item.get("parameters", [])]
    found += [resolve(spec, p) for p in operation(spec, operation_id).get("parameters", [])]
    by_name = {p["name"]: p for p in found}
    assert len(by_name) == len(found), "a parameter is declared twice"
    return by_name


def parameter_schema(spec: dict[str, Any], operation_id: str, name: str) -> dict[str, Any]:
    return resolve(spec, parameters(spec, operation_id)[name]["schema"])


def response_examples(spec: dict[str, Any], status: int) -> dict[str, Any]:
    """The named examples of the signed operation's JSON answer for `status`, resolved."""
    response = resolve(spec, operation(spec)["responses"][str(status)])
    examples = response["content"]["application/json"]["examples"]
    return {name: resolve(spec, example)["value"] for name, example in examples.items()}


def x_error_codes(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return spec["components"]["schemas"]["ServiceError"]["x-error-codes"]


def security_scheme(spec: dict[str, Any], operation_id: str) -> dict[str, Any]:
    requirements = operation(spec, operation_id).get("security", spec.get("security"))
    (requirement,) = requirements
    (name,) = requirement
    scheme: dict[str, Any] = spec["components"]["securitySchemes"][name]
    return scheme


# --- The operations ---------------------------------------------------------------------------


def test_the_paths_are_the_reference_paths_and_those_of_the_ids(spec: dict[str, Any]) -> None:
    finding = [path for path, _, _ in FINDING_OPERATIONS.values()]
    assert sorted(spec["paths"]) == sorted([REFERENCE_PATH, TOKEN_PATH, *finding])


@pytest.mark.parametrize("operation_id", FINDING_OPERATIONS)
def test_each_operation_finding_the_ids_is_the_digests(
    spec: dict[str, Any], operation_id: str
) -> None:
    path, server, query = FINDING_OPERATIONS[operation_id]
    item = spec["paths"][path]
    assert set(item) == {"servers", "get"}
    op = item["get"]
    assert op["operationId"] == operation_id
    assert [s["url"] for s in item["servers"]] == [server]
    declared = [resolve(spec, p) for p in op["parameters"]]
    assert [p["name"] for p in declared if p["in"] == "query"] == query
    if server == REFERENCE_SERVER:
        assert (op["x-acs-action"], op["x-acs-version"]) == (operation_id, REFERENCE_VERSION)
        assert op["security"] == [{"acs3HmacSha256": []}]
    else:
        assert op["security"] == [{"yunxiaoToken": []}]


@pytest.mark.parametrize(
    "operation_id", [TOKEN_OPERATION, *(o for o in FINDING_OPERATIONS if o.endswith("ByToken"))]
)
def test_every_token_operation_names_its_region_edition_path(
    spec: dict[str, Any], operation_id: str
) -> None:
    [(path, op)] = [
        (p, item["get"])
        for p, item in spec["paths"].items()
        if item.get("get", {}).get("operationId") == operation_id
    ]
    central = "/oapi/v1/flow/organizations/{organizationId}/"
    assert path.startswith(central)
    assert op["x-region-edition-path"] == "/oapi/v1/flow/" + path.removeprefix(central)


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_each_path_has_only_its_operation(spec: dict[str, Any], operation_id: str) -> None:
    path, method = OPERATIONS[operation_id]
    path_item = spec["paths"][path]
    methods = {k for k in path_item if k in {"get", "put", "post", "delete", "patch", "head"}}
    assert methods == {method}
    assert path_item[method]["operationId"] == operation_id


def test_the_signed_operation_names_the_action_and_version(spec: dict[str, Any]) -> None:
    op = operation(spec)
    assert (op["operationId"], op["x-acs-action"], op["x-acs-version"]) == (
        REFERENCE_ACTION,
        REFERENCE_ACTION,
        REFERENCE_VERSION,
    )


def test_the_token_operation_names_no_action(spec: dict[str, Any]) -> None:
    op = operation(spec, TOKEN_OPERATION)
    assert "x-acs-action" not in op
    assert "x-acs-version" not in op


def test_info_version_is_the_documents_semver_and_names_the_api_version(
    spec: dict[str, Any],
) -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", spec["info"]["version"])
    assert spec["info"]["x-acs-version"] == REFERENCE_VERSION


def test_the_document_servers_are_the_two_default_hosts(spec: dict[str, Any]) -> None:
    assert [server["url"] for server in spec["servers"]] == [REFERENCE_SERVER, TOKEN_SERVER]


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_each_path_names_its_own_server(spec: dict[str, Any], operation_id: str) -> None:
    path, _ = OPERATIONS[operation_id]
    servers = spec["paths"][path]["servers"]
    assert [server["url"] for server in servers] == [OPERATION_SERVERS[operation_id]]


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_security_requirement_uses_a_defined_scheme(
    spec: dict[str, Any], operation_id: str
) -> None:
    requirements = operation(spec, operation_id).get("security", spec.get("security"))
    schemes = spec["components"]["securitySchemes"]
    assert requirements, "no security requirement applies to the operation"
    assert all(name in schemes for requirement in requirements for name in requirement)


def test_the_operations_use_different_security_schemes(spec: dict[str, Any]) -> None:
    assert security_scheme(spec, REFERENCE_ACTION) != security_scheme(spec, TOKEN_OPERATION)


def test_security_scheme_of_the_signed_operation_names_acs3_hmac_sha256(
    spec: dict[str, Any],
) -> None:
    scheme = security_scheme(spec, REFERENCE_ACTION)
    assert scheme["x-acs-signature-method"] == REFERENCE_SIGNATURE_METHOD
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")


def test_security_scheme_of_the_token_operation_is_the_token_header(
    spec: dict[str, Any],
) -> None:
    scheme = security_scheme(spec, TOKEN_OPERATION)
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", TOKEN_HEADER)
    assert "x-acs-signature-method" not in scheme


# --- Parameters -------------------------------------------------------------------------------


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_operation_has_exactly_the_six_reference_parameters(
    spec: dict[str, Any], operation_id: str
) -> None:
    assert sorted(parameters(spec, operation_id)) == sorted(REFERENCE_TYPES)


@pytest.mark.parametrize(("operation_id", "name"), EVERY_PARAMETER)
def test_parameter_is_required(spec: dict[str, Any], operation_id: str, name: str) -> None:
    assert parameters(spec, operation_id)[name].get("required") is True


@pytest.mark.parametrize(("operation_id", "name"), EVERY_PARAMETER)
def test_parameter_is_in_the_documented_location(
    spec: dict[str, Any], operation_id: str, name: str
) -> None:
    assert parameters(spec, operation_id)[name]["in"] == REFERENCE_LOCATIONS[operation_id][name]


@pytest.mark.parametrize(("operation_id", "name"), EVERY_PARAMETER)
def test_parameter_has_the_documented_type(
    spec: dict[str, Any], operation_id: str, name: str
) -> None:
    assert parameter_schema(spec, operation_id, name)["type"] == REFERENCE_TYPES[name]


@pytest.mark.parametrize(("operation_id", "name"), EVERY_PARAMETER)
def test_parameter_example_is_the_reference_example(
    spec: dict[str, Any], operation_id: str, name: str
) -> None:
    assert parameters(spec, operation_id)[name]["example"] == REFERENCE_EXAMPLES[name]


@pytest.mark.parametrize("name", list(REFERENCE_TYPES))
def test_the_operations_share_each_ids_rules_and_example(spec: dict[str, Any], name: str) -> None:
    signed = parameters(spec, REFERENCE_ACTION)[name]
    token = parameters(spec, TOKEN_OPERATION)[name]
    assert signed["example"] == token["example"]
    assert parameter_schema(spec, REFERENCE_ACTION, name) == parameter_schema(
        spec, TOKEN_OPERATION, name
    )


@pytest.mark.parametrize(("operation_id", "name"), INTEGER_CASES)
def test_integer_parameter_is_int64(spec: dict[str, Any], operation_id: str, name: str) -> None:
    assert parameter_schema(spec, operation_id, name)["format"] == "int64"


@pytest.mark.parametrize(("operation_id", "name"), INTEGER_CASES)
def test_integer_parameter_minimum_is_1(spec: dict[str, Any], operation_id: str, name: str) -> None:
    schema = parameter_schema(spec, operation_id, name)
    assert schema["minimum"] == 1
    assert not schema.get("exclusiveMinimum", False)


@pytest.mark.parametrize(("operation_id", "name"), INTEGER_CASES)
def test_integer_parameter_maximum_is_2_pow_53_minus_1(
    spec: dict[str, Any], operation_id: str, name: str
) -> None:
    schema = parameter_schema(spec, operation_id, name)
    assert schema["maximum"] == REFERENCE_MAX_ID == 2**53 - 1
    assert not schema.get("exclusiveMaximum", False)


@pytest.mark.parametrize(("operation_id", "name"), STRING_CASES)
def test_string_parameter_min_length_is_1(
    spec: dict[str, Any], operation_id: str, name: str
) -> None:
    assert parameter_schema(spec, operation_id, name)["minLength"] == 1


def test_example_ids_are_the_reference_examples_by_argument_name() -> None:
    assert _spec.example_ids() == {
        "organization_id": "5ebbc0228123212b59xxxxx",
        "pipeline_id": 1111,
        "pipeline_run_id": 1,
        "emas_job_instance_id": "Psaxsa",
        "md5": "assasas",
        "service_connection_id": 122,
    }


# --- The reader of the spec (yunxiao_emas.cli.spec) ---------------------------------------------


def test_the_reader_finds_every_operation() -> None:
    assert set(_spec.operations()) == {*OPERATIONS, *FINDING_OPERATIONS}


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_the_reader_gives_each_operations_method_path_server_and_scheme(
    spec: dict[str, Any], operation_id: str
) -> None:
    read = _spec.operations()[operation_id]
    path, method = OPERATIONS[operation_id]
    requirement = operation(spec, operation_id)["security"]
    assert (read.method, read.path) == (method.upper(), path)
    assert read.servers == (OPERATION_SERVERS[operation_id],)
    assert read.security == tuple(name for entry in requirement for name in entry)


@pytest.mark.parametrize(("operation_id", "name"), EVERY_PARAMETER)
def test_the_reader_gives_each_parameters_location_and_rule(operation_id: str, name: str) -> None:
    parameter = _spec.operations()[operation_id].parameter(name)
    assert parameter.location == REFERENCE_LOCATIONS[operation_id][name]
    assert parameter.kind == REFERENCE_TYPES[name]
    assert parameter.required is True
    assert parameter.example == REFERENCE_EXAMPLES[name]


def test_the_reader_gives_the_token_operations_statuses() -> None:
    assert _spec.operations()[TOKEN_OPERATION].statuses == {200} | TOKEN_ERROR_STATUSES


# --- Error codes ------------------------------------------------------------------------------


def test_reference_table_has_19_codes() -> None:
    # Guards the table itself: the page lists 19 rows (one code twice, under 400 and 404).
    assert len(REFERENCE_ERROR_CODES) == 19
    assert len(set(ERROR_CODE_IDS)) == 19


def test_x_error_codes_are_the_reference_codes_with_their_status(spec: dict[str, Any]) -> None:
    listed = sorted((entry["status"], entry["code"]) for entry in x_error_codes(spec))
    expected = sorted((status, code) for status, code, _ in REFERENCE_ERROR_CODES)
    assert listed == expected


def test_x_error_codes_carry_the_reference_messages(spec: dict[str, Any]) -> None:
    listed = sorted((e["status"], e["code"], e["message"]) for e in x_error_codes(spec))
    assert listed == sorted(REFERENCE_ERROR_CODES)


@pytest.mark.parametrize(("status", "code", "message"), REFERENCE_ERROR_CODES, ids=ERROR_CODE_IDS)
def test_error_code_is_a_named_example_under_its_status(
    spec: dict[str, Any], status: int, code: str, message: str
) -> None:
    examples = response_examples(spec, status)
    assert code in examples, f"no example named {code} under {status}"
    assert examples[code]["errorCode"] == code


@pytest.mark.parametrize(("status", "code", "message"), REFERENCE_ERROR_CODES, ids=ERROR_CODE_IDS)
def test_error_code_example_carries_the_reference_message(
    spec: dict[str, Any], status: int, code: str, message: str
) -> None:
    assert response_examples(spec, status)[code]["errorMessage"] == message


@pytest.mark.parametrize(
    ("schema_name", "field"),
    [("ServiceError", "errorCode"), ("GatewayError", "Code"), ("ArtifactUrlResponse", "errorCode")],
)
def test_error_code_field_is_an_open_string_not_an_enum(
    spec: dict[str, Any], schema_name: str, field: str
) -> None:
    schema = resolve(spec, spec["components"]["schemas"][schema_name]["properties"][field])
    assert schema["type"] == "string"
    for keyword in ("enum", "pattern", "allOf", "anyOf", "oneOf", "not"):
        assert keyword not in schema, f"{schema_name}.{field} is closed by {keyword}"


# --- The token API's answers -----------------------------------------------------------------


def test_the_token_operation_documents_its_error_statuses(spec: dict[str, Any]) -> None:
    responses = operation(spec, TOKEN_OPERATION)["responses"]
    assert {int(status) for status in responses} == {200} | TOKEN_ERROR_STATUSES


def test_the_token_answer_is_a_url_as_json_or_as_plain_text(spec: dict[str, Any]) -> None:
    content = operation(spec, TOKEN_OPERATION)["responses"]["200"]["content"]
    assert set(content) == {"application/json", "text/plain"}
    for media in content.values():
        schema = resolve(spec, media["schema"])
        assert schema["type"] == "string"
        assert schema["minLength"] == 1


@pytest.mark.parametrize("status", sorted(TOKEN_ERROR_STATUSES))
def test_every_token_error_status_answers_the_token_error_body(
    spec: dict[str, Any], status: int
) -> None:
    response = resolve(spec, operation(spec, TOKEN_OPERATION)["responses"][str(status)])
    assert list(response["content"]) == ["application/json"]
    schema = response["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/TokenApiError"}


def test_the_token_error_body_has_the_documented_fields(spec: dict[str, Any]) -> None:
    schema = spec["components"]["schemas"]["TokenApiError"]
    properties = {name: resolve(spec, p)["type"] for name, p in schema["properties"].items()}
    assert properties == {
        "errorCode": "string",
        "errorMessage": "string",
        "requestId": "string",
        "traceId": "string",
        "httpStatus": "string",
        "title": "string",
        "hasDetailSolution": "boolean",
    }
    assert schema["required"] == ["errorCode"]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422, 429, 500])
def test_each_token_error_example_names_its_status(spec: dict[str, Any], status: int) -> None:
    response = resolve(spec, operation(spec, TOKEN_OPERATION)["responses"][str(status)])
    examples = response["content"]["application/json"]["examples"]
    values = [resolve(spec, example)["value"] for example in examples.values()]
    assert values
    assert all(value["httpStatus"] == str(status) for value in values)


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_token_throttling_and_server_errors_declare_retry_after(
    spec: dict[str, Any], status: int
) -> None:
    response = resolve(spec, operation(spec, TOKEN_OPERATION)["responses"][str(status)])
    assert "Retry-After" in response["headers"]


JSON = {"content-type": "application/json"}


def test_a_json_string_url_conforms_to_the_token_contract() -> None:
    content = json.dumps("https://files.example/a.apk?Expires=1").encode()
    assert _spec.response_problems(TOKEN_OPERATION, 200, JSON, content) == []


def test_a_plain_text_url_conforms_to_the_token_contract() -> None:
    headers = {"content-type": "text/plain; charset=utf-8"}
    content = b"https://files.example/a.apk?Expires=1"
    assert _spec.response_problems(TOKEN_OPERATION, 200, headers, content) == []


def test_a_json_object_answer_breaks_the_token_contract() -> None:
    content = json.dumps({"fileUrl": "https://files.example/a.apk"}).encode()
    assert _spec.response_problems(TOKEN_OPERATION, 200, JSON, content) != []


def test_a_token_error_body_conforms_for_a_documented_status(spec: dict[str, Any]) -> None:
    body = spec["components"]["examples"]["token.401"]["value"]
    problems = _spec.response_problems(TOKEN_OPERATION, 401, JSON, json.dumps(body).encode())
    assert problems == []


def test_a_signed_api_error_body_breaks_the_token_contract() -> None:
    body = {"RequestId": "R", "Code": "SignatureDoesNotMatch", "Message": "m"}
    problems = _spec.response_problems(TOKEN_OPERATION, 401, JSON, json.dumps(body).encode())
    assert problems != []


def test_an_undocumented_status_breaks_the_token_contract() -> None:
    problems = _spec.response_problems(TOKEN_OPERATION, 418, JSON, b"{}")
    assert problems
    assert "418" in problems[0]


def test_the_signed_success_example_conforms_to_its_contract(spec: dict[str, Any]) -> None:
    body = spec["components"]["examples"]["200.success"]["value"]
    problems = _spec.response_problems(REFERENCE_ACTION, 200, JSON, json.dumps(body).encode())
    assert problems == []


# --- The bundled spec -------------------------------------------------------------------------


def test_bundled_spec_exists() -> None:
    assert _spec.spec_path().is_file()


def test_bundled_spec_is_the_repository_spec() -> None:
    assert _spec.spec_path().read_bytes() == SPEC_PATH.read_bytes()


# --- scripts/check_spec.py --------------------------------------------------------------------


@pytest.fixture(scope="module")
def check_spec() -> Iterator[ModuleType]:
    """scripts/check_spec.py as a module (scripts/ is not a package)."""
    name = "_check_spec_under_test"
    path = REPO_ROOT / "scripts" / "check_spec.py"
    module_spec = importlib.util.spec_from_file_location(name, path)
    assert module_spec is not None
    assert module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module  # dataclasses look their module up there
    try:
        module_spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[name]


def run_check_spec(check_spec: ModuleType, document: dict[str, Any], tmp_path: Path) -> int:
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return check_spec.main([str(path)])


def test_check_spec_accepts_the_repository_spec(
    check_spec: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    assert check_spec.main([str(SPEC_PATH)]) == 0
    assert "examples valid" in capsys.readouterr().out


def test_check_spec_rejects_a_parameter_example_out_of_bounds(
    check_spec: ModuleType, spec: dict[str, Any], tmp_path: Path
) -> None:
    broken = copy.deepcopy(spec)
    broken["components"]["parameters"]["pipelineId"]["example"] = REFERENCE_MAX_ID + 1
    assert run_check_spec(check_spec, broken, tmp_path) == 1


def test_check_spec_rejects_a_response_example_matching_no_error_shape(
    check_spec: ModuleType, spec: dict[str, Any], tmp_path: Path
) -> None:
    broken = copy.deepcopy(spec)
    response = resolve(broken, operation(broken)["responses"]["404"])
    example = resolve(
        broken, response["content"]["application/json"]["examples"]["InvalidPipeline.NotFound"]
    )
    example["value"] = {"requestId": "x", "message": "neither errorCode nor Code"}
    assert run_check_spec(check_spec, broken, tmp_path) == 1


def test_check_spec_rejects_a_schema_property_example_of_the_wrong_type(
    check_spec: ModuleType, spec: dict[str, Any], tmp_path: Path
) -> None:
    broken = copy.deepcopy(spec)
    broken["components"]["schemas"]["ArtifactUrlResponse"]["properties"]["success"]["example"] = (
        "yes"
    )
    assert run_check_spec(check_spec, broken, tmp_path) == 1


def test_check_spec_rejects_an_invalid_document(
    check_spec: ModuleType, spec: dict[str, Any], tmp_path: Path
) -> None:
    broken = copy.deepcopy(spec)
    del broken["info"]
    assert run_check_spec(check_spec, broken, tmp_path) == 1
