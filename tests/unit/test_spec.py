"""openapi.yaml states what the API reference says.

Facts are read from the YAML; the expected values are the API reference's (see
/work/shared/reference/api-digest.md), written down once below as its tables, so that a change
of either side shows up as a difference.
"""

from __future__ import annotations

import copy
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from yunxiao_emas import _spec

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

# name -> (in, type, example from the page). serviceConnectionId is required by the metadata.
REFERENCE_PARAMETERS: dict[str, tuple[str, str, object]] = {
    "organizationId": ("path", "string", "5ebbc0228123212b59xxxxx"),
    "pipelineId": ("path", "integer", 1111),
    "pipelineRunId": ("path", "integer", 1),
    "emasJobInstanceId": ("path", "string", "Psaxsa"),
    "md5": ("path", "string", "assasas"),
    "serviceConnectionId": ("query", "integer", 122),
}
INTEGER_PARAMETERS = [n for n, (_, t, _) in REFERENCE_PARAMETERS.items() if t == "integer"]
STRING_PARAMETERS = [n for n, (_, t, _) in REFERENCE_PARAMETERS.items() if t == "string"]

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


def operation(spec: dict[str, Any]) -> dict[str, Any]:
    (path_item,) = spec["paths"].values()
    return path_item[REFERENCE_METHOD]


def parameters(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The operation's parameters (path-level ones included), resolved, by name."""
    (path_item,) = spec["paths"].values()
    found = [resolve(spec, p) for p in path_item.get("parameters", [])]
    found += [resolve(spec, p) for p in operation(spec).get("parameters", [])]
    by_name = {p["name"]: p for p in found}
    assert len(by_name) == len(found), "a parameter is declared twice"
    return by_name


def parameter_schema(spec: dict[str, Any], name: str) -> dict[str, Any]:
    return resolve(spec, parameters(spec)[name]["schema"])


def response_examples(spec: dict[str, Any], status: int) -> dict[str, Any]:
    """The named examples of the operation's JSON answer for `status`, values resolved."""
    response = resolve(spec, operation(spec)["responses"][str(status)])
    examples = response["content"]["application/json"]["examples"]
    return {name: resolve(spec, example)["value"] for name, example in examples.items()}


def x_error_codes(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return spec["components"]["schemas"]["ServiceError"]["x-error-codes"]


# --- The operation ----------------------------------------------------------------------------


def test_the_only_path_is_the_reference_path(spec: dict[str, Any]) -> None:
    assert list(spec["paths"]) == [REFERENCE_PATH]


def test_the_path_has_only_the_post_operation(spec: dict[str, Any]) -> None:
    (path_item,) = spec["paths"].values()
    methods = {k for k in path_item if k in {"get", "put", "post", "delete", "patch", "head"}}
    assert methods == {REFERENCE_METHOD}


def test_operation_names_the_action_and_version(spec: dict[str, Any]) -> None:
    op = operation(spec)
    assert (op["operationId"], op["x-acs-action"], op["x-acs-version"]) == (
        REFERENCE_ACTION,
        REFERENCE_ACTION,
        REFERENCE_VERSION,
    )


def test_info_version_is_the_api_version(spec: dict[str, Any]) -> None:
    assert spec["info"]["version"] == REFERENCE_VERSION


def test_servers_is_the_cn_hangzhou_endpoint(spec: dict[str, Any]) -> None:
    assert [server["url"] for server in spec["servers"]] == [REFERENCE_SERVER]


def test_security_requirement_uses_a_defined_scheme(spec: dict[str, Any]) -> None:
    requirements = operation(spec).get("security", spec.get("security"))
    schemes = spec["components"]["securitySchemes"]
    assert requirements, "no security requirement applies to the operation"
    assert all(name in schemes for requirement in requirements for name in requirement)


def test_security_scheme_names_acs3_hmac_sha256(spec: dict[str, Any]) -> None:
    requirements = operation(spec).get("security", spec.get("security"))
    (requirement,) = requirements
    (name,) = requirement
    scheme = spec["components"]["securitySchemes"][name]
    assert scheme["x-acs-signature-method"] == REFERENCE_SIGNATURE_METHOD
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")


# --- Parameters -------------------------------------------------------------------------------


def test_operation_has_exactly_the_six_reference_parameters(spec: dict[str, Any]) -> None:
    assert sorted(parameters(spec)) == sorted(REFERENCE_PARAMETERS)


@pytest.mark.parametrize("name", list(REFERENCE_PARAMETERS))
def test_parameter_is_required(spec: dict[str, Any], name: str) -> None:
    assert parameters(spec)[name].get("required") is True


@pytest.mark.parametrize("name", list(REFERENCE_PARAMETERS))
def test_parameter_is_in_the_documented_location(spec: dict[str, Any], name: str) -> None:
    assert parameters(spec)[name]["in"] == REFERENCE_PARAMETERS[name][0]


@pytest.mark.parametrize("name", list(REFERENCE_PARAMETERS))
def test_parameter_has_the_documented_type(spec: dict[str, Any], name: str) -> None:
    assert parameter_schema(spec, name)["type"] == REFERENCE_PARAMETERS[name][1]


@pytest.mark.parametrize("name", list(REFERENCE_PARAMETERS))
def test_parameter_example_is_the_reference_example(spec: dict[str, Any], name: str) -> None:
    assert parameters(spec)[name]["example"] == REFERENCE_PARAMETERS[name][2]


@pytest.mark.parametrize("name", INTEGER_PARAMETERS)
def test_integer_parameter_is_int64(spec: dict[str, Any], name: str) -> None:
    assert parameter_schema(spec, name)["format"] == "int64"


@pytest.mark.parametrize("name", INTEGER_PARAMETERS)
def test_integer_parameter_minimum_is_1(spec: dict[str, Any], name: str) -> None:
    schema = parameter_schema(spec, name)
    assert schema["minimum"] == 1
    assert not schema.get("exclusiveMinimum", False)


@pytest.mark.parametrize("name", INTEGER_PARAMETERS)
def test_integer_parameter_maximum_is_2_pow_53_minus_1(spec: dict[str, Any], name: str) -> None:
    schema = parameter_schema(spec, name)
    assert schema["maximum"] == REFERENCE_MAX_ID == 2**53 - 1
    assert not schema.get("exclusiveMaximum", False)


@pytest.mark.parametrize("name", STRING_PARAMETERS)
def test_string_parameter_min_length_is_1(spec: dict[str, Any], name: str) -> None:
    assert parameter_schema(spec, name)["minLength"] == 1


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
