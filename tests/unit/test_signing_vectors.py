"""signing-vectors.json, the published V3 test vectors: the Python signer passes every one, the
file is what scripts/signing_vectors.py makes, and its documented case is Alibaba Cloud's.

The TypeScript, Go and Java examples run the same file (tests/interop/); the emulator accepts
exactly its signatures (tests/emulator/test_signature_explained.py).
"""

from __future__ import annotations

import json
import runpy
from pathlib import Path
from typing import Any

import pytest
from yunxiao_emas.auth.acs3 import authorization, canonical_query, canonical_uri, sign_parts

ROOT = Path(__file__).resolve().parents[2]
VECTORS_FILE = ROOT / "signing-vectors.json"
VECTORS: list[dict[str, Any]] = json.loads(VECTORS_FILE.read_text(encoding="utf-8"))["vectors"]


def by_name(name: str) -> dict[str, Any]:
    return next(vector for vector in VECTORS if vector["name"] == name)


@pytest.mark.parametrize("vector", VECTORS, ids=[vector["name"] for vector in VECTORS])
def test_the_python_signer_builds_every_vectors_canonical_request_and_signature(
    vector: dict[str, Any],
) -> None:
    query = [(name, value) for name, value in vector["query"]]

    parts = sign_parts(
        vector["accessKeySecret"], vector["method"], vector["path"], query, vector["headers"]
    )

    assert parts.canonical_request == vector["canonicalRequest"]
    assert parts.string_to_sign == vector["stringToSign"]
    assert parts.signature == vector["signature"]
    assert parts.signed_headers == vector["signedHeaders"]
    assert authorization(vector["accessKeyId"], parts) == vector["authorization"]


def test_the_documented_example_is_the_published_known_answer() -> None:
    vector = by_name("documented-example")

    assert vector["source"].startswith("external:")
    assert vector["stringToSign"] == (
        "ACS3-HMAC-SHA256\n29622f5feb1e9fcaaa2e276a72889c975f7b16f00e02be1ca34965b18cd85015"
    )
    assert vector["signature"] == (
        "e521358f7776c97df52e6b2891a8bc73026794a071b50c3323388c4e0df64804"
    )


def test_only_the_documented_example_claims_an_external_source() -> None:
    external = [vector["name"] for vector in VECTORS if vector["source"].startswith("external:")]
    ours = [vector for vector in VECTORS if vector["source"].startswith("ours:")]

    assert external == ["documented-example"]
    assert len(ours) == len(VECTORS) - 1


def test_a_sub_delim_id_has_one_canonical_uri_however_the_sender_encoded_it() -> None:
    bare, encoded = (
        by_name("id-with-sub-delims-sent-bare"),
        by_name("id-with-sub-delims-sent-encoded"),
    )

    assert bare["path"] != encoded["path"]
    assert canonical_uri(bare["path"]) == canonical_uri(encoded["path"])
    assert bare["canonicalRequest"] == encoded["canonicalRequest"]
    assert "/a%2Ab%2Bc%27d~e/" in bare["canonicalRequest"]


def test_repeated_query_names_are_all_kept_in_byte_order() -> None:
    vector = by_name("repeated-unsorted-query")

    canonical = canonical_query([(name, value) for name, value in vector["query"]])

    assert canonical == "Status=x&maxResults=10&status=FAIL&status=SUCCESS"
    assert vector["canonicalRequest"].split("\n")[2] == canonical


def test_the_host_with_its_port_is_signed_as_sent() -> None:
    vector = by_name("host-with-port")

    assert "\nhost:127.0.0.1:8080\n" in vector["canonicalRequest"]


def test_the_cases_the_issue_asks_for_are_all_there() -> None:
    names = {vector["name"] for vector in VECTORS}
    methods = {vector["method"] for vector in VECTORS}

    assert {
        "documented-example",
        "id-with-space",
        "id-with-sub-delims-sent-bare",
        "id-with-percent",
        "id-with-slash",
        "id-unicode",
        "empty-query",
        "repeated-unsorted-query",
        "host-with-port",
        "sts-credentials",
    } <= names
    assert methods == {"GET", "POST"}
    assert by_name("sts-credentials")["securityToken"]


def test_the_committed_file_is_what_the_script_makes() -> None:
    script = runpy.run_path(str(ROOT / "scripts" / "signing_vectors.py"))

    assert script["render"]() == VECTORS_FILE.read_text(encoding="utf-8")


# --- the spec's machine-readable signing rules (x-acs-signing) agree with the code ------------


def signing_rules() -> dict[str, Any]:
    from yunxiao_emas.cli.spec import load_spec

    rules: dict[str, Any] = load_spec()["components"]["securitySchemes"]["acs3HmacSha256"][
        "x-acs-signing"
    ]
    return rules


def test_the_spec_points_to_the_vectors_file() -> None:
    assert (ROOT / signing_rules()["vectors"]["file"]).is_file()


def test_the_specs_date_format_and_skew_are_the_signers_and_the_emulators() -> None:
    from yunxiao_emas.auth.acs3 import DATE_FORMAT
    from yunxiao_emas.testing._gateway import SKEW_LIMIT_SECONDS

    date = signing_rules()["date"]

    assert date["strftime"] == DATE_FORMAT
    assert date["maxSkewSeconds"] == SKEW_LIMIT_SECONDS


def test_the_specs_always_signed_headers_are_the_ones_every_vector_of_ours_signs() -> None:
    always = set(signing_rules()["signedHeaders"]["always"])

    for vector in VECTORS:
        assert always <= set(vector["signedHeaders"].split(";")), vector["name"]


def test_the_specs_sts_headers_are_the_ones_the_sts_vector_adds() -> None:
    rules = signing_rules()["signedHeaders"]
    signed = set(by_name("sts-credentials")["signedHeaders"].split(";"))

    assert signed == set(rules["always"]) | set(rules["withStsCredentials"])
